"""Does the surrounding paragraph carry stance information a frozen encoder can read? A cheap probe.

Fine-tuning mpnet on `data.input=text_context` costs about 3.8 times its text-only run here (the pair averages
125 tokens against 33 for the quote alone): some 6 CPU hours on one thread. This probe asks the same question for
the price of one forward pass: mean-pooled embeddings of the frozen base encoder, logistic regression on train
(C picked on dev), test macro-F1, for the quote alone (the baseline), the (quote, context) pair and the two embedded apart, in one run.

    .venv/bin/python benchmarks/context_probe.py --encoder mpnet --encoder minilm --threads 1
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from transformers import AutoModel, AutoTokenizer  # noqa: E402

from stance.config import PROJECT_ROOT  # noqa: E402
from stance.data import as_frame, load_dataset  # noqa: E402
from stance.modeling.base_models import mpnet_dir  # noqa: E402
from stance.modeling.checkpoints import minilm_dir  # noqa: E402
from stance.modeling.inputs import input_pairs, token_batches  # noqa: E402
from stance.modeling.metrics import classification_metrics, label_ids  # noqa: E402
from stance.modeling.pooling import masked_mean  # noqa: E402

ENCODERS = {"mpnet": lambda: mpnet_dir(PROJECT_ROOT), "minilm": minilm_dir}
# the quote alone (the baseline); the (quote, context) pair as `text_context` feeds it; the quote's and the
# context's embeddings side by side (does the paragraph add anything the quote lacks, however it is read?)
MODES = ("text", "text_context", "text+context")


@torch.inference_mode()
def embed(tokenizer, model, first: list[str], second: list[str] | None, max_length: int, batch_size: int = 32):
    """Masked mean of the last hidden states (what the models were trained for), in batches sorted by length."""
    out = np.zeros((len(first), model.config.hidden_size), dtype=np.float32)
    names = ("input_ids", "attention_mask")  # no segment ids: the pair is read as the plain encoder reads it
    for rows, batch in token_batches(
        tokenizer, first, second, max_length, batch_size, names, window=max(len(first), 1)
    ):
        tensors = {name: torch.from_numpy(array) for name, array in batch.items()}
        out[rows] = masked_mean(model(**tensors).last_hidden_state, tensors["attention_mask"]).numpy()
    return out


def split_features(tokenizer, model, frame, mode: str, max_length: int, quote: np.ndarray | None) -> np.ndarray:
    """One split's features for an input mode; `quote` is the split's "text" features when already computed."""
    if mode == "text+context":
        context = embed(
            tokenizer, model, *input_pairs(frame.assign(text=frame["context"].fillna("")), "text"), max_length
        )
        return np.concatenate([quote, context], axis=1)
    return embed(tokenizer, model, *input_pairs(frame, mode), max_length)


def probe(features: dict[str, np.ndarray], splits: dict, labels: list[str], seed: int) -> dict:
    """Logistic regression on train, C chosen by dev macro-F1, scored once on test."""
    y = {name: label_ids(splits[name]["label"], labels) for name in splits}
    scaler = StandardScaler().fit(features["train"])
    x = {name: scaler.transform(features[name]) for name in features}
    best = None
    for c in (0.003, 0.01, 0.03, 0.1, 0.3, 1.0):
        clf = LogisticRegression(C=c, max_iter=2000, class_weight="balanced", random_state=seed)
        clf.fit(x["train"], y["train"])
        dev = classification_metrics(y["dev"], clf.predict(x["dev"]), labels)["macro_f1"]
        if best is None or dev > best[0]:
            best = (dev, c, clf)
    dev_f1, c, clf = best
    test = classification_metrics(y["test"], clf.predict(x["test"]), labels)
    return {
        "C": c,
        "dev_macro_f1": round(dev_f1, 4),
        "test_macro_f1": round(test["macro_f1"], 4),
        "test_per_label": {label: round(test[f"f1_{label}"], 3) for label in labels},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--encoder", action="append", choices=sorted(ENCODERS), help="repeatable (default: mpnet)")
    ap.add_argument("--max-length", type=int, default=128, help="the models' training max_length")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", help="also write the result here")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    data = load_dataset("news_quotes", overrides=["data.input=text_context"])
    splits = {name: as_frame(data[name]) for name in ("train", "dev", "test")}
    labels = list(data["train"].features["label"].names)
    result = {"rows": {name: len(frame) for name, frame in splits.items()}, "runs": []}
    for encoder in args.encoder or ["mpnet"]:
        folder = Path(ENCODERS[encoder]())
        tokenizer, model = AutoTokenizer.from_pretrained(folder), AutoModel.from_pretrained(folder).eval()
        quote: dict[str, np.ndarray] = {}  # "text" runs first; "text+context" reuses its quote features
        for mode in MODES:
            started = time.perf_counter()
            x = {
                name: split_features(tokenizer, model, frame, mode, args.max_length, quote.get(name))
                for name, frame in splits.items()
            }
            if mode == "text":
                quote = x
            row = {"encoder": encoder, "input": mode, **probe(x, splits, labels, args.seed)}
            row["seconds"] = round(time.perf_counter() - started, 1)
            result["runs"].append(row)
            print(json.dumps(row), flush=True)
        base = result["runs"][-len(MODES)]
        for row in result["runs"][-len(MODES) + 1 :]:
            gain = row["test_macro_f1"] - base["test_macro_f1"]
            print(f"{encoder}: {row['input']} - text = {gain:+.4f} test macro-F1")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
