"""Read a PolNeAR-format folder (brat standoff) into articles and gold attributions.

The evaluator scores extracted quotes against these. A folder holds `text/<name>.txt` and
`attributions/<name>_<annotator>.ann`; where an article has several annotators, the alphabetically
first `.ann` is used (the rule SOURCE.md uses for its counts). `Discuss` and `Discard` spans are
annotator flags and are ignored. The corpus text is never copied anywhere: it is read from the folder.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from stance.io.tables import TableError

log = logging.getLogger(__name__)

Fragments = list[tuple[int, int]]

# Double quotation marks in any style, plus curly single quotes (headlines often quote with them).
# A lone straight apostrophe is left out (in news text it is nearly always an apostrophe), but a
# doubled one ('') is a mark: NYT texts in PolNeAR quote with it.
QUOTE_CHARS = frozenset('"“”„‟«»‘’‛')
_TRAILING = " \t\r\n.,;:!?—–-…)"
_SPAN_LABELS = {"Source", "Cue", "Content", "Attribution", "Attribution-no-source"}
_IGNORED_LABELS = {"Discuss", "Discard"}
_RELATION_LABELS = {"Attribution", "Attribution-no-source"}


class AnnotationError(TableError):
    """A malformed PolNeAR annotation file, naming the file, the line and the field."""


@dataclass
class GoldAttribution:
    """One attribution relation: content (maybe discontinuous), cue and, when annotated, source."""

    relation_id: str
    content: Fragments
    cue: Fragments = field(default_factory=list)
    source: Fragments | None = None
    direct: bool = False
    swapped: bool = False  # Source and Cue labels were read swapped back (see `_labels_swapped`)

    @property
    def content_start(self) -> int:
        return self.content[0][0]

    @property
    def content_end(self) -> int:
        return self.content[-1][1]


@dataclass
class PolnearArticle:
    """One article's text and its gold attributions from one annotator."""

    article_id: str
    text_path: Path
    ann_path: Path | None
    text: str
    attributions: list[GoldAttribution]

    @property
    def file(self) -> str:
        return self.text_path.name


def merge_fragments(fragments: Fragments) -> Fragments:
    """Sort and merge overlapping or touching fragments, so lengths and overlaps are not double counted."""
    merged: Fragments = []
    for start, end in sorted((s, e) for s, e in fragments if e > s):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Trim surrounding whitespace and trailing punctuation from text[start:end]."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1] in _TRAILING:
        end -= 1
    return start, end


def is_direct(text: str, content: Fragments) -> bool:
    """A gold content is direct when it is a quotation in marks.

    Either the content (first fragment start to last fragment end), with whitespace and trailing
    punctuation trimmed, starts with a quotation mark and ends with one; or it is wholly enclosed in
    marks: the nearest non-space character before it is a mark, and after it, skipping punctuation
    and spaces on the same line, the next character is a mark.
    """
    if not content:
        return False
    start, end = _strip_span(text, content[0][0], content[-1][1])
    if end - start < 2:
        return False
    if _mark_at(text, start) and _mark_before(text, end):
        return True
    before = start
    while before > 0 and text[before - 1] in " \t":
        before -= 1
    after = end
    while after < len(text) and text[after] in _TRAILING and text[after] not in "\r\n":
        after += 1
    return _mark_before(text, before) and _mark_at(text, after)


def _mark_at(text: str, i: int) -> bool:
    """A quotation mark starts at i (a double straight apostrophe '' counts, as in NYT text)."""
    return i < len(text) and (text[i] in QUOTE_CHARS or text.startswith("''", i))


def _mark_before(text: str, i: int) -> bool:
    """A quotation mark ends just before i."""
    return i > 0 and (text[i - 1] in QUOTE_CHARS or (i > 1 and text[i - 2 : i] == "''"))


_SPAN_RE = re.compile(r"^(\d+) (\d+)$")


def _parse_fragments(spec: str, path: Path, lineno: int, text_len: int) -> Fragments:
    fragments: Fragments = []
    for part in spec.split(";"):
        m = _SPAN_RE.match(part.strip())
        if not m:
            raise AnnotationError(path, f"bad offsets '{spec}', expected 'start end[;start end...]'", lineno, "offsets")
        start, end = int(m.group(1)), int(m.group(2))
        if not 0 <= start <= end <= text_len:
            raise AnnotationError(
                path, f"offsets {start}-{end} fall outside the text (length {text_len})", lineno, "offsets"
            )
        fragments.append((start, end))
    return fragments


