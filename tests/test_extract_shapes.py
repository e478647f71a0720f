"""Every quote shape the extractor handles, on short sentences written for these tests."""

from __future__ import annotations

import pytest


def run(extractor, text):
    quotes = extractor.extract(text, "t")
    for q in quotes:
        assert text[q.start : q.end] == q.text
    return quotes


def only(quotes, **want):
    found = [q for q in quotes if all(getattr(q, k) == v for k, v in want.items())]
    assert len(found) == 1, [(q.type, q.text, q.speaker_mention) for q in quotes]
    return found[0]


def test_direct_attribution_after(extractor):
    q = only(run(extractor, '"The bridge is safe," Mayor Jane Doe said on Monday.'), type="direct")
    assert q.text == '"The bridge is safe,"'
    assert (q.cue, q.speaker_mention, q.speaker) == ("said", "Mayor Jane Doe", "Jane Doe")


def test_direct_curly_attribution_before_with_colon(extractor):
    text = "The minister told reporters: “We will not raise taxes this year.”"
    q = only(run(extractor, text), type="direct")
    assert q.text == "“We will not raise taxes this year.”"
    assert q.cue == "told" and q.speaker_mention == "The minister"


def test_split_quote_is_one_record_with_two_spans(extractor):
    text = "“We are ready,” she said. “Everything is prepared.”"
    q = only(run(extractor, text), type="direct")
    assert [text[a:b] for a, b in q.spans] == ["“We are ready,”", "“Everything is prepared.”"]
    assert q.speaker_mention == "she"


def test_quote_over_two_paragraphs(extractor):
    text = "Anna Berg said: “The first thing is the money.\n\n“The second thing is time.”"
    q = only(run(extractor, text), type="direct")
    assert len(q.spans) == 2 and q.paragraph == 0
    assert text[q.spans[1][0] : q.spans[1][1]] == "“The second thing is time.”"
    assert q.speaker == "Anna Berg"


@pytest.mark.parametrize(
    ("text", "content", "cue", "speaker"),
    [
        (
            "Senator Ruth Ames said that the bill would fail in the House.",
            "the bill would fail in the House",
            "said",
            "Ruth Ames",
        ),
        (
            "Farmer Tom Reed told reporters the harvest was the worst in years.",
            "the harvest was the worst in years",
            "told",
            "Tom Reed",
        ),
        (
            "Union leader Maria Gomez warned that the strike could last for weeks.",
            "the strike could last for weeks",
            "warned",
            "Maria Gomez",
        ),
        (
            "Coach Bill Hart insisted his team had played a fair game.",
            "his team had played a fair game",
            "insisted",
            "Bill Hart",
        ),
        ("Officials argued that the new road would cut traffic.", "the new road would cut traffic", "argued", None),
    ],
)
def test_indirect_speech_with_reporting_verbs(extractor, text, content, cue, speaker):
    q = only(run(extractor, text), type="indirect")
    assert q.text == content and q.cue == cue
    if speaker is not None:
        assert q.speaker == speaker


def test_accused_of_and_dismissed_as(extractor):
    quotes = run(extractor, "Activist Lena Park accused the company of hiding the leak.")
    q = only(quotes, cue="accused")
    assert q.text == "the company of hiding the leak" and q.speaker == "Lena Park"
    quotes = run(extractor, "Director Sam Cole dismissed the report as pure speculation.")
    assert only(quotes, cue="dismissed").text == "the report as pure speculation"


def test_according_to(extractor):
    q = only(run(extractor, "According to the health ministry, 40 people were hurt in the fire."), type="indirect")
    assert q.text == "40 people were hurt in the fire"
    assert q.cue == "According to" and q.speaker_mention == "the health ministry"
    assert q.speaker_type == "organization"


def test_colon_lead_in_without_marks(extractor):
    q = only(run(extractor, "The governor said: the roads will stay closed until Friday."), cue="said")
    assert q.text.startswith("the roads will stay closed")


def test_mixed_quote(extractor):
    text = 'Critics called the plan "a disaster for farmers."'
    q = only(run(extractor, text), type="mixed")
    assert '"a disaster for farmers."' in q.text and q.speaker_mention == "Critics"


