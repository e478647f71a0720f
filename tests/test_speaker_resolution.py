"""Speaker resolution on hand-checked PolNeAR dev speakers (pronouns, bare surnames, role nouns).

tests/fixtures/polnear_speakers.jsonl is stand-off only: file name, the gold Source and Cue offsets,
the kind of mention and the full name the article gives for it, checked by hand. The article text
is read from ../shared/data/polnear (never copied here); the test is skipped when it is absent.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from stance.config import CONF_DIR
from stance.extract.evaluate import load_speaker_fixture, speaker_resolution

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "polnear_speakers.jsonl"
SHARED = Path(os.environ.get("STANCE_SHARED_DATA_DIR", ROOT.parent / "shared" / "data"))
TEXT_DIR = SHARED / "polnear" / "dev" / "text"
TARGET = 0.90

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not TEXT_DIR.is_dir(), reason=f"PolNeAR dev text not found at {TEXT_DIR}"),
]


def test_speaker_resolution_on_hand_checked_fixture() -> None:
    from stance.extract.pipeline import build_extractor

    rows = load_speaker_fixture(FIXTURE)
    files = sorted({row["file"] for row in rows})
    missing = [name for name in files if not (TEXT_DIR / name).is_file()]
    assert not missing, f"fixture articles missing from {TEXT_DIR}: {missing}"

    extractor = build_extractor(OmegaConf.load(CONF_DIR / "extract" / "default.yaml"))
    articles = ((Path(name).stem, (TEXT_DIR / name).read_text(encoding="utf-8")) for name in files)
    predictions = dict(extractor.extract_many(articles))

    result = speaker_resolution(rows, predictions)
    assert result["total"] == len(rows) and result["not_run"] == 0
    wrong = "\n".join(
        f"  line {e['line']} {e['file']} {e['kind']} {e['source']}: expected {e['expected']!r}, "
        f"got {e['predicted']!r} ({e['why']})"
        for e in result["errors"]
    )
    assert result["accuracy"] >= TARGET, (
        f"speaker resolution {result['right']}/{result['total']} = {result['accuracy']} < {TARGET}; "
        f"by kind {result['by_kind']}\n{wrong}"
    )
