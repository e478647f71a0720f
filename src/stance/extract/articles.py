"""Read articles for extraction: a folder (and its sub-folders) of .txt/.html files, or one JSONL/CSV/Parquet table.

Every problem (not UTF-8, empty text, missing text field, duplicate id, HTML without main text)
comes back as an `ArticleError` naming the file, line and field, so the CLI can either stop on it
or list it in the rejects file and go on with the other articles. Files a folder holds but that are
not read (other types, hidden names, sub-folders when not recursive) are counted and logged, never
passed over in silence.
"""

from __future__ import annotations

import logging
import math
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from stance.io.tables import FORMATS, TableError, iter_table

log = logging.getLogger(__name__)

TEXT_SUFFIXES = {".txt"}
HTML_SUFFIXES = {".html", ".htm"}
SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES


class ArticleError(TableError):
    """One article that cannot be processed; `source`, `line` and `field` say where, `row` what it held."""

    def __init__(self, source: str, reason: str, line: int | None = None, field: str | None = None, row=None):
        super().__init__(source, reason, line=line, field=field)
        self.source = self.path
        self.row = row or {}


@dataclass
class ArticleText:
    article_id: str
    text: str
    source: str
    line: int | None = None


def _html_main_text(html: str, source: str) -> str:
    import trafilatura

    text = trafilatura.extract(html, include_comments=False, include_tables=False, favor_precision=True)
    if not text or not text.strip():
        raise ArticleError(source, "no main text found in the HTML page")
    return text


def _read_file(path: Path) -> ArticleText:
    try:
        raw = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as err:
        raise ArticleError(str(path), f"not UTF-8 text ({err.reason} at byte {err.start})") from None
    if "\x00" in raw:
        raise ArticleError(str(path), "binary file (contains NUL bytes), not text")
    raw = raw.lstrip("\ufeff")
    text = _html_main_text(raw, str(path)) if path.suffix.lower() in HTML_SUFFIXES else raw
    if not text.strip():
        raise ArticleError(str(path), "empty article")
    return ArticleText(path.stem, text, str(path))


def _scan_folder(folder: Path, recursive: bool, skipped: Counter) -> list[Path]:
    """The article files under `folder` (sorted by relative path); what is left out is counted in `skipped`."""
    files: list[Path] = []
    hidden: list[str] = []
    subfolders: list[str] = []
    seen_dirs: set[str] = set()

    def walk(path: Path) -> None:
        real = os.path.realpath(path)
        if real in seen_dirs:  # a symbolic link back up the tree
            return
        seen_dirs.add(real)
        for entry in sorted(path.iterdir()):
            rel = entry.relative_to(folder).as_posix()
            if entry.name.startswith("."):
                hidden.append(rel)
            elif entry.is_dir():
                if recursive:
                    walk(entry)
                else:
                    subfolders.append(rel)
            elif not entry.is_file():
                skipped["not a regular file"] += 1
            elif entry.suffix.lower() in SUFFIXES:
                files.append(entry)
            else:
                skipped[f"unsupported type '{entry.suffix.lower() or '(none)'}'"] += 1

    walk(folder)
    if hidden:
        skipped["hidden (name starts with '.')"] += len(hidden)
        log.info("skipping %d hidden files/folders in %s: %s", len(hidden), folder, _names(hidden))
    if subfolders:
        skipped["sub-folder (recursive=false)"] += len(subfolders)
        log.warning(
            "not reading %d sub-folders of %s (recursive=false): %s", len(subfolders), folder, _names(subfolders)
        )
    unsupported = {k: v for k, v in skipped.items() if k.startswith(("unsupported", "not a regular"))}
    if unsupported:
        log.warning(
            "skipping %d files in %s that are not .txt/.html: %s", sum(unsupported.values()), folder, unsupported
        )
    return sorted(files, key=lambda p: p.relative_to(folder).parts)


def _names(names: list[str], most: int = 10) -> str:
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