def test_document_and_organisation_speakers(extractor):
    q = only(run(extractor, "The letter reads: “We will not comply with the order.”"), type="direct")
    assert q.speaker_type == "document" and q.speaker_mention == "The letter"
    q = only(run(extractor, "The embassy said in a post that the visit was cancelled."), cue="said")
    assert q.speaker_type == "organization" and q.text == "the visit was cancelled"
    q = only(run(extractor, "A statement said the talks had ended without a deal."), cue="said")
    assert q.speaker_type == "document"


@pytest.mark.parametrize(
    "text",
    [
        "The so-called “reform” was passed on Tuesday by the council.",
        "She starred in “The Long Road Home” last year.",
        "Photo: John Smith / Reuters",
        "Share | Tweet | Email | Print",
        "Jane Doe could not be reached for comment.",
        "A spokesman declined to comment on the case.",
    ],
)
def test_not_quotes(extractor, text):
    assert run(extractor, text) == []


def test_unbalanced_mark_does_not_swallow_the_article(extractor):
    text = (
        "He said “this quote never closes and rambles on.\n\n"
        "Police chief Omar Diaz said the road was clear.\n\n"
        "“Drive carefully,” Diaz added."
    )
    quotes = run(extractor, text)
    assert any(q.text == "the road was clear" for q in quotes)
    direct = only(quotes, type="direct")
    assert direct.text == "“Drive carefully,”" and direct.speaker == "Omar Diaz"
    first_break = text.index("\n\n")
    assert all(q.end <= first_break or q.start > first_break for q in quotes)  # nothing runs past the paragraph


def test_extract_many_matches_extract(extractor):
    arts = [("a", "“It works,” Ben Ode said."), ("b", "Kim Lee said the vote was close."), ("c", "   ")]
    many = dict(extractor.extract_many(arts))
    assert many["c"] == []
    for aid, text in arts[:2]:
        assert [q.to_dict() for q in many[aid]] == [q.to_dict() for q in extractor.extract(text, aid)]


def test_quote_signed_with_a_dash_and_a_name_on_its_line(extractor):
    text = (
        "Readers sent us their reactions.\n"
        "“The debate was a waste of an evening for everyone.” ― Maria Tovar\n"
        "“I learned nothing new about the candidates tonight.”\u00a0―\u00a0Peter J. Lund.\n"
    )
    quotes = run(extractor, text)
    first = only(quotes, speaker_mention="Maria Tovar")
    assert first.type == "direct" and first.cue == "―" and first.text.startswith("“The debate")
    second = only(quotes, speaker_mention="Peter J. Lund")
    assert second.text == "“I learned nothing new about the candidates tonight.”"


def test_dash_before_a_lower_case_phrase_is_not_a_byline(extractor):
    text = "“We will see what happens next week.” ― perhaps not.\n"
    assert not [q for q in run(extractor, text) if q.cue == "―"]


def test_one_word_quote_with_its_own_cue_after_it(extractor):
    q = only(run(extractor, 'The crowd roared at the rally.\n\n"Unbelievable," Senator Ana Ruiz said.'), type="direct")
    assert q.text == '"Unbelievable,"' and q.speaker == "Ana Ruiz"


