"""What an analyst reads after a pipeline run: per-speaker tallies, a bounded quote sample, the HTML page."""

from stance.report.html import render_report
from stance.report.sample import QuoteSample
from stance.report.speakers import UNRESOLVED, SpeakerTally

__all__ = ["UNRESOLVED", "QuoteSample", "SpeakerTally", "render_report"]
