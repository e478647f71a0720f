"""Shapes that need the surrounding text: parenthetical cues, quotes without a cue of their own,
lead-ins ending in a colon, and pronouns or role nouns resolved by gender and by the article's names.
Sentences written for these tests."""

from __future__ import annotations


def quotes_in(extractor, text):
    quotes = extractor.extract(text, "t")
    for q in quotes:
        assert text[q.start : q.end] == q.text
        for a, b in q.spans:
            assert 0 <= a < b <= len(text)
    return quotes


def covering(quotes, text, fragment):
    """The one quote whose spans cover `fragment`."""
    start = text.index(fragment)
    found = [q for q in quotes if any(a <= start and start + len(fragment) <= b for a, b in q.spans)]
    assert len(found) == 1, [(q.type, q.text, q.spans, q.speaker_mention) for q in quotes]
    return found[0]


def test_parenthetical_cue_splits_the_content(extractor):
    text = "In any case, the mayor said, the bridge was never safe for heavy trucks."
    q = covering(quotes_in(extractor, text), text, "the bridge was never safe")
    assert q.speaker_mention == "the mayor" and q.cue == "said"
    pieces = [text[a:b] for a, b in q.spans]
    assert pieces[0].startswith("In any case") and pieces[-1].startswith("the bridge was never safe")
    assert all("mayor" not in p for p in pieces)


def test_comma_parenthetical_the_parser_hung_a_clause_on(extractor):
    # the parser makes "If the city can build a tunnel" a clause of "observed": the parenthesis is still
    # only "Mayor Tom Reed observed this week", and the content both sides of it
    text = (
        "If the city can build a tunnel, Mayor Tom Reed observed this week, without federal money, "
        "then it can build a bridge."
    )
    q = covering(quotes_in(extractor, text), text, "then it can build a bridge")
    assert q.cue == "observed" and q.speaker == "Tom Reed"
    pieces = [text[a:b] for a, b in q.spans]
    assert pieces == ["If the city can build a tunnel", "without federal money, then it can build a bridge"]


def test_comma_parenthetical_needs_content_before_it(extractor):
    text = "Tomorrow, Mayor Tom Reed observed, without a word."
    assert [q for q in quotes_in(extractor, text) if q.cue == "observed"] == []


def test_as_clause_headed_by_the_verb_the_cue_completes(extractor):
    text = "The plan is already dead, as some council members have taken to saying."
    q = covering(quotes_in(extractor, text), text, "The plan is already dead")
    assert q.cue == "saying" and q.speaker_mention == "some council members" and q.speaker is None


def test_by_saying_that_takes_the_subject_of_the_verb_it_modifies(extractor):
    text = "Senator Ruth Ames defended the vote by saying that the bill would cut costs."
    q = covering(quotes_in(extractor, text), text, "the bill would cut costs")
    assert q.cue == "saying" and q.speaker == "Ruth Ames"


def test_reported_speech_made_mostly_of_a_quotation_is_kept_as_mixed(extractor):
    text = "The department said it will “be adding the missing records in January and be done by the end of March.”"
    q = covering(quotes_in(extractor, text), text, "be adding the missing records")
    assert q.type == "mixed" and q.speaker_mention == "The department"
    assert q.text.startswith("it will")


def test_relative_clause_between_quote_and_cue(extractor):
    text = "“He is not fit to run this country,” Mr. Lopez, who is an actor, said of the candidate."
    q = covering(quotes_in(extractor, text), text, "He is not fit")
    assert q.type == "direct" and q.cue == "said"
    assert q.speaker_mention.startswith("Mr. Lopez") and q.speaker == "Lopez"


def test_colon_lead_in_without_a_reporting_verb(extractor):
    text = (
        "The senator was asked about the vote.\n\nContinued Baxter:\n\n“I think the stakes are very high for everyone.”"
    )
    q = covering(quotes_in(extractor, text), text, "I think the stakes")
    assert q.speaker_mention == "Baxter" and q.cue is None


def test_cueless_quote_borrows_the_nearest_earlier_speaker(extractor):
    text = (
        "Councilwoman Rita Gomez said on Monday that taxes would have to rise next year.\n\n"
        "“We have no choice left, and everyone in this city knows it.”"
    )
    quotes = quotes_in(extractor, text)
    q = covering(quotes, text, "We have no choice left")
    assert q.cue is None and q.speaker_mention == "Councilwoman Rita Gomez" and q.speaker == "Rita Gomez"
    assert q.confidence < 0.6  # borrowed, so marked as less certain than a cued quote


def test_pronoun_skips_a_person_of_the_other_gender(extractor):
    text = (
        "Anna Ruiz said the deal was far from done. Mark Olsen, her rival, disagreed on Tuesday.\n\n"
        "“We are nowhere near an agreement,” she said."
    )
    q = covering(quotes_in(extractor, text), text, "We are nowhere near")
    assert q.speaker_mention == "she" and q.speaker == "Anna Ruiz"
    text = text.replace("she said", "he said")
    q = covering(quotes_in(extractor, text), text, "We are nowhere near")
    assert q.speaker_mention == "he" and q.speaker == "Mark Olsen"


def test_honorific_gives_the_gender(extractor):
    text = (
        "Mrs. Kowalczyk told the committee the plan had failed. Mr. Brandt then spoke for an hour.\n\n"
        "“Nobody read the report before the vote,” she said."
    )
    q = covering(quotes_in(extractor, text), text, "Nobody read the report")
    assert q.speaker == "Kowalczyk"


def test_generic_organisation_noun_resolves_to_the_named_organisation(extractor):
    text = (
        "The Congressional Budget Office published its forecast on Monday.\n\n"
        "Deficits will rise after 2018, the agency said in the report."
    )
    q = covering(quotes_in(extractor, text), text, "Deficits will rise")
    assert q.speaker_mention == "the agency"
    assert q.speaker_type == "organization" and q.speaker == "Congressional Budget Office"


def test_trailing_cue_the_parser_hung_on_a_noun(extractor):
    text = "Eighty percent of the voters have an unfavorable view of the mayor, the poll found."
    q = covering(quotes_in(extractor, text), text, "Eighty percent of the voters")
    assert q.cue == "found" and q.speaker_mention == "the poll"
    assert [text[a:b] for a, b in q.spans] == ["Eighty percent of the voters have an unfavorable view of the mayor"]


def test_parenthesis_after_one_word_when_a_clause_follows(extractor):
    text = "Overall, she said, a number of key groups are finding themselves alienated by the party."
    q = covering(quotes_in(extractor, text), text, "a number of key groups")
    assert q.cue == "said" and q.speaker_mention == "she"
    # "finding themselves alienated" is a small clause, not a second attribution inside the first
    assert [p.cue for p in quotes_in(extractor, text)] == ["said"]


def test_a_poll_showing_someone_leading_is_its_finding(extractor):
    text = "The latest Reuters/Ipsos poll showed the mayor leading the field with 31 percent."
    q = covering(quotes_in(extractor, text), text, "the mayor leading the field")
    assert q.cue == "showed" and q.speaker == "Reuters/Ipsos"