def read_ann(path: str | os.PathLike, text: str) -> list[GoldAttribution]:
    """Parse one brat `.ann` file against its article text into attribution relations."""
    path = Path(path)
    spans: dict[str, tuple[str, Fragments]] = {}
    relations: list[tuple[int, str, list[str]]] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as err:
        raise AnnotationError(path, f"not UTF-8 text ({err.reason} at byte {err.start})") from None
    for lineno, raw in enumerate(lines, start=1):
        if not raw.strip() or raw.startswith("#"):
            continue
        cols = raw.split("\t")
        ident = cols[0].strip()
        if ident.startswith("T"):
            if len(cols) < 2:
                raise AnnotationError(path, "text-bound annotation without a label and offsets", lineno, "label")
            label, _, spec = cols[1].partition(" ")
            if label in _IGNORED_LABELS:
                continue
            if label not in _SPAN_LABELS:
                raise AnnotationError(path, f"unknown span label '{label}'", lineno, "label")
            fragments = _parse_fragments(spec, path, lineno, len(text))
            if len(cols) > 2:
                expected = " ".join(text[s:e] for s, e in fragments)
                if cols[2].split() != expected.split():
                    log.debug("%s line %d: span text differs from the article text", path, lineno)
            spans[ident] = (label, fragments)
        elif ident.startswith("E"):
            args = cols[1].split() if len(cols) > 1 else []
            relations.append((lineno, ident, args))
        # R (relations), A (attributes) and other brat lines carry nothing PolNeAR uses.
    attributions: list[GoldAttribution] = []
    for lineno, ident, args in relations:
        roles: dict[str, Fragments] = {}
        relation_label = None
        for arg in args:
            role, sep, ref = arg.partition(":")
            if not sep:
                raise AnnotationError(path, f"bad event argument '{arg}', expected Role:T<n>", lineno, "arguments")
            if role in _RELATION_LABELS:
                relation_label = role
                continue
            if ref not in spans:
                raise AnnotationError(path, f"{role} refers to '{ref}', which is not a span in this file", lineno, role)
            roles.setdefault(re.sub(r"\d+$", "", role), []).extend(spans[ref][1])
        if relation_label is None:
            log.debug("%s line %d: event is not an attribution, skipped", path, lineno)
            continue
        content = merge_fragments(roles.get("Content", []))
        if not content:
            log.debug("%s line %d: attribution without content, skipped", path, lineno)
            continue
        source = merge_fragments(roles["Source"]) if roles.get("Source") else None
        cue = merge_fragments(roles.get("Cue", []))
        swapped = source is not None and _labels_swapped(text, source, cue)
        if swapped:
            log.debug("%s line %d: Source and Cue labels swapped, read back", path, lineno)
            source, cue = cue, source
        attributions.append(
            GoldAttribution(
                relation_id=ident,
                content=content,
                cue=cue,
                source=source,
                direct=is_direct(text, content),
                swapped=swapped,
            )
        )
    attributions.sort(key=lambda a: (a.content_start, a.content_end))
    return attributions


_SAID = re.compile(
    r"(?:said|says|say|told|tells|added|adds|asked|asks|wrote|writes|explained|noted|continued|according to)"
)


def _labels_swapped(text: str, source: Fragments, cue: Fragments) -> bool:
    """PolNeAR sometimes labels the verb of an inverted attribution as Source and the name as Cue
    ('"...," said Hester': Source "said", Cue "Hester"; "According to federal data": Source "According to").
    A Source that is only a bare reporting verb or "according to" is such a swap; the evaluator reads it
    back rather than scoring every system on it."""
    src = " ".join(text[a:b] for a, b in source).strip()
    cue_text = " ".join(text[a:b] for a, b in cue).strip()
    return bool(_SAID.fullmatch(src.lower())) and bool(cue_text) and not _SAID.fullmatch(cue_text.lower())


def first_ann(ann_dir: Path, stem: str) -> Path | None:
    """The alphabetically first `<stem>_<annotator>.ann`, or None when the article has no annotation."""
    candidates = sorted(p for p in ann_dir.glob(f"{glob_escape(stem)}_*.ann") if p.stem.rpartition("_")[0] == stem)
    return candidates[0] if candidates else None


def glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)


def load_polnear(folder: str | os.PathLike, limit: int | None = None) -> list[PolnearArticle]:
    """Read `<folder>/text/*.txt` (sorted by name) with their gold attributions.

    An article without any `.ann` file is kept with no attributions (it still counts for precision).
    """
    folder = Path(folder)
    text_dir, ann_dir = folder / "text", folder / "attributions"
    for needed in (text_dir, ann_dir):
        if not needed.is_dir():
            raise AnnotationError(needed, "folder not found; expected a PolNeAR split with text/ and attributions/")
    text_paths = sorted(text_dir.glob("*.txt"))
    if not text_paths:
        raise AnnotationError(text_dir, "no .txt files")
    if limit is not None:
        text_paths = text_paths[: max(int(limit), 0)]
    articles = []
    for text_path in text_paths:
        try:
            text = text_path.read_text(encoding="utf-8")
        except UnicodeDecodeError as err:
            raise AnnotationError(text_path, f"not UTF-8 text ({err.reason} at byte {err.start})") from None
        ann_path = first_ann(ann_dir, text_path.stem)
        if ann_path is None:
            log.warning("%s has no annotation file in %s; scored with no gold attributions", text_path.name, ann_dir)
        gold = read_ann(ann_path, text) if ann_path else []
        articles.append(PolnearArticle(text_path.stem, text_path, ann_path, text, gold))
    log.info(
        "read %d articles, %d attributions from %s", len(articles), sum(len(a.attributions) for a in articles), folder
    )
    return articles
