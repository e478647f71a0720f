"""The entity layer behind speaker resolution: one sentence (or short article) written for each rule.

Generic mentions name no one (speaker None, the kind in speaker_type), name variants resolve to the fullest
form, roles and epithets to the person the article gives them, plural "they" to the people named together.
"""

from __future__ import annotations

import pytest

from stance.extract.entities import Cluster, name_clusters, same_first_name
from stance.extract.people import People, Person, surname_key


def by_mention(quotes, mention):
    found = [q for q in quotes if q.speaker_mention == mention]
    assert found, [(q.text, q.speaker_mention) for q in quotes]
    return found[0]


# ------------------------------------------------------------------ mentions that name no one
@pytest.mark.parametrize(
    "text, mention, kind",
    [
        ("Economists said the plan would slow growth next year.", "Economists", "group"),
        ("Many first-time voters said they had not decided yet.", "Many first-time voters", "group"),
        ("Senators said the bill would pass on Friday.", "Senators", "group"),
        ("Sixty percent of those asked said the economy was the top issue.", "Sixty percent of those asked", "group"),
        ("A source close to the mayor said the deal was off.", "A source close to the mayor", "unnamed"),
        ("Surveys show that voters are tired of the race.", "Surveys", "document"),
    ],
)
def test_generic_mention_has_no_speaker_but_keeps_mention_and_kind(extractor, text, mention, kind):
    q = by_mention(extractor.extract(text, "g"), mention)
    assert q.speaker is None and q.speaker_type == kind


def test_generic_mention_kept_as_speaker_when_switched_off():
    from omegaconf import OmegaConf

    from stance.config import CONF_DIR
    from stance.extract.pipeline import build_extractor

    cfg = OmegaConf.load(CONF_DIR / "extract" / "default.yaml")
    cfg.attributor.generic_null = False
    off = build_extractor(cfg)
    q = by_mention(off.extract("Economists said the plan would slow growth next year.", "g"), "Economists")
    assert q.speaker == "Economists"


def test_indefinite_role_is_an_unnamed_person_with_that_role(extractor):
    q = by_mention(extractor.extract("A detective said the suspect had fled the city.", "d"), "A detective")
    assert q.speaker is None and q.speaker_type == "unnamed" and q.speaker_role == "detective"


def test_name_inside_a_generic_mention_is_not_its_speaker(extractor):
    text = "Hillary Clinton spoke in Ohio.\n\nSeveral Clinton supporters said the speech was too long."
    q = by_mention(extractor.extract(text, "s"), "Several Clinton supporters")
    assert q.speaker is None and q.speaker_type == "group"


# ------------------------------------------------------------------ organisations and documents
def test_place_with_organisation_noun_stays_the_organisation(extractor):
    q = by_mention(extractor.extract("The Oslo police said the suspect had been arrested.", "o"), "The Oslo police")
    assert q.speaker == "Oslo police" and q.speaker_type == "organization"


def test_a_persons_campaign_is_named_by_the_persons_fullest_name(extractor):
    text = "Maria Lopez won the primary in May.\n\nThe Lopez campaign said the ad was false."
    q = by_mention(extractor.extract(text, "c"), "The Lopez campaign")
    assert q.speaker == "Maria Lopez campaign" and q.speaker_type == "organization"


def test_bare_campaign_is_the_campaign_of_the_person_the_passage_is_about(extractor):
    text = "Bernie Sanders laid off staff on Tuesday.\n\nThe campaign said the cuts were needed."
    q = by_mention(extractor.extract(text, "c2"), "The campaign")
    assert q.speaker == "Bernie Sanders campaign"


def test_document_speaks_for_whoever_it_is_from(extractor):
    text = "An email from Neera Tanden said the plan was risky."
    q = by_mention(extractor.extract(text, "e"), "An email from Neera Tanden")
    assert q.speaker == "Neera Tanden"


def test_unnamed_document_is_nobody(extractor):
    q = by_mention(extractor.extract("The report found no evidence of wrongdoing.", "r"), "The report")
    assert q.speaker is None and q.speaker_type == "document"


def test_possessive_cue_resolves_like_the_pronoun(extractor):
    text = "Senator Tom Reed spoke on Monday.\n\nHis statement said the bill was dead."
    q = by_mention(extractor.extract(text, "p"), "His statement")
    assert q.speaker == "Tom Reed"


# ------------------------------------------------------------------ pronouns
def test_plural_they_after_two_people_named_together(extractor):
    text = "Anna Berg and Tom Reed met reporters on Monday.\n\nThey said the deal was fair."
    q = by_mention(extractor.extract(text, "t"), "They")
    assert q.speaker == "Anna Berg and Tom Reed" and q.speaker_type == "person"