@pytest.mark.parametrize(
    ("text", "content", "cue", "speaker"),
    [
        # a stance verb with a plain object: the object is the target of the stated position
        ("On Monday, Governor Lena Park criticized the toll plan.", "the toll plan", "criticized", "Lena Park"),
        ("The union also endorsed Maria Gomez.", "Maria Gomez", "endorsed", "The union"),
        # the subject of a verb it governs ("refused to endorse") speaks through it
        ("Senator Ruth Ames refused to endorse the treaty.", "the treaty", "endorse", "Ruth Ames"),
        # a prepositional object of a position verb
        ("Mayor Tom Reed talked about the flood defences at length.", "the flood defences", "talked", "Tom Reed"),
        ("The council pushed for a new vote on the budget.", "a new vote on the budget", "pushed", "The council"),
        # a verb outside the word lists, with a person subject and a clause
        ("Senator Ruth Ames reasoned that the vote would fail.", "the vote would fail", "reasoned", "Ruth Ames"),
        ("The coach bet the team would win the cup.", "the team would win the cup", "bet", "The coach"),
        # dismissive and comparing verbs with a plain object
        (
            "Joe Biden rubbished Trump's claim to understand the middle class.",
            "Trump's claim to understand the middle class",
            "rubbished",
            "Joe Biden",
        ),
        # "reference X as Y" describes X; "surmise" reports like "say"
        (
            "Governor Ann Cole referenced the new tax as a clear sign of waste.",
            "the new tax",
            "referenced",
            "Ann Cole",
        ),  # fmt: skip
        # a generic group holds a position too (it names no one, so the speaker stays empty)
        ("Critics compared the mayor's plan to a bad bet.", "the mayor's plan to a bad bet", "compared", None),
        (
            "The new ad contrasts the mayor's record with the governor's.",
            "the mayor's record with the governor's",
            "contrasts",
            None,
        ),  # fmt: skip
        # a person named by a newsroom role noun holds a position
        (
            "The journalist expressed deep concern over the new rules.",
            "deep concern over the new rules",
            "expressed",
            "The journalist",
        ),  # fmt: skip
        # the parser splits "Trump's claim" into two objects: the position keeps both
        ("Biden rubbished Trump's claim.", "Trump's claim", "rubbished", "Biden"),
        (
            "Minister Ana Ruiz downplayed the criticism from abroad.",
            "the criticism from abroad",
            "downplayed",
            "Ana Ruiz",
        ),
        (
            "Judge Rebecca Bradley compared abortion to the Holocaust.",
            "abortion to the Holocaust",
            "compared",
            "Rebecca Bradley",
        ),
    ],
)
def test_open_cues_find_stated_positions(extractor, text, content, cue, speaker):
    q = only(run(extractor, text), type="indirect")
    assert q.text == content and (speaker in (q.speaker, q.speaker_mention) if speaker else q.speaker is None)
    assert q.cue.endswith(cue)


@pytest.mark.parametrize(
    "text",
    [
        "The storm criticized nothing and damaged the roof.",  # no person, group or document subject
        "It seems that the bridge will open in May.",  # seem never reports a position
        "A group that backs the mayor opened an office.",  # a relative clause describes, it does not report
        "The report is on the desk.",
    ],
)
def test_open_cues_leave_descriptions_alone(extractor, text):
    assert [q for q in run(extractor, text) if q.type == "indirect"] == []


def test_open_cues_can_be_switched_off():
    from stance.extract.rules import RuleExtractor

    assert RuleExtractor(open_cues=False).open_cues is False


@pytest.mark.parametrize(
    ("text", "content", "speaker"),
    [
        # phrasal dismissals: the parser hangs the object on the particle ("off" as a particle or a preposition)
        ("The White House waved off the criticism as old news.", "the criticism as old news", "White House"),
        ("For now, the ministry waves off the delay as having minimal impact.", "the delay as having minimal impact", None),
        ("Senator Ruth Ames shrugged off the poll.", "the poll", "Ruth Ames"),
        ("Ana Ruiz laughed off the suggestion that she would quit.", "the suggestion that she would quit", "Ana Ruiz"),
    ],
)  # fmt: skip
def test_phrasal_dismissals_are_stated_positions(extractor, text, content, speaker):
    q = only(run(extractor, text), type="indirect")
    assert q.text == content
    assert q.speaker == speaker


@pytest.mark.parametrize("text", ["She waved at the crowd.", "He waved to reporters as he left the court."])
def test_a_wave_without_its_particle_reports_nothing(extractor, text):
    assert [q for q in run(extractor, text) if q.type == "indirect"] == []


def test_headline_name_colon_is_an_attribution(extractor):
    text = "Maria Lopez: The Budget Deal Is a Betrayal of Workers\n\nThe council met on Monday."
    q = only(run(extractor, text), cue=":")
    assert q.text == "The Budget Deal Is a Betrayal of Workers"
    assert q.speaker_mention == "Maria Lopez" and q.type == "indirect"


def test_transcript_line_of_a_person_named_earlier_is_an_attribution(extractor):
    # the model tags no entity in "Matthews:" at a line start; the article named him before
    text = "The panel was led by Chris Matthews.\n\nMatthews: Well, speculation is bad for everyone.\n\nIt ended."
    q = only(run(extractor, text), cue=":")
    assert q.text == "Well, speculation is bad for everyone." and q.speaker_mention == "Matthews"
    assert q.speaker == "Chris Matthews"


@pytest.mark.parametrize(
    "text",
    [
        "UPDATE: the vote was delayed until Friday.",  # not a name
        "11:50 a.m.: The senator arrived.",  # a time stamp
        "Maria Lopez: The Budget Deal Is a Betrayal of Workers, and the union said so in a long letter to the "
        "council that ran to many pages and covered many other matters besides the budget itself.",  # body text
    ],
)
def test_colon_lines_that_are_not_headline_quotes(extractor, text):
    assert [q for q in run(extractor, text) if q.cue == ":"] == []


