"""The pipeline's speaker pass: one speaker_id per person across the run's articles, and tallies keyed by it.

Which person a bare "Bush" is depends on every article of the run, so ids are given after the last article:
quotes stream into a scratch folder inside the output folder while the speaker names are collected; at the
end the names are merged (`stance.extract.speaker_merge`), the quote files are copied into the output folder
as temp files with a speaker_id per row, and the per-speaker tallies (speakers.csv, the report's chart) are
counted on the way, keyed by speaker_id and named by the speaker's one name. The scratch folder is removed
whether the run finishes or fails.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from stance.extract.speaker_merge import SpeakerIndex, SpeakerTable
from stance.extract.speaker_table import Staged, build_merger, write_speaker_ids
from stance.io import TableWriter
from stance.io.atomic import process_alive
from stance.report import QuoteSample, SpeakerTally

log = logging.getLogger(__name__)

_SCRATCH = ".stance-pipeline-"
_TALLY_COLUMNS = ["speaker", "speaker_type", "stance", "stance_score", "low_confidence", "quote_id", "text"]


class PipelineSpeakers:
    """Owns the scratch folder the quote files stream into and the names seen; `finish` stages the final files."""

    def __init__(self, out_dir: Path, extract_cfg: Any = None):
        self.out_dir = Path(out_dir)
        self.merger = build_merger(extract_cfg)
        self.index = SpeakerIndex()
        for stale in self.out_dir.glob(f"{_SCRATCH}*"):  # left by a run that was killed
            pid = stale.name[len(_SCRATCH) :].split("-")[0]
            if stale.is_dir() and pid.isdigit() and not process_alive(int(pid)):
                shutil.rmtree(stale, ignore_errors=True)
                log.warning("removed %s, left by process %s that no longer runs", stale, pid)
        self.scratch = Path(tempfile.mkdtemp(prefix=f"{_SCRATCH}{os.getpid()}-", dir=self.out_dir))
        self.writers: list[TableWriter] = []
        self.table: SpeakerTable | None = None

    def writer(self, name: str) -> TableWriter:
        """A quote file streamed into the scratch folder; `finish` puts it into the output folder with ids."""
        writer = TableWriter(self.scratch / name)
        self.writers.append(writer)
        return writer

    def observe(self, frame: pd.DataFrame) -> None:
        """Note the speakers of one chunk of quotes (columns of the Quote record)."""
        columns = ["article_id", "speaker", "speaker_type", "speaker_mention", "speaker_role"]
        for article_id, speaker, kind, mention, role in frame[columns].itertuples(index=False, name=None):
            self.index.observe(article_id, speaker, kind, mention, role)

    def finish(self, tally: SpeakerTally, sample: QuoteSample) -> list[Staged]:
        """Merge the speakers; copy each quote file into the output folder (staged) with a speaker_id per row,
        counting the first one into `tally`; give the report's sample its ids."""
        table = self.table = self.index.build(self.merger)

        def count(chunk: pd.DataFrame) -> None:
            names = [table.by_id[i]["canonical_name"] if isinstance(i, str) else None for i in chunk["speaker_id"]]
            tally.add(chunk.assign(speaker=[n if n else s for n, s in zip(names, chunk["speaker"])]))

        staged = []
        try:
            for n, writer in enumerate(self.writers):
                writer.commit()
                target = self.out_dir / writer.path.name
                staged.append(write_speaker_ids(writer.path, target, table, count if n == 0 else None, _TALLY_COLUMNS))
        except BaseException:
            for item in staged:
                item.abort()
            raise
        for item in sample.items():  # the sample holds references: the report sees the ids
            item["speaker_id"] = table.speaker_id(item.get("article_id"), item.get("speaker"), item.get("speaker_type"))
        return staged

    def details(self) -> dict[str, dict[str, Any]]:
        """speaker_id -> its row of the merged table (aliases, roles, articles) for speakers.csv."""
        return self.table.by_id if self.table is not None else {}

    def close(self) -> None:
        """Remove the scratch folder (and any writer's temp files in it)."""
        for writer in self.writers:
            writer.abort()
        shutil.rmtree(self.scratch, ignore_errors=True)
