"""Knowledge distillation: the loss, the soft-label file, the teacher scoring command and a distilled tiny run."""

from __future__ import annotations

import json
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import torch
import torch.nn.functional as F

from stance.data.soft_labels import META_KEY, read_soft_labels, write_soft_labels
from stance.io import TableError
from stance.modeling.distill import IGNORE, distill_loss
from stance.workflows.train import run_training

LABELS = ["supportive", "critical", "dismissive", "urging_action", "neutral"]
T, ALPHA = 2.0, 0.3


# ---- the loss, against a hand computation ------------------------------------------------------------------------
def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _hand_ce(logits, labels, weight) -> float:
    rows = [i for i, y in enumerate(labels) if y != IGNORE]
    nll = [-np.log(_softmax(logits[i])[labels[i]]) for i in rows]
    w = [weight[labels[i]] for i in rows]
    return float(np.dot(w, nll) / np.sum(w))


def _hand_kl(logits, soft) -> float:
    rows = [i for i in range(len(soft)) if soft[i].sum() > 0.5]
    out = []
    for i in rows:
        teacher = _softmax(np.log(soft[i]) / T)
        student = _softmax(logits[i] / T)
        out.append(np.sum(teacher * (np.log(teacher) - np.log(student))))
    return float(np.mean(out))


LOGITS = np.array([[2.0, 0.5, -1.0], [0.1, 0.2, 0.3], [-0.5, 1.5, 0.0], [1.0, -1.0, 3.0]])
SOFT = np.array([[0.7, 0.2, 0.1], [0.1, 0.6, 0.3], [0.0, 0.0, 0.0], [0.2, 0.2, 0.6]])
WEIGHT = np.array([1.0, 2.0, 0.5])


def _loss(labels, soft, alpha=ALPHA, weight=WEIGHT) -> float:
    loss = distill_loss(
        torch.tensor(LOGITS, dtype=torch.float32, requires_grad=True),
        torch.tensor(labels),
        None if soft is None else torch.tensor(soft, dtype=torch.float32),
        alpha,
        T,
        None if weight is None else torch.tensor(weight, dtype=torch.float32),
    )
    return float(loss.detach())


def test_loss_of_a_mixed_batch_matches_the_hand_computation():
    labels = [0, IGNORE, 1, IGNORE]  # rows 1 and 3: pool rows; row 2: gold without teacher probabilities
    expected = (1 - ALPHA) * _hand_ce(LOGITS, labels, WEIGHT) + ALPHA * T * T * _hand_kl(LOGITS, SOFT)
    assert _loss(labels, SOFT) == pytest.approx(expected, rel=1e-5)


def test_loss_of_gold_only_and_soft_only_batches():
    gold_only = [0, 2, 1, 2]
    no_soft = np.zeros_like(SOFT)
    assert _loss(gold_only, no_soft) == pytest.approx((1 - ALPHA) * _hand_ce(LOGITS, gold_only, WEIGHT), rel=1e-5)
    pool_only = [IGNORE] * 4
    loss = _loss(pool_only, SOFT)
    assert float(loss) == pytest.approx(ALPHA * T * T * _hand_kl(LOGITS, SOFT), rel=1e-5)


def test_a_batch_with_no_gold_and_no_soft_rows_gives_a_finite_loss_and_gradient():
    logits = torch.tensor(LOGITS, dtype=torch.float32, requires_grad=True)
    loss = distill_loss(logits, torch.tensor([IGNORE] * 4), torch.zeros(4, 3), ALPHA, T, torch.tensor(WEIGHT).float())
    loss.backward()
    assert torch.isfinite(loss) and float(loss.detach()) == 0.0
    assert torch.isfinite(logits.grad).all()


def test_alpha_zero_is_the_weighted_cross_entropy():
    labels = [0, IGNORE, 1, 2]
    ce = F.cross_entropy(
        torch.tensor(LOGITS).float(), torch.tensor(labels), weight=torch.tensor(WEIGHT).float(), ignore_index=IGNORE
    )
    assert _loss(labels, SOFT, alpha=0.0) == pytest.approx(float(ce), rel=1e-6)
    assert _loss(labels, None, alpha=0.0, weight=None) == pytest.approx(
        float(F.cross_entropy(torch.tensor(LOGITS).float(), torch.tensor(labels), ignore_index=IGNORE)), rel=1e-6
    )