def folder_articles(folder: Path, recursive: bool, skipped: Counter) -> Iterator[tuple[str, Path] | ArticleError]:
    """(article id, file) for each article file under `folder` in input order, without reading it; a duplicate id
    comes out as an ArticleError. A distributed runner lists here and reads each file with `read_article`."""
    files = _scan_folder(folder, recursive, skipped)
    if not files:
        left = f" (skipped: {dict(skipped)})" if skipped else ""
        raise ArticleError(str(folder), f"no .txt or .html files in the folder{left}")
    seen: dict[str, str] = {}
    for path in files:
        article_id = path.relative_to(folder).with_suffix("").as_posix()  # "sub/story": unique across sub-folders
        if article_id in seen:
            yield ArticleError(str(path), f"duplicate article id '{article_id}' (also {seen[article_id]})")
            continue
        seen[article_id] = str(path)
        yield article_id, path


def read_article(path: Path, article_id: str) -> ArticleText:
    """One article file as text (HTML reduced to its main text); an unreadable one raises ArticleError."""
    article = _read_file(path)
    article.article_id = article_id
    return article


def _iter_folder(folder: Path, recursive: bool, skipped: Counter) -> Iterator[ArticleText | ArticleError]:
    for item in folder_articles(folder, recursive, skipped):
        if isinstance(item, ArticleError):
            yield item
            continue
        try:
            yield read_article(item[1], item[0])
        except ArticleError as err:
            yield err


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _iter_table(path: Path, id_field: str, text_field: str) -> Iterator[ArticleText | ArticleError]:
    seen: dict[str, int] = {}
    checked = False
    for chunk in iter_table(path, chunk_size=500):
        if not checked:
            for name in (id_field, text_field):
                if name not in chunk.frame.columns:
                    raise ArticleError(
                        str(path), f"no '{name}' column (columns: {list(chunk.frame.columns)})", field=name
                    )
            checked = True
        for row, line in zip(chunk.frame.to_dict(orient="records"), chunk.lines):
            article_id, text = row.get(id_field), row.get(text_field)
            if _missing(article_id) or not str(article_id).strip():
                yield ArticleError(str(path), "missing article id", line=line, field=id_field, row=row)
                continue
            article_id = str(article_id)
            if _missing(text):
                yield ArticleError(str(path), "missing text", line=line, field=text_field, row=row)
                continue
            if not isinstance(text, str):
                yield ArticleError(
                    str(path), f"text is {type(text).__name__}, not a string", line=line, field=text_field, row=row
                )
                continue
            if not text.strip():
                yield ArticleError(str(path), f"empty article '{article_id}'", line=line, field=text_field, row=row)
                continue
            if article_id in seen:
                yield ArticleError(
                    str(path),
                    f"duplicate article id '{article_id}' (first on line {seen[article_id]})",
                    line=line,
                    field=id_field,
                    row=row,
                )
                continue
            seen[article_id] = line
            yield ArticleText(article_id, text, str(path), line)


def iter_articles(
    input_path: str | os.PathLike,
    id_field: str = "id",
    text_field: str = "text",
    recursive: bool = True,
    skipped: Counter | None = None,
) -> Iterator[ArticleText | ArticleError]:
    """Articles in input order; bad ones come out as `ArticleError` items (whole-input problems raise).

    A folder is read with its sub-folders (unless `recursive` is False); a nested file's id is its path
    relative to the folder without the suffix ("sub/story"). Files left out are counted by reason in `skipped`.
    """
    path = Path(input_path)
    if not path.exists():
        raise ArticleError(str(path), "input not found")
    if path.is_dir():
        yield from _iter_folder(path, recursive, Counter() if skipped is None else skipped)
        return
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES | HTML_SUFFIXES:
        try:
            yield _read_file(path)
        except ArticleError as err:
            yield err
        return
    if suffix not in FORMATS:
        raise ArticleError(
            str(path), f"unsupported input '{suffix}': use a folder of .txt/.html or a .jsonl/.csv/.parquet file"
        )
    try:
        yield from _iter_table(path, id_field, text_field)
    except ArticleError:
        raise
    except TableError as err:
        raise ArticleError(err.path, err.reason, line=err.line, field=err.field) from None
