"""Speaker resolution: pronouns, surnames and role nouns resolve to the fullest name; unknowns stay None."""

from __future__ import annotations


def by_cue(quotes, mention):
    found = [q for q in quotes if q.speaker_mention == mention]
    assert found, [(q.text, q.speaker_mention) for q in quotes]
    return found[0]


def test_pronoun_resolves_to_previous_speaker_with_role(extractor):
    text = 'Government spokesperson Phay Siphan said the election would be fair.\n\n"We are ready," he said.'
    quotes = extractor.extract(text, "a")
    first = by_cue(quotes, "Government spokesperson Phay Siphan")
    assert first.speaker == "Phay Siphan" and first.speaker_role == "Government spokesperson"
    assert first.speaker_type == "person"
    second = by_cue(quotes, "he")
    assert second.speaker == "Phay Siphan" and second.speaker_role == "Government spokesperson"
    assert text[second.speaker_start : second.speaker_end] == "he"


def test_surname_and_role_noun_resolve_to_full_name(extractor):
    text = (
        "Lawmaker Ali Eysan criticized the budget on Monday.\n\n"
        '"This is a mistake," Eysan said.\n\n'
        "Sen. Ruth Ames of Ohio also spoke. The senator said the plan would fail."
    )
    quotes = extractor.extract(text, "b")
    assert by_cue(quotes, "Eysan").speaker == "Ali Eysan"
    assert by_cue(quotes, "The senator").speaker == "Ruth Ames"


def test_unresolvable_speaker_is_none(extractor):
    quotes = extractor.extract("He said the deal was done.", "c")
    (q,) = quotes
    assert q.speaker_mention == "He" and q.speaker is None
    quotes = extractor.extract("The spokesman said the office was closed.", "d")
    (q,) = quotes
    assert q.speaker_mention == "The spokesman" and q.speaker is None


def test_surname_skips_a_later_full_name_of_the_other_gender(extractor):
    # "Mr. Halvorsen" is not "his wife, Karen Halvorsen": the surname goes to the full name whose first name fits
    text = (
        "Governor Halvorsen opened the session on Monday.\n\n"
        '"We will balance the budget," Mr. Halvorsen said.\n\n'
        "He was joined by his wife, Karen Halvorsen, and by aides.\n\n"
        'The governor said: "This is a good day."\n\n'
        "Supporters wore hats reading Thomas Halvorsen for Governor."
    )
    quotes = extractor.extract(text, "e")
    assert by_cue(quotes, "Mr. Halvorsen").speaker == "Thomas Halvorsen"
    assert by_cue(quotes, "The governor").speaker == "Thomas Halvorsen"


def test_object_pronoun_of_the_subjects_own_verb_does_not_set_its_gender(extractor):
    # "Okafor scolded him": him is someone else, so it must not make Okafor male
    text = 'Senator Claire Okafor scolded him at the hearing: "You misled the public," she said.'
    quotes = extractor.extract(text, "f")
    assert by_cue(quotes, "she").speaker == "Claire Okafor"


def test_name_with_a_who_clause_is_an_antecedent_for_a_pronoun(extractor):
    text = (
        "The plan would raise prices, said the economist Anna Brennan.\n\n"
        "It became an issue, with Maria Delgado — who has called for higher taxes — attacking the plan.\n\n"
        '"The plan would cut taxes for the rich," she said.'
    )
    quotes = extractor.extract(text, "g")
    assert by_cue(quotes, "she").speaker == "Maria Delgado"


def test_lone_surname_is_not_read_as_a_first_name_for_gender(extractor):
    # Warren is also a man's first name; alone it is Patricia Warren's surname here
    text = (
        "Sen. Patricia Warren questioned the bank's chief executive on Tuesday.\n\n"
        '"This just is not right," Warren said. The bank failed its workers, she said.'
    )
    quotes = extractor.extract(text, "h")
    assert by_cue(quotes, "she").speaker == "Patricia Warren"