def test_plural_they_without_a_pair_names_no_one(extractor):
    q = by_mention(extractor.extract("They said the deal was fair.", "t2"), "They")
    assert q.speaker is None and q.speaker_type == "group"


def test_first_name_gender_beats_the_surnames(extractor):
    # "Mr. Trump" makes the surname male; Melania Trump is still the "she"
    text = "Mr. Trump spoke first.\n\nMelania Trump followed him on stage. She said the crowd was great."
    q = by_mention(extractor.extract(text, "m"), "She")
    assert q.speaker == "Melania Trump"


def test_name_inside_a_quotation_is_not_the_next_pronouns_antecedent(extractor):
    text = 'Tom Reed spoke to voters in Ohio.\n\n"Paul Lind is wrong about this," he said.'
    q = by_mention(extractor.extract(text, "q"), "he")
    assert q.speaker == "Tom Reed"


# ------------------------------------------------------------------ names and roles
def test_variant_of_a_name_resolves_to_its_fullest_form(extractor):
    text = (
        "James R. Hart opened the plant on Monday.\n\n"
        '"It is a good day," Jim Hart said.\n\n'
        "Hart said the plant would hire 200 workers."
    )
    quotes = extractor.extract(text, "h")
    assert by_mention(quotes, "Jim Hart").speaker == "James R. Hart"
    assert by_mention(quotes, "Hart").speaker == "James R. Hart"


def test_surname_with_suffix_resolves_to_the_full_name(extractor):
    text = "C. Stewart Verdery Jr. led the review.\n\nMr. Verdery said the checks had failed."
    q = by_mention(extractor.extract(text, "v"), "Mr. Verdery")
    assert q.speaker == "C. Stewart Verdery Jr."


def test_age_in_apposition_is_not_a_role(extractor):
    text = "James Hart, 61, said the mill would close in June."
    q = by_mention(extractor.extract(text, "a"), "James Hart, 61")
    assert q.speaker == "James Hart" and q.speaker_role != "61"


def test_role_noun_with_a_modifier_picks_the_person_it_fits(extractor):
    text = (
        "Sen. Ruth Ames of Ohio and Sen. Paul Lind of Texas debated the bill.\n\n"
        "The Ohio senator said the plan would fail."
    )
    q = by_mention(extractor.extract(text, "r"), "The Ohio senator")
    assert q.speaker == "Ruth Ames"


def test_epithet_refers_to_the_person_the_passage_is_about(extractor):
    text = "Sheldon Adelson gave $5 million to the party.\n\nThe casino tycoon said he was pleased with the race."
    q = by_mention(extractor.extract(text, "e2"), "The casino tycoon")
    assert q.speaker == "Sheldon Adelson"


# ------------------------------------------------------------------ name variants, without a parser
def test_first_name_variants():
    assert same_first_name("Jim", "James") and same_first_name("J.", "James") and same_first_name("Bill", "William")
    assert not same_first_name("Bill", "Hillary") and not same_first_name("J.", "Robert")


def test_clusters_join_variants_and_keep_namesakes_apart():
    people = People(
        [
            Person("James R. Hart", 0, None),
            Person("Jim Hart", 10, None),
            Person("Karen Hart", 20, None),
            Person("J. Hart", 30, None),
        ]
    )
    clusters = name_clusters(people)
    assert clusters["Jim Hart"] == Cluster("James R. Hart", ["James R. Hart", "Jim Hart", "J. Hart"])
    assert clusters["Karen Hart"].name == "Karen Hart"


def test_initial_matching_two_people_joins_neither():
    people = People([Person("John Hart", 0, None), Person("James Hart", 5, None), Person("J. Hart", 9, None)])
    assert name_clusters(people)["J. Hart"].name == "J. Hart"


def test_surname_key_skips_suffixes():
    assert surname_key("C. Stewart Verdery Jr.") == "verdery" and surname_key("Jr.") == "jr"


def test_role_with_the_name_in_apposition_is_that_person(extractor):
    text = "The director, James B. Comey, said that the messages were private."
    q = by_mention(extractor.extract(text, "ap"), "The director, James B. Comey")
    assert q.speaker == "James B. Comey" and q.speaker_type == "person"


def test_possessive_pronoun_skips_a_name_given_in_passing(extractor):
    text = (
        "The director, James B. Comey, said that messages by Ms. Malik and her husband, Syed Rizwan Farook, "
        "were private. His remarks indicated that the comments were not public."
    )
    q = by_mention(extractor.extract(text, "ps"), "His remarks")
    assert q.speaker == "James B. Comey"


def test_the_poll_is_the_one_named_before(extractor):
    text = (
        "The survey was conducted for AP and the television networks by Edison Research as voters arrived.\n\n"
        "The survey also showed that moderates mostly backed Clinton."
    )
    q = by_mention(extractor.extract(text, "sv"), "The survey")
    assert q.speaker == "Edison Research"