# ---- the soft-label file -----------------------------------------------------------------------------------------
def _probs(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).dirichlet(np.ones(len(LABELS)), size=n)


def test_soft_label_file_round_trips_with_its_metadata(tmp_path):
    path = tmp_path / "soft.parquet"
    probs = _probs(4)
    teacher = {"uri": "runs:/abc/model", "run_id": "abc", "manifest_sha256": "f" * 64}
    write_soft_labels(path, ["a", "b", "p1", "p2"], ["train", "train", "pool", "pool"], probs, LABELS, teacher)
    soft = read_soft_labels(path, LABELS)
    assert soft.ids == ["a", "b", "p1", "p2"] and soft.sets == ["train", "train", "pool", "pool"]
    assert np.allclose(soft.probs, probs)
    assert soft.meta["teacher"] == teacher and soft.meta["labels"] == LABELS and soft.meta["sets"] == ["train", "pool"]
    assert soft.meta["rows"] == {"train": 2, "pool": 2} and soft.meta["created"]
    assert np.allclose(soft.for_set("pool")["p2"], probs[3])
    assert set(pq.read_table(path).column_names) == {"id", "set", *(f"p_{x}" for x in LABELS)}  # no text


def test_writer_leaves_no_partial_file_on_failure(tmp_path, monkeypatch):
    path = tmp_path / "soft.parquet"
    write_soft_labels(path, ["a"], ["train"], _probs(1), LABELS)
    before = path.read_bytes()

    def broken(table, where, **kwargs):
        with open(where, "wb") as fh:
            fh.write(b"PAR1 half a file")
        raise OSError("disk full")

    monkeypatch.setattr(pq, "write_table", broken)
    with pytest.raises(OSError, match="disk full"):
        write_soft_labels(path, ["a", "b"], ["train", "pool"], _probs(2), LABELS)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["soft.parquet"]
    with pytest.raises(TableError, match="sum to"):  # the writer validates too: nothing written
        write_soft_labels(tmp_path / "bad.parquet", ["a"], ["train"], np.full((1, 5), 0.5), LABELS)
    assert not (tmp_path / "bad.parquet").exists()


def _raw_file(path, ids, probs, labels=LABELS, sets=None):
    """A file as another tool might write it: the writer's own checks bypassed."""
    meta = {"format": "stance-soft-labels-1", "labels": labels, "teacher": {}}
    columns = {"id": ids, "set": sets or ["train"] * len(ids)}
    columns.update({f"p_{x}": probs[:, j] for j, x in enumerate(labels)})
    pq.write_table(pa.table(columns).replace_schema_metadata({META_KEY: json.dumps(meta)}), path)
    return path


def test_bad_soft_label_files_fail_naming_file_row_and_field(tmp_path):
    good = _probs(3)
    wrong_labels = _raw_file(tmp_path / "labels.parquet", ["a", "b", "c"], good[:, ::-1], LABELS[::-1])
    with pytest.raises(TableError, match=r"labels\.parquet, field 'labels': labels .* do not match"):
        read_soft_labels(wrong_labels, LABELS)

    off = good.copy()
    off[1, 0] += 0.1
    with pytest.raises(TableError, match=r"sums\.parquet, line 2, field 'p_supportive,.*sum to 1\.1"):
        read_soft_labels(_raw_file(tmp_path / "sums.parquet", ["a", "b", "c"], off), LABELS)

    with pytest.raises(TableError, match=r"dups\.parquet, line 3, field 'id': duplicate id 'a' \(first at row 1\)"):
        read_soft_labels(_raw_file(tmp_path / "dups.parquet", ["a", "b", "a"], good), LABELS)

    nan = good.copy()
    nan[2, 3] = np.nan
    with pytest.raises(TableError, match=r"nan\.parquet, line 3, field 'p_urging_action'.*not a finite"):
        read_soft_labels(_raw_file(tmp_path / "nan.parquet", ["a", "b", "c"], nan), LABELS)

    plain = tmp_path / "plain.parquet"
    pd.DataFrame({"id": ["a"]}).to_parquet(plain)
    with pytest.raises(TableError, match="not a soft-label file"):
        read_soft_labels(plain, LABELS)