def test_unnamed_question_has_no_speaker(extractor):
    text = "Asked whether he would run again, the mayor smiled."
    q = only(run(extractor, text), cue="Asked")
    assert q.text == "whether he would run again"
    assert q.speaker is None and q.speaker_mention is None


def test_intention_verb_takes_its_infinitive(extractor):
    text = "The aide declined to specify the nature of those talks."
    q = only(run(extractor, text), type="indirect")
    assert q.text == "to specify the nature of those talks" and q.speaker_mention == "The aide"


def test_framing_clause_after_a_comma_is_not_content(extractor):
    text = "Senator Ruth Ames insisted that the wall would be built, despite critics of its cost."
    q = only(run(extractor, text), type="indirect")
    assert q.text == "the wall would be built"


def test_name_colon_lead_in_names_the_speaker_of_a_direct_quote(extractor):
    text = "The polls were wrong again - Carl Bialik: “One of the biggest lessons was a simple one.”"
    q = only(run(extractor, text), type="direct")
    assert q.speaker_mention == "Carl Bialik" and q.cue == ":"


def test_speaker_the_parser_left_unattached_is_found_before_the_verb(extractor):
    text = (
        "But in a conference call on Dec. 2, Col. Steven H. Warren, a military spokesman in Baghdad, said, "
        "''I mean, a raid is a combat operation.''"
    )
    q = only(run(extractor, text), type="direct")
    assert q.cue == "said" and q.speaker_mention.startswith("Col. Steven H. Warren")


def test_nested_attribution_keeps_both_records(extractor):
    text = "Senator Ruth Ames said that the mayor claimed the bridge was safe."
    quotes = [q for q in run(extractor, text) if q.type == "indirect"]
    by_cue = {q.cue: q for q in quotes}
    assert set(by_cue) == {"said", "claimed"}, [(q.cue, q.text) for q in quotes]
    assert by_cue["said"].text == "the mayor claimed the bridge was safe"
    assert by_cue["claimed"].text == "the bridge was safe" and by_cue["claimed"].speaker_mention == "the mayor"


def test_nested_off_keeps_only_the_outer_record():
    from omegaconf import OmegaConf

    from stance.config import CONF_DIR
    from stance.extract.pipeline import build_extractor

    cfg = OmegaConf.load(CONF_DIR / "extract" / "default.yaml")
    cfg.extractor.nested = False
    quotes = build_extractor(cfg).extract("Senator Ruth Ames said that the mayor claimed the bridge was safe.", "t")
    assert [q.cue for q in quotes if q.type == "indirect"] == ["said"]


@pytest.mark.parametrize(
    ("text", "content", "cue", "speaker"),
    [
        ("Mayor Tom Reed's claim that the bridge was safe drew scorn.", "the bridge was safe", "claim", "Tom Reed"),
        ("Her call for a recount was rejected by the board.", "a recount", "call", "Her"),
    ],
)
def test_claim_nouns_owned_by_their_possessor(extractor, text, content, cue, speaker):
    q = only(run(extractor, text), cue=cue)
    assert q.text == content and speaker in (q.speaker, q.speaker_mention)


def test_claim_noun_without_an_owner_is_not_an_attribution(extractor):
    assert [q for q in run(extractor, "The claim that the bridge was safe drew scorn.") if q.cue == "claim"] == []


def test_a_word_of_the_quote_is_never_its_speaker(extractor):
    text = '"Meh," wrote a supporter who runs the account. "What else is new?"'
    q = only(run(extractor, text), type="direct")
    assert q.speaker_mention is not None and "supporter" in q.speaker_mention
    assert not any(a <= q.speaker_start < b for a, b in q.spans or [(q.start, q.end)])


def test_adjective_before_the_speaker_does_not_hide_the_cue(extractor):
    text = '"From day one, I made water the top priority," the bespectacled, 71-year-old diplomat said.'
    q = only(run(extractor, text), type="direct")
    assert q.cue == "said" and q.speaker_mention.endswith("diplomat")