# ------------------------------------------------------------------ salience
MAIN_CLAUSE = (
    "Tom Reed said the long race had helped Ann Cole, who did not need to prove herself the way Paul Lind did.\n\n"
    '"She has nothing to prove," he said.'
)


def test_pronoun_prefers_the_main_clause_subject_over_an_embedded_one(extractor):
    q = by_mention(extractor.extract(MAIN_CLAUSE, "mc"), "he")
    assert q.speaker == "Tom Reed"


def test_main_clause_salience_can_be_switched_off():
    from omegaconf import OmegaConf

    from stance.config import CONF_DIR
    from stance.extract.pipeline import build_extractor

    cfg = OmegaConf.load(CONF_DIR / "extract" / "default.yaml")
    cfg.attributor.main_clause_salience = False
    q = by_mention(build_extractor(cfg).extract(MAIN_CLAUSE, "mc"), "he")
    assert q.speaker == "Paul Lind"  # the nearest subject, as before the rule


def test_bare_surname_of_two_namesakes_goes_to_the_one_introduced_first(extractor):
    text = (
        "Senator Ted Cruz toured Iowa this week. Ted Cruz won a straw poll there.\n\n"
        "His father, Rafael Cruz, preached in Marion. Rafael Cruz is a pastor.\n\n"
        "Mr. Cruz said the vote would be close."
    )
    q = by_mention(extractor.extract(text, "ns"), "Mr. Cruz")
    assert q.speaker == "Ted Cruz"


@pytest.mark.parametrize(
    "text, mention, speaker",
    [
        (
            "A report released by the Pew Research Center shows that voters are tired of the race.",
            "A report released by the Pew Research Center",
            "Pew Research Center",
        ),
        (
            "A letter posted on the Sierra Club's website said the pipeline should be stopped.",
            "A letter posted on the Sierra Club's website",
            "Sierra Club",
        ),
    ],
)
def test_document_released_by_someone_speaks_for_them(extractor, text, mention, speaker):
    q = by_mention(extractor.extract(text, "rb"), mention)
    assert q.speaker == speaker and q.speaker_type == "organization"


@pytest.mark.parametrize(
    "text, mention, speaker",
    [
        (
            "The U.N. opened an inquiry on Monday. Assange should be freed, the rights group says.",
            "the rights group",
            None,
        ),
        (
            "The American Civil Liberties Union filed a suit on Monday. The law is unconstitutional, the liberties "
            "group said.",
            "the liberties group",
            "American Civil Liberties Union",
        ),
        (
            "The Sierra Club sued the agency on Monday. The pipeline must be stopped, the environmental group said.",
            "the environmental group",
            "Sierra Club",
        ),
    ],
)
def test_generic_organisation_noun_needs_its_noun_modifier_in_the_name(extractor, text, mention, speaker):
    q = by_mention(extractor.extract(text, "rg"), mention)
    assert q.speaker == speaker


@pytest.mark.parametrize(
    "text, mention, speaker",
    [
        (
            'Fox News reporter Ed Henry covered the debate.\n\nHenry added a caption which reads, "The photo '
            'violates the rules of the debate."',
            "which",
            "Ed Henry",
        ),
        (
            "Senator Ann Cole spoke on Monday.\n\nThe statement she posted on Tuesday said the deal was dead.",
            "The statement she posted on Tuesday",
            "Ann Cole",
        ),
        ("Trump attacked the report, which says the wall would cost billions.", "which", None),  # not its author
    ],
)
def test_document_speaks_for_whoever_wrote_or_posted_it(extractor, text, mention, speaker):
    q = by_mention(extractor.extract(text, "au"), mention)
    assert q.speaker == speaker and q.speaker_type == ("person" if speaker else "document")


@pytest.mark.parametrize(
    "text, mention, speaker",
    [
        (
            "Climate Ads Target GOP.\n\nA major climate group is demanding that the Republican candidates propose "
            "clean energy plans.\n\nNextGen Climate, founded by Tom Steyer, will run the ads on Tuesday.",
            "A major climate group",
            "NextGen Climate",
        ),
        # an organisation named only several paragraphs later is not the lede's group
        (
            "Climate Ads Target GOP.\n\nA major climate group is demanding that the Republican candidates propose "
            "clean energy plans.\n\nThe ads will run on Tuesday.\n\nThey cost a lot.\n\nNextGen Climate paid.",
            "A major climate group",
            None,
        ),
    ],
)
def test_lede_organisation_is_the_one_named_next(extractor, text, mention, speaker):
    q = by_mention(extractor.extract(text, "ld"), mention)
    assert q.speaker == speaker and q.speaker_type == "organization"