# ---- teacher -> soft labels -> distilled student ------------------------------------------------------------------
POOL_TEXTS = [
    "We must act before the flood season comes.",
    "That report is nonsense and a waste of paper.",
    "The council will meet again on Tuesday.",
    "I am proud of what the nurses achieved this year.",
    "The minister has failed the farmers again.",
    "Nobody takes these claims seriously anymore.",
]


def _pool(tmp_path):
    """Six pool quotes of train articles and one of a dev article (which the writer must leave out)."""
    rows = [
        {"id": f"pool-{i}", "source": "news-cc", "article_id": f"art{i}", "corpus_split": "train", "text": t}
        for i, t in enumerate(POOL_TEXTS)
    ]
    rows.append(
        {"id": "pool-dev", "source": "news-cc", "article_id": "artd", "corpus_split": "dev", "text": "Act now."}
    )
    frame = pd.DataFrame(rows).assign(context="", speaker="A spokesperson", polnear_split=None)
    path = tmp_path / "pool.parquet"
    frame.to_parquet(path, index=False)
    return path


def test_teacher_soft_labels_then_a_distilled_student(compose_cfg, tiny_train_overrides, tmp_path, monkeypatch):
    import transformers

    from stance.workflows.soft_labels import run_soft_labels

    teacher_cfg = compose_cfg(
        "train", tiny_train_overrides + ["train.max_steps=2", "tracking.log_model=true", "train.onnx_check=false"]
    )
    teacher_run = run_training(teacher_cfg)["run_id"]
    teacher_dir = tmp_path / "out" / "model"
    teacher_uri = f"runs:/{teacher_run}/model"  # the teacher as the lead runs it: from its MLflow run
    pool = _pool(tmp_path)
    soft_path = tmp_path / "soft" / "teacher.parquet"
    cfg = compose_cfg(
        "soft_labels",
        ["data=tiny", f"teacher={teacher_uri}", f"distill.soft_labels={soft_path}", f"distill.pool={pool}"],
    )
    summary = run_soft_labels(cfg)
    assert summary["train_rows"] == 40 and summary["pool_rows"] == 6 and summary["pool_left_out"] == 1
    soft = read_soft_labels(soft_path, LABELS)
    tiny = Path(__file__).parent / "fixtures" / "tiny"
    dev_ids = {json.loads(x)["id"] for f in ("dev.jsonl", "test.jsonl") for x in (tiny / f).read_text().splitlines()}
    assert soft.sets.count("train") == 40 and sorted(soft.for_set("pool")) == [f"pool-{i}" for i in range(6)]
    assert not dev_ids & set(soft.ids)
    from stance.tracking.mlflow_run import manifest_digest

    assert soft.meta["teacher"]["uri"] == teacher_uri and soft.meta["teacher"]["run_id"] == teacher_run
    assert soft.meta["teacher"]["manifest_sha256"] == manifest_digest(teacher_dir)
    # the probabilities are the teacher's own on those quotes
    from stance.modeling.predictor import load_predictor

    expected = load_predictor(str(teacher_dir)).predict_proba(pd.DataFrame({"text": POOL_TEXTS[:2]}))
    pool_soft = soft.for_set("pool")
    assert np.allclose([pool_soft["pool-0"], pool_soft["pool-1"]], expected, atol=1e-5)

    seen = []
    train = transformers.Trainer.train

    def spy(self, *args, **kwargs):
        seen.append((len(self.train_dataset), sorted(self.train_dataset["labels"]).count(IGNORE)))
        return train(self, *args, **kwargs)

    monkeypatch.setattr(transformers.Trainer, "train", spy)
    student = compose_cfg(
        "train",
        tiny_train_overrides
        + ["distill=teacher", f"distill.soft_labels={soft_path}", f"distill.pool={pool}", "train.max_steps=3"]
        + ["distill.pool_size=4", "train.class_weights=true", "model.pooling=mean", "tracking.log_model=false"],
    )
    metrics = run_training(student)
    assert seen == [(44, 4)]  # 40 gold rows + a 4-row sample of the pool, labelled -100
    assert metrics["distill_pool_rows"] == 4 and metrics["distill_gold_rows"] == 40
    client = mlflow.MlflowClient(tracking_uri=student.tracking.uri)
    run = client.get_run(metrics["run_id"])
    params = run.data.params
    assert params["distill.enabled"] == "True" and params["distill.alpha"] == "0.5"
    assert params["distill.temperature"] == "2.0" and params["distill.pool_size"] == "4"
    assert params["distill.soft_labels_sha256"] == soft.sha256 and params["distill.teacher"] == teacher_uri
    assert len(params) <= 60
    assert run.data.tags["stance.distilled"] == "true" and run.data.metrics["distill_pool_rows"] == 4
    assert np.isfinite(run.data.metrics["train_loss"]) and 0.0 <= metrics["eval_macro_f1"] <= 1.0
    assert 0.0 <= metrics["test_macro_f1"] <= 1.0  # dev and test are evaluated as without distillation


