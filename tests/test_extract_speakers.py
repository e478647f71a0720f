"""Speaker resolution: pronouns, surnames and role nouns resolve to the fullest name; unknowns stay None."""

from __future__ import annotations

import pytest
from omegaconf import OmegaConf

from stance.config import CONF_DIR
from stance.extract.pipeline import build_extractor


@pytest.fixture(scope="session")
def extractor():
    return build_extractor(OmegaConf.load(CONF_DIR / "extract" / "default.yaml"))


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
