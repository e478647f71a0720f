"""Rule-based quote finder over a spaCy parse, one module per family of quotes it finds:

- `direct.py`: quotation marks, direct quotes and the mixed quotes that run on past the closing mark;
- `reported.py`: reported speech, a reporting verb and its clause or object ("X said that A");
- `leadins.py`: "according to X" and "Name: ..." headline lead-ins;
- `claim_nouns.py`: a claim noun and its possessor ("Trump's claim that A");
- `extractor.py`: `RuleExtractor`, which runs them in a fixed order, settles overlaps, and has
  `borrowing.py` fill in speakers for quotes with no cue;
- `common.py` and `cues.py`: what they share (token tests, trimming, a cue's speaker and its mention).

Why rules: they run at the speed of the parser, need no training data we may not redistribute,
and every decision can be traced to a word list in `stance.extract.lexicon`.
"""

from stance.extract.rules.common import Ranges
from stance.extract.rules.cues import cue_extent, subject_of
from stance.extract.rules.extractor import RuleExtractor

_Ranges = Ranges  # its name before the split (tests/test_extract_indexes.py)

__all__ = ["RuleExtractor", "cue_extent", "subject_of"]