def test_distillation_refuses_dev_quotes_dev_articles_and_a_tfidf_student(compose_cfg, tiny_train_overrides, tmp_path):
    pool = _pool(tmp_path)
    base = tiny_train_overrides + ["tracking=none", "distill=teacher", f"distill.pool={pool}", "train.max_steps=1"]

    dev_id = tmp_path / "dev_id.parquet"
    write_soft_labels(dev_id, ["supportive-2", "supportive-1"], ["train", "train"], _probs(2), LABELS)
    with pytest.raises(TableError, match=r"dev_id\.parquet, line 2, field 'id': id 'supportive-1' is a dev/test quote"):
        run_training(compose_cfg("train", base + [f"distill.soft_labels={dev_id}"]))

    dev_article = tmp_path / "dev_article.parquet"
    write_soft_labels(dev_article, ["pool-0", "pool-dev"], ["pool", "pool"], _probs(2), LABELS)
    with pytest.raises(
        TableError, match=r"dev_article\.parquet.*1 soft-labelled pool rows come from dev/test articles"
    ):
        run_training(compose_cfg("train", base + [f"distill.soft_labels={dev_article}"]))

    tfidf = ["data=tiny", "model=tfidf_logreg", "tracking=none", "distill=teacher", f"distill.soft_labels={dev_id}"]
    with pytest.raises(ValueError, match="distill=teacher needs a transformer student"):
        run_training(compose_cfg("train", tfidf))


def test_an_ensemble_of_teachers_writes_the_mean_of_their_probabilities(compose_cfg, tiny_train_overrides, tmp_path):
    from omegaconf import open_dict

    from stance.modeling.predictor import load_predictor
    from stance.tracking.mlflow_run import manifest_digest
    from stance.workflows.soft_labels import run_soft_labels

    folders = []
    for seed in (1, 2):
        cfg = compose_cfg(
            "train",
            tiny_train_overrides + ["train.max_steps=2", "train.onnx_check=false", "tracking=none", f"seed={seed}"],
        )
        with open_dict(cfg):
            cfg.paths.output_dir = str(tmp_path / f"teacher{seed}")
        run_training(cfg)
        folders.append(tmp_path / f"teacher{seed}" / "model")
    pool = _pool(tmp_path)
    soft_path = tmp_path / "soft" / "ensemble.parquet"
    common = ["data=tiny", f"distill.soft_labels={soft_path}", f"distill.pool={pool}"]
    summary = run_soft_labels(compose_cfg("soft_labels", common + [f"teacher=[{folders[0]},{folders[1]}]"]))
    assert summary["train_rows"] == 40 and summary["pool_rows"] == 6
    soft = read_soft_labels(soft_path, LABELS)
    frame = pd.DataFrame({"text": POOL_TEXTS[:3]})
    each = [load_predictor(str(f)).predict_proba(frame) for f in folders]
    assert not np.allclose(each[0], each[1], atol=1e-4)  # two different teachers, so the mean is not either one
    pool_soft = soft.for_set("pool")
    assert np.allclose([pool_soft[f"pool-{i}"] for i in range(3)], (each[0] + each[1]) / 2, atol=1e-5)
    teacher = soft.meta["teacher"]
    assert teacher["uri"] == f"{folders[0]} + {folders[1]}"
    assert [m["manifest_sha256"] for m in teacher["members"]] == [manifest_digest(f) for f in folders]
    with pytest.raises(ValueError, match="lists a model twice"):
        run_soft_labels(compose_cfg("soft_labels", common + [f"teacher=[{folders[0]},{folders[0]}]"]))
