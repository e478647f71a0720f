"""Cross-article speaker merge against the annotated merge set: are two gold speakers in different articles
given the same speaker_id exactly when they are the same person?

    .venv/bin/python benchmarks/speaker_merge.py --pairs data/speaker_merge/pairs.jsonl \
        --text-dir ../shared/data/polnear/train/text --work outputs/speaker_merge

Runs `stance-extract`'s workflow over the articles the pairs need (or takes an existing quotes file of those
articles with --quotes, e.g. one extraction of the whole split), builds the speaker table with the configured
merge strategy (`finalize_speakers`, the same post-pass stance-extract makes), maps each side of a pair to the
speaker_id of the extracted quote whose speaker mention overlaps the gold source (else whose cue overlaps the
gold cue), and prints pairwise precision and recall of "same person" over the pairs whose both sides were
found, with how many were not found. Extra `key=value` arguments are Hydra overrides of the extract config
(e.g. `extract.speaker_table.surnames=never`).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from hydra import compose, initialize_config_dir

from stance.config import CONF_DIR
from stance.extract.speaker_table import finalize_speakers
from stance.workflows.extract import run_extraction


def load_pairs(path: Path) -> list[dict[str, Any]]:
    pairs = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if line.strip():
                try:
                    pairs.append(json.loads(line))
                except json.JSONDecodeError as err:
                    sys.exit(f"{path}, line {n}: not JSON ({err})")
    return pairs


def sides(pair: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The two gold mentions of a pair: {file, source_start, source_end, cue_start, cue_end, ...} each."""
    return pair["a"], pair["b"]


def article_of(side: dict[str, Any]) -> str:
    return str(side["file"]).removesuffix(".txt")


def side_key(side: dict[str, Any]) -> str:
    """How scripts/speaker_merge/score.py names a side."""
    return f"{side['file']}:{side['source_start']}"


def spans_of(side: dict[str, Any], name: str) -> list[tuple[int, int]]:
    """The gold (start, end) of the side's source or cue; [] when the pair does not give it."""
    start, end = side.get(f"{name}_start"), side.get(f"{name}_end")
    return [] if start is None or end is None else [(int(start), int(end))]


def overlaps(a: int | None, b: int | None, spans: list[tuple[int, int]]) -> int:
    if a is None or b is None:
        return 0
    return max((min(b, e) - max(a, s) for s, e in spans), default=0)


def speaker_id_for(side: dict[str, Any], quotes: list[dict[str, Any]]) -> tuple[str | None, str]:
    """(speaker_id, how it was found): the quote whose speaker mention overlaps the gold source most, else the
    one whose cue overlaps the gold cue most. speaker_id is None when no quote matches or it has no speaker."""
    source, cue = spans_of(side, "source"), spans_of(side, "cue")
    best = max(quotes, key=lambda q: overlaps(q.get("speaker_start"), q.get("speaker_end"), source), default=None)
    if best is not None and overlaps(best.get("speaker_start"), best.get("speaker_end"), source) > 0:
        return best.get("speaker_id"), "source"
    best = max(quotes, key=lambda q: overlaps(q.get("cue_start"), q.get("cue_end"), cue), default=None)
    if best is not None and overlaps(best.get("cue_start"), best.get("cue_end"), cue) > 0:
        return best.get("speaker_id"), "cue"
    return None, "no quote"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=Path, default=Path("data/speaker_merge/pairs.jsonl"))
    parser.add_argument("--text-dir", type=Path, default=Path("../shared/data/polnear/train/text"))
    parser.add_argument("--work", type=Path, default=Path("outputs/speaker_merge"))
    parser.add_argument(
        "--quotes", type=Path, default=None, help="an existing quotes .jsonl of (at least) the articles"
    )
    parser.add_argument("overrides", nargs="*", help="Hydra overrides of the extract config")
    args = parser.parse_args()

    pairs = load_pairs(args.pairs)
    needed = sorted({article_of(s) for p in pairs for s in sides(p)})
    args.work.mkdir(parents=True, exist_ok=True)
    quotes_path = args.work / "quotes.jsonl"
    started = time.perf_counter()
    if args.quotes is not None:  # the articles' quotes out of a larger extraction: the same records, fewer articles
        with open(args.quotes, encoding="utf-8") as src, open(quotes_path, "w", encoding="utf-8") as dst:
            keep = set(needed)
            dst.writelines(line for line in src if line.strip() and json.loads(line)["article_id"] in keep)
    else:
        folder = args.work / "articles"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        for name in needed:
            shutil.copyfile(args.text_dir / f"{name}.txt", folder / f"{name}.txt")
        overrides = [f"input={folder}", f"output={quotes_path}", "speakers=null", *args.overrides]
        with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
            run_extraction(compose(config_name="extract", overrides=overrides))
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        cfg = compose(config_name="extract", overrides=["input=x", f"output={quotes_path}", *args.overrides])
    table = finalize_speakers(quotes_path, "speakers.csv", cfg.extract)

    by_article: dict[str, list[dict[str, Any]]] = {}
    with open(quotes_path, encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            by_article.setdefault(str(row["article_id"]), []).append(row)
    tp = fp = fn = tn = 0
    missing = {"no quote": 0, "no speaker": 0}
    predictions: dict[str, str | None] = {}  # for scripts/speaker_merge/score.py
    for pair in pairs:
        found = []
        for side in sides(pair):
            speaker_id, how = speaker_id_for(side, by_article.get(article_of(side), []))
            if speaker_id is None:
                missing["no quote" if how == "no quote" else "no speaker"] += 1
            found.append(speaker_id)
            predictions[side_key(side)] = speaker_id
        if None in found:
            continue
        same_gold, same_pred = bool(pair["same"]), found[0] == found[1]
        tp += same_gold and same_pred
        fp += same_pred and not same_gold
        fn += same_gold and not same_pred
        tn += not same_gold and not same_pred
    scored = tp + fp + fn + tn
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = tp / (tp + fn) if tp + fn else float("nan")
    print(f"pairs: {len(pairs)} in {len(needed)} articles; scored (both sides found): {scored}")
    print(
        f"sides not found: {missing['no quote']} with no matching quote, {missing['no speaker']} quote without speaker"
    )
    print(f"same person: TP {tp}  FP {fp}  FN {fn}  TN {tn}")
    print(f"precision {precision:.3f}  recall {recall:.3f}")
    print(f"speakers in the table: {table['speakers']} ({time.perf_counter() - started:.0f} s)")
    (args.work / "predictions.json").write_text(json.dumps(predictions, indent=1), encoding="utf-8")
    print(f"predictions for scripts/speaker_merge/score.py: {args.work / 'predictions.json'}")


if __name__ == "__main__":
    main()
