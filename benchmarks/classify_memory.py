"""Peak memory of `stance-classify` over a large file: the RSS of the whole command, sampled over time.

The input is real news quotes (the corpus's news-cc quotes) repeated to `--rows`, as JSONL; the command is the
installed `stance-classify` console script (reading, classifying and writing in chunks). The RSS of the process
and its children is sampled every `--every` seconds; flat means the peak over the last tenth of the run is no
higher than the peak over the first tenth plus a small margin.

    .venv/bin/python benchmarks/classify_memory.py --rows 1000000 --model tfidf-tiny
    .venv/bin/python benchmarks/classify_memory.py --rows 100000 --model /path/to/minilm classify.backend=onnx
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import psutil

ROOT = Path(__file__).resolve().parents[1]


def write_quotes(path: Path, rows: int) -> None:
    """`rows` real quotes as JSONL (id, text, speaker), written in blocks."""
    df = pd.read_json(ROOT / "data" / "news_quotes" / "news_cc.jsonl", lines=True)
    lines = [
        json.dumps({"text": t, "speaker": s or ""}, ensure_ascii=False)[1:] for t, s in zip(df["text"], df["speaker"])
    ]
    with path.open("w", encoding="utf-8") as fh:
        for i in range(rows):
            fh.write(f'{{"id": "q{i}", {lines[i % len(lines)]}\n')


def tiny_tfidf(folder: Path) -> Path:
    """The TF-IDF baseline (word n-grams only) trained on the tiny fixture data: fast enough for 1M rows here."""
    script = Path(sys.executable).with_name("stance-train")
    subprocess.run(
        [
            str(script),
            "model=tfidf_logreg",
            "model.char_ngrams=null",
            "data=tiny",
            "tracking=none",
            f"hydra.run.dir={folder}",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return folder / "model"


def rss(proc: psutil.Process) -> int:
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--model", default="tfidf-tiny", help="a model folder or URI, or tfidf-tiny")
    ap.add_argument("--every", type=float, default=0.5)
    ap.add_argument("--output-suffix", default=".parquet")
    ap.add_argument("--json", help="also write the result here")
    ap.add_argument("overrides", nargs="*", help="more stance-classify overrides, e.g. classify.backend=onnx")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="stance-mem-") as tmp:
        tmp = Path(tmp)
        model = str(tiny_tfidf(tmp / "train")) if args.model == "tfidf-tiny" else args.model
        source = tmp / "quotes.jsonl"
        t0 = time.perf_counter()
        write_quotes(source, args.rows)
        print(f"wrote {args.rows} quotes ({source.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t0:.0f}s")
        output = tmp / f"out{args.output_suffix}"
        command = [
            str(Path(sys.executable).with_name("stance-classify")),
            f"input={source}",
            f"output={output}",
            f"model_uri={model}",
            "progress=false",
            "tracking=none",
            f"hydra.run.dir={tmp / 'run'}",
            *args.overrides,
        ]
        started = time.perf_counter()
        proc = subprocess.Popen(command)
        ps = psutil.Process(proc.pid)
        samples: list[tuple[float, int]] = []
        while proc.poll() is None:
            samples.append((time.perf_counter() - started, rss(ps)))
            time.sleep(args.every)
        seconds = time.perf_counter() - started
        if proc.returncode != 0:
            raise SystemExit(f"stance-classify failed with exit code {proc.returncode}")
        out_rows = None
        if args.output_suffix == ".parquet":
            import pyarrow.parquet as pq

            out_rows = pq.ParquetFile(output).metadata.num_rows
    values = [r for _, r in samples]
    tenth = max(1, len(values) // 10)
    mib = 1024 * 1024
    result = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "rows": args.rows,
        "output_rows": out_rows,
        "model": args.model,
        "overrides": args.overrides,
        "seconds": round(seconds, 1),
        "quotes_per_s": round(args.rows / seconds, 1),
        "samples": len(values),
        "peak_rss_mib": round(max(values) / mib, 1),
        "peak_first_tenth_mib": round(max(values[:tenth]) / mib, 1),
        "peak_last_tenth_mib": round(max(values[-tenth:]) / mib, 1),
        "rss_by_decile_mib": [round(max(values[i * tenth : (i + 1) * tenth] or [0]) / mib, 1) for i in range(10)],
        "machine": f"{platform.machine()}, {os.cpu_count()} CPU cores, load average {os.getloadavg()[0]:.1f}",
    }
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        Path(args.json).write_text(text)


if __name__ == "__main__":
    main()
