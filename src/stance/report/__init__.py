"""What an analyst reads after a pipeline run: per-speaker tallies, a bounded quote sample, the HTML page."""

from stance.report.html import render_report
from stance.report.sample import QuoteSample
from stance.report.speakers import UNRESOLVED, SpeakerTally, csv_safe

__all__ = ["UNRESOLVED", "QuoteSample", "SpeakerTally", "csv_safe", "render_report"]
