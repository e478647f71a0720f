"""A short real training run against a temporary SQLite MLflow store."""

from __future__ import annotations

import mlflow
import pytest

from stance.workflows.train import run_training


def test_training_logs_params_metrics_artifacts_and_registers(compose_cfg, tiny_train_overrides, tmp_path):
    cfg = compose_cfg(
        "train", tiny_train_overrides + ["tracking.registered_model=tiny-stance", "tracking.log_model=true"]
    )
    metrics = run_training(cfg)

    labels = list(cfg.data.labels)
    for key in ["eval_macro_f1", "test_macro_f1", "test_accuracy"] + [f"test_f1_{x}" for x in labels]:
        assert key in metrics and 0.0 <= metrics[key] <= 1.0

    client = mlflow.MlflowClient(tracking_uri=cfg.tracking.uri, registry_uri=cfg.tracking.uri)
    run = client.get_run(metrics["run_id"])
    assert run.info.status == "FINISHED"
    params = run.data.params
    assert 30 <= len(params) <= 60, sorted(params)
    assert params["data.name"] == "tiny" and params["model.name"] == "tiny" and params["train.lr"] == str(cfg.train.lr)
    assert params["data.n_train"] == "40"
    for key in ["train_loss", "eval_loss", "eval_macro_f1", "eval_accuracy", "test_macro_f1", "test_ece"]:
        assert key in run.data.metrics, key
    assert {"git_commit", "data_hash", "version.transformers"} <= set(run.data.tags)

    artifacts = {a.path for a in client.list_artifacts(run.info.run_id)}
    assert {"config", "reports", "plots", "label_map.json"} <= artifacts
    plots = {a.path for a in client.list_artifacts(run.info.run_id, "plots")}
    assert "plots/test_confusion_matrix.png" in plots

    version = client.get_model_version_by_alias("tiny-stance", "champion")
    assert version.run_id == run.info.run_id
    model = mlflow.pyfunc.load_model("models:/tiny-stance@champion")
    import pandas as pd

    out = model.predict(pd.DataFrame({"text": ["We must act now.", "Nonsense."]}))
    assert list(out.columns) == ["stance", "stance_score"] + [f"prob_{x}" for x in labels]
    assert out[[f"prob_{x}" for x in labels]].sum(axis=1).round(4).tolist() == [1.0, 1.0]


def test_same_seed_same_metrics_and_the_second_run_reuses_the_tokenised_data(
    compose_cfg, tiny_train_overrides, tmp_path, monkeypatch
):
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "hf_cache"))
    overrides = tiny_train_overrides + ["tracking=none", "train.max_steps=3"]
    first = run_training(compose_cfg("train", overrides))
    cached = sorted((tmp_path / "hf_cache").rglob("cache-*.arrow"))
    assert [p.parent.name for p in cached] == ["dev", "train"]  # tokenised train and dev, once each
    second = run_training(compose_cfg("train", overrides))
    assert sorted((tmp_path / "hf_cache").rglob("cache-*.arrow")) == cached
    keys = [k for k in first if k.startswith(("eval_", "test_"))]
    assert keys and all(first[k] == pytest.approx(second[k], abs=1e-9) for k in keys)


def test_mean_pooling_trains_saves_and_reloads_to_the_same_predictions(compose_cfg, tiny_train_overrides, tmp_path):
    import pandas as pd

    from stance.modeling.pooling import MeanPoolClassifier
    from stance.modeling.predictor import load_predictor

    cfg = compose_cfg("train", tiny_train_overrides + ["tracking=none", "train.max_steps=4", "model.pooling=mean"])
    metrics = run_training(cfg)
    assert 0.0 <= metrics["test_macro_f1"] <= 1.0

    saved = next((tmp_path / "out").rglob("mean_pool_head.safetensors")).parent
    model = load_predictor(str(saved))
    assert isinstance(model.model, MeanPoolClassifier)
    frame = pd.DataFrame({"text": ["We must act now.", "Nonsense, that is a lie.", "The vote is on Monday."]})
    first = model.predict_proba(frame)
    again = load_predictor(str(saved)).predict_proba(frame)
    assert first.shape == (3, len(cfg.data.labels))
    assert first == pytest.approx(again, abs=1e-6)

    # padding must not change a quote's probabilities: the mean ignores masked positions
    alone = model.predict_proba(frame.iloc[[2]])
    assert alone[0] == pytest.approx(first[2], abs=1e-5)


def test_unknown_pooling_is_rejected(compose_cfg, tiny_train_overrides):
    cfg = compose_cfg("train", tiny_train_overrides + ["tracking=none", "model.pooling=max"])
    with pytest.raises(ValueError, match="model.pooling"):
        run_training(cfg)


def test_mean_pooled_model_fine_tunes_further_from_its_own_head(tmp_path, tiny_model_dir):
    import torch

    from stance.modeling.pooling import MeanPoolClassifier

    first = MeanPoolClassifier.from_encoder(str(tiny_model_dir), num_labels=3)
    torch.nn.init.constant_(first.classifier.bias, 0.25)
    first.save_pretrained(tmp_path / "m")
    again = MeanPoolClassifier.from_encoder(str(tmp_path / "m"), num_labels=3)
    assert torch.equal(again.classifier.bias, first.classifier.bias)
    other = MeanPoolClassifier.from_encoder(str(tmp_path / "m"), num_labels=5)  # new label set: new head
    assert other.classifier.out_features == 5
    assert torch.equal(other.encoder.embeddings.word_embeddings.weight, first.encoder.embeddings.word_embeddings.weight)


def test_dev_is_evaluated_in_token_length_order(compose_cfg, tiny_train_overrides, monkeypatch):
    """Each dev evaluation gets the dev rows sorted by token length (less padding): all rows, each once."""
    import json
    from collections import Counter
    from pathlib import Path

    import transformers

    seen = []
    evaluate = transformers.Trainer.evaluate

    def spy(self, *args, **kwargs):
        ds = self.eval_dataset
        seen.append([(len(ids), label) for ids, label in zip(ds["input_ids"], ds["labels"])])
        return evaluate(self, *args, **kwargs)

    monkeypatch.setattr(transformers.Trainer, "evaluate", spy)
    cfg = compose_cfg("train", tiny_train_overrides + ["tracking=none", "train.max_steps=2"])
    run_training(cfg)
    dev = [json.loads(line) for line in (Path(__file__).parent / "fixtures/tiny/dev.jsonl").read_text().splitlines()]
    lengths = [n for n, _ in seen[0]]
    assert lengths == sorted(lengths) and len(set(lengths)) > 1
    labels = list(cfg.data.labels)
    assert Counter(labels[label] for _, label in seen[0]) == Counter(row["label"] for row in dev)