def test_reported_speech_stops_at_a_sentence_end_the_parser_missed(extractor):
    text = (
        "In response, the company said it investigated the threats. "
        "''Violent threats deserve no place on our site,'' the company said."
    )
    quotes = run(extractor, text)
    q = only(quotes, type="indirect")
    assert q.text == "it investigated the threats"
    only(quotes, type="direct")


def test_reported_speech_before_a_direct_quote_keeps_its_own_part(extractor):
    text = "Pence said in politics it takes time to build trust but added, “I strongly support Paul Ryan.”"
    quotes = run(extractor, text)
    assert only(quotes, type="indirect").text == "it takes time to build trust"
    assert only(quotes, type="direct").speaker_mention == "Pence"


@pytest.mark.parametrize(
    ("text", "content"),
    [
        (
            "Canova keeps posting because it is paying off: He said he has raised $100,000 in three days.",
            "he has raised $100,000 in three days",
        ),
        (
            "Voters were worried about the economy; most said they were very worried about jobs.",
            "they were very worried about jobs",
        ),
    ],
)
def test_clause_before_a_colon_is_not_the_cues_content(extractor, text, content):
    q = only(run(extractor, text), type="indirect")
    assert q.text == content and q.cue == "said"


def test_say_with_a_misparsed_object_takes_the_whole_clause(extractor):
    text = "Geoff Garin, a pollster, said his focus groups and other research show that her positions resonate."
    q = only(run(extractor, text), type="indirect")
    assert q.text.startswith("his focus groups") and q.speaker == "Geoff Garin"


@pytest.mark.parametrize("text", ["He said nothing about the plan.", "She said a prayer before she left."])
def test_say_with_a_real_object_is_not_a_quote(extractor, text):
    assert run(extractor, text) == []


def test_according_to_around_another_attribution_keeps_both(extractor):
    text = "Police have said they have no plans to release the recordings, according to attorneys for the family."
    quotes = run(extractor, text)
    inner = only(quotes, speaker_mention="Police")
    assert inner.text == "they have no plans to release the recordings"
    outer = only(quotes, speaker_mention="attorneys for the family")
    assert outer.text.startswith("Police have said")


def test_inner_content_ends_before_a_trailing_outer_cue(extractor):
    text = "Clinton had told police officials that she did not want the escort at all, the source added."
    quotes = run(extractor, text)
    assert only(quotes, cue="had told").text == "she did not want the escort at all"
    assert only(quotes, cue="added").speaker_mention == "the source"


def test_dateline_dash_is_not_a_cue(extractor):
    text = "WASHINGTON ― Donald Trump’s obsession with the birth certificate is an insult, top lawmakers said Friday."
    quotes = run(extractor, text)
    assert quotes and all(q.speaker_mention != "WASHINGTON" for q in quotes)


def test_as_x_reported_takes_the_clause_it_modifies(extractor):
    text = "As The Washington Post reported, Sanders would need 55 percent of the remaining delegates."
    q = only(run(extractor, text), cue="reported")
    assert q.speaker_mention == "The Washington Post"
    assert q.text == "Sanders would need 55 percent of the remaining delegates"


def test_headline_name_the_tagger_missed_is_named_in_the_body(extractor):
    text = (
        "Cruz: Trump Would Put Liberals On Court.\n\nRepublican candidate Ted Cruz said on Tuesday that he was worried."
    )
    q = only(run(extractor, text), cue=":")
    assert (q.speaker_mention, q.text) == ("Cruz", "Trump Would Put Liberals On Court.")


@pytest.mark.parametrize(
    ("text", "content", "speaker"),
    [
        (
            "Sanders has called for the secretary to release the transcripts of her speeches.",
            "the secretary to release the transcripts of her speeches",
            "Sanders",
        ),
        (
            "Trump repeatedly pointed out that the judge was a member of the group.",
            "the judge was a member of the group",
            "Trump",
        ),
        (
            "FBI officials were angered by the deal and predicted it would affect other cases.",
            "it would affect other cases",
            "FBI officials",
        ),
        (
            "Trump's campaign issued a statement saying it was postponing the rally.",
            "it was postponing the rally",
            "Trump's campaign",
        ),
    ],
)
def test_content_and_speaker_the_parse_leaves_apart(extractor, text, content, speaker):
    q = only(run(extractor, text), text=content)
    assert q.speaker_mention == speaker


def test_passive_question_has_no_speaker(extractor):
    q = only(run(extractor, "Sanders was asked about their case during an interview."), cue="was asked")
    assert (q.text, q.speaker) == ("their case", None)