def test_a_web_site_is_an_organisation_the_company_refers_to(extractor):
    text = (
        "A statement posted on the website ShopFast.com said listings are made by users, and that the company "
        "could reject any of them.\n\n"
        '"No one at the website has any tie to the seller," the company wrote in its statement.'
    )
    quotes = extractor.extract(text, "web")
    assert by_mention(quotes, "A statement posted on the website").speaker == "ShopFast.com"
    q = by_mention(quotes, "the company")
    assert q.speaker == "ShopFast.com" and q.speaker_type == "organization"


def test_the_document_put_out_earlier_speaks_for_its_publisher(extractor):
    text = (
        "Voters Want Clean Energy Now, Top Green Group Says.\n\n"
        "Greenpeace USA, founded by Tom Steyer, will air an ad during the debate on the Fox Business network. "
        "The group is also running full-page ads in two newspapers. The ads ask the candidates to back solar "
        "power before 2030."
    )
    q = by_mention(extractor.extract(text, "ads"), "The ads")
    assert q.speaker == "Greenpeace USA" and q.speaker_type == "organization"


def test_a_document_with_no_publisher_before_it_is_nobody(extractor):
    text = "The debate ran late on Tuesday.\n\nThe ads ask the candidates to back solar power before 2030."
    q = by_mention(extractor.extract(text, "noads"), "The ads")
    assert q.speaker is None and q.speaker_type == "document"


def test_a_document_named_by_its_quoted_title_speaks_for_its_publisher(extractor):
    text = (
        "Jeb Bush's campaign released a new online ad on Monday aimed at John Kasich.\n\n"
        "The \u201cNo Comparison\u201d ad says Kasich voted for every budget in the House."
    )
    q = next(q for q in extractor.extract(text, "title") if q.cue == "says")
    assert q.speaker == "Jeb Bush campaign" and q.speaker_type == "organization"


def test_double_surname_answers_to_its_first_family_name(extractor):
    text = "Melba Acosta Febo, the bank's president, spoke on Monday. \u201cWe are out of money,\u201d Ms. Acosta said."
    q = by_mention(extractor.extract(text, "ds"), "Ms. Acosta")
    assert q.speaker == "Melba Acosta Febo"


def test_first_family_name_of_someone_else_stays_theirs(extractor):
    text = (
        "Juan Acosta ran the bank. Melba Acosta Febo, its president, spoke on Monday. "
        "\u201cWe are out of money,\u201d Mr. Acosta said."
    )
    assert by_mention(extractor.extract(text, "ds2"), "Mr. Acosta").speaker == "Juan Acosta"


def test_role_noun_goes_to_the_holder_mentioned_last(extractor):
    text = (
        "Sen. Ted Cruz spoke in Iowa. Sen. John McCain spoke in Arizona on Monday.\n\n"
        "Cruz defends his record in a new ad: \u201cWe must secure the border,\u201d the senator says."
    )
    assert by_mention(extractor.extract(text, "rl"), "the senator").speaker == "Ted Cruz"


def test_this_reporter_is_the_unnamed_writer(extractor):
    text = "Ray Halbritter led the campaign. As this reporter revealed, Halbritter is not a member of the tribe."
    q = by_mention(extractor.extract(text, "tr"), "this reporter")
    assert q.speaker is None and q.speaker_type == "unnamed"


def test_party_state_tag_gives_the_state_of_a_role(extractor):
    text = (
        "Sen. Ann Cole, D-Ohio, spoke first. Sen. Marco Rubio, R-Fla., spoke on Fox News on Monday.\n\n"
        "Sen. Ann Cole then spoke again.\n\n"
        "\u201cThe speech will not calm anyone,\u201d the Florida senator said."
    )
    assert by_mention(extractor.extract(text, "st"), "the Florida senator").speaker == "Marco Rubio"


def test_the_poll_is_the_one_released_earlier_by_a_named_group(extractor):
    text = (
        "Trump lost ground in Florida, according to a poll of 400 voters released on Friday by Latino Decisions.\n\n"
        "The race is close.\n\nThe governor spoke on Monday.\n\n"
        "Cuban Americans, 82 percent of whom view Trump unfavorably according to the poll, matter a great deal."
    )
    quotes = extractor.extract(text, "pl")
    assert by_mention(quotes, "the poll").speaker == "Latino Decisions"


def test_headline_surname_tagged_as_a_noun_is_the_person_named_in_full(extractor):
    text = (
        "Sanders: Endorsements prove Clinton 'candidate of the establishment.'\n\n"
        "Bernie Sanders on Sunday said the endorsements show she is the candidate of the establishment."
    )
    q = next(q for q in extractor.extract(text, "hs") if q.cue == ":")
    assert q.speaker == "Bernie Sanders"