def test_cue_after_a_long_speaker_description(extractor):
    text = (
        "''It has the virtue of being fiscally responsible,'' Leonard E. Burman, director of the "
        "centrist Urban-Brookings Tax Policy Center and a professor at the Maxwell School, said of the plan."
    )
    q = only(run(extractor, text), type="direct")
    assert q.cue == "said" and q.speaker == "Leonard E. Burman"


def test_direct_only_mode_keeps_a_quote_inside_its_marks():
    """`indirect=false` is textacy's task: quotation marks only, so no mixed extension past the marks."""
    from omegaconf import OmegaConf

    from stance.config import CONF_DIR
    from stance.extract.pipeline import build_extractor

    text = 'The mayor said "the bridge is safe" because engineers checked it last week.'
    cfg = OmegaConf.load(CONF_DIR / "extract" / "default.yaml")
    full = build_extractor(cfg)
    assert [q.type for q in full.extract(text, "t")] == ["mixed"]
    cfg.extractor.indirect = False
    quotes = build_extractor(cfg, nlp=full.nlp).extract(text, "t")
    assert [(q.type, q.text, q.speaker_mention) for q in quotes] == [("direct", '"the bridge is safe"', "The mayor")]


def test_according_to_does_not_reach_past_a_new_clause(extractor):
    text = "Clinton leads Sanders by 271 delegates according to a count by The Associated Press, but the senator vows to fight."
    q = only(run(extractor, text), cue="according to")
    assert q.text == "Clinton leads Sanders by 271 delegates"


@pytest.mark.parametrize(
    ("text", "content", "speaker"),
    [
        (
            "The poll showed Mr. Trump losing supporters after the debate.",
            "Mr. Trump losing supporters after the debate",
            "The poll",
        ),
        ("But the survey shows only a small gender gap.", "only a small gender gap", "the survey"),
        ("The report found no evidence of wrongdoing.", "no evidence of wrongdoing", "The report"),
    ],
)
def test_what_a_poll_or_record_shows_is_its_finding(extractor, text, content, speaker):
    q = only(run(extractor, text), text=content)
    assert q.speaker_mention == speaker and q.speaker_type == "document"


def test_a_policy_that_shows_something_is_not_a_finding(extractor):
    assert run(extractor, "The new policy shows no sign of change for the rest of his term.") == []


def test_passive_stance_verb_with_its_agent_named(extractor):
    text = "The mayor has been criticized by some of his rivals for skipping the town meetings."
    q = only(run(extractor, text), type="indirect")
    assert q.speaker_mention == "some of his rivals" and q.cue.endswith("criticized")
    assert [text[a:b] for a, b in q.spans] == ["The mayor", "for skipping the town meetings"]


@pytest.mark.parametrize(
    "text",
    [
        "The bridge was damaged by the storm for weeks.",  # not a stance verb
        "The mayor was criticized for skipping the meetings.",  # no one named who criticised
    ],
)
def test_passive_without_a_stance_verb_or_an_agent_is_not_a_quote(extractor, text):
    assert [q for q in run(extractor, text) if q.type == "indirect"] == []


def test_say_whose_object_the_parser_gave_a_relative_clause(extractor):
    text = "Devine said areas where the senator wants to see changes include the primaries."
    q = only(run(extractor, text), cue="said")
    assert q.text == "areas where the senator wants to see changes include the primaries"
    assert q.speaker_mention == "Devine"


@pytest.mark.parametrize(
    ("text", "content", "cue"),
    [
        (
            "The senator reported holding shares in two oil companies.",
            "holding shares in two oil companies",
            "reported",
        ),  # fmt: skip
        (
            "The high turnout was likely due to the new law, Manzano surmised.",
            "The high turnout was likely due to the new law",
            "surmised",
        ),  # fmt: skip
    ],
)
def test_gerund_and_trailing_report(extractor, text, content, cue):
    q = only(run(extractor, text), cue=cue)
    assert [text[a:b] for a, b in q.spans] == [content]


def test_manner_of_speaking_verb_after_a_direct_quote(extractor):
    text = "\u201cFrance will always be France,\u201d an angry Hollande retaliated."
    q = only(run(extractor, text), type="direct")
    assert q.cue == "retaliated" and q.speaker_mention == "an angry Hollande"
