"""stance-pipeline end to end: articles in (good, empty, binary, hostile), quotes + speakers + report out,
counts consistent everywhere, MLflow run in `stance-pipeline`, nothing left behind by a failed run."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import mlflow
import pandas as pd
import pytest
import yaml
from hydra import compose, initialize_config_dir
from omegaconf import DictConfig

from stance.config import CONF_DIR, PROJECT_ROOT
from stance.extract.articles import ArticleError
from stance.workflows import pipeline as pipeline_module
from stance.workflows.pipeline import run_pipeline
from stance.workflows.train import run_training

ARTICLES = {
    "council.txt": (
        "Mayor Jane Roe said the bridge would reopen on Monday.\n\n"
        '"We must repair it now, before the winter comes," Roe told reporters.\n\n'
        'Councillor Tom Brandt disagreed. "It is a waste of public money," Brandt said.\n'
    ),
    "hostile.txt": (
        'Security researcher Ana Lopez warned: "Never paste <script>alert(1)</script> into the comment form," '
        "adding that the site had been patched.\n"
    ),
    "empty.txt": "",
}
BINARY = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00"
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def store(tiny_model_dir, tmp_path_factory) -> dict[str, str]:
    """A temp MLflow store with the tiny model trained, registered as `stance` and aliased @champion."""
    folder = tmp_path_factory.mktemp("pipeline_store")
    uri = f"sqlite:///{folder}/mlflow.db"
    overrides = [
        "data=tiny",
        "model=tiny",
        f"model.pretrained={tiny_model_dir}",
        "train=fast",
        f"tracking.uri={uri}",
        f"tracking.artifact_dir={folder}/mlartifacts",
        f"paths.output_dir={folder}/train",
    ]
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        cfg = compose("train", overrides=overrides)
    run_training(cfg)
    return {"uri": uri, "artifacts": f"{folder}/mlartifacts", "model_dir": f"{folder}/train/model"}


@pytest.fixture
def articles(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "binary.txt").write_bytes(BINARY)
    return folder


def pipeline_cfg(store: dict[str, str] | None, inp: Path, out: Path, *extra: str) -> DictConfig:
    base = [f"input={inp}", f"output={out}", "progress=false"]
    if store is None:
        base.append("tracking=none")
    else:
        base += [f"tracking.uri={store['uri']}", f"tracking.artifact_dir={store['artifacts']}"]
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        return compose("pipeline", overrides=[*base, *extra])


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture
def finished(store, articles, tmp_path) -> tuple[dict, Path]:
    out = tmp_path / "out"
    summary = run_pipeline(pipeline_cfg(store, articles, out, "jsonl=true", "chunk_size=2"))
    return summary, out


def test_outputs_exist_and_counts_agree(finished):
    summary, out = finished
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["quotes.parquet", "quotes.jsonl", "speakers.csv", "report.html", "rejects.jsonl"]
    )
    quotes = pd.read_parquet(out / "quotes.parquet")
    assert summary["articles"] == 2 and summary["rejected"] == 2
    assert len(quotes) == summary["quotes"] == len(read_jsonl(out / "quotes.jsonl")) > 0
    assert set(quotes["article_id"]) == {"council", "hostile"}
    labels = summary["labels"]
    counts = quotes["stance"].value_counts().to_dict()
    assert {label: counts.get(label, 0) for label in labels} == summary["stance_counts"]
    # the extraction record is kept, and the stance columns are added
    assert {"quote_id", "text", "start", "end", "cue", "speaker", "speaker_type", "context"} <= set(quotes.columns)
    article = ARTICLES["council.txt"]
    for row in quotes[quotes["article_id"] == "council"].itertuples():
        assert article[row.start : row.end] == row.text

    speakers = pd.read_csv(out / "speakers.csv", keep_default_na=False)
    assert speakers["quotes"].sum() == summary["quotes"]
    for label in labels:
        assert speakers[f"n_{label}"].sum() == summary["stance_counts"][label]
    resolved = quotes[quotes["speaker"].notna()]
    expected = resolved.groupby("speaker_id").size().to_dict()  # one row per speaker_id, merged across articles
    got = {r.speaker_id: r.quotes for r in speakers[speakers["resolved"]].itertuples()}
    assert got == expected and any("Tom Brandt" in s for s in speakers["speaker"])
    unresolved = speakers[~speakers["resolved"]]
    assert unresolved["quotes"].sum() == quotes["speaker"].isna().sum() == summary["unresolved_quotes"]
    top = speakers.set_index("speaker").loc["Jane Roe", "typical_quote_1"]
    best = resolved[resolved["speaker"] == "Jane Roe"].sort_values("stance_score").iloc[-1]
    assert top.startswith(f"[{best['stance']} {best['stance_score']:.2f}]")


def test_probabilities_and_low_confidence(finished):
    summary, out = finished
    quotes = pd.read_parquet(out / "quotes.parquet")
    prob_cols = [f"prob_{label}" for label in summary["labels"]]
    probs = quotes[prob_cols].to_numpy()
    assert abs(probs.sum(axis=1) - 1).max() < 1e-4
    assert (quotes["stance"] == [summary["labels"][i] for i in probs.argmax(axis=1)]).all()
    assert (abs(quotes["stance_score"] - probs.max(axis=1)) < 1e-6).all()
    assert (quotes["low_confidence"] == (quotes["stance_score"] < 0.5)).all()
    assert summary["low_confidence"] == int(quotes["low_confidence"].sum())


def test_low_confidence_follows_the_configured_threshold(store, articles, tmp_path):
    """tracking=none and a local model folder work too; a threshold inside the score range flags some, not all."""
    first = run_pipeline(pipeline_cfg(None, articles, tmp_path / "a", f"model_uri={store['model_dir']}"))
    scores = pd.read_parquet(tmp_path / "a" / "quotes.parquet")["stance_score"].sort_values().to_numpy()
    threshold = float((scores[0] + scores[-1]) / 2)
    assert scores[0] < threshold < scores[-1]
    run_pipeline(
        pipeline_cfg(None, articles, tmp_path / "b", f"model_uri={store['model_dir']}", f"low_confidence={threshold}")
    )
    quotes = pd.read_parquet(tmp_path / "b" / "quotes.parquet")
    assert len(quotes) == first["quotes"]  # flagged, never dropped
    assert (quotes["low_confidence"] == (quotes["stance_score"] < threshold)).all()
    assert 0 < quotes["low_confidence"].sum() < len(quotes)
    assert "run_id" not in first


def test_rejects_list_the_bad_articles_with_their_reason(finished):
    _, out = finished
    rejects = {Path(r["source"]).name: r["reason"] for r in read_jsonl(out / "rejects.jsonl")}
    assert set(rejects) == {"empty.txt", "binary.txt"}
    assert "empty" in rejects["empty.txt"]
    assert "binary" in rejects["binary.txt"] or "UTF-8" in rejects["binary.txt"]


def test_report_escapes_article_text_and_loads_nothing_external(finished):
    summary, out = finished
    html = (out / "report.html").read_text(encoding="utf-8")
    quotes = pd.read_parquet(out / "quotes.parquet")
    assert quotes["text"].str.contains(SCRIPT, regex=False).any()  # the hostile quote was extracted
    assert SCRIPT not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.count("<script") == 1  # the report's own filter script, nothing from the articles
    assert not re.search(r"""(?:src|href|url)\s*[=(]\s*["']?\s*(?:https?:)?//""", html, re.I)
    assert 'id="speaker-chart"' in html
    assert len(re.findall(r'<div class="quote[ "]', html)) == summary["quotes"]
    for article_id in ("council", "hostile"):
        assert f'data-article-id="{article_id}"' in html
    assert (Path(summary["input"]) / "council.txt").resolve().as_uri() in html  # link back to the source file


def test_mlflow_run_in_stance_pipeline_experiment(finished, store):
    summary, out = finished
    client = mlflow.MlflowClient(tracking_uri=store["uri"])
    run = client.get_run(summary["run_id"])
    experiment = client.get_experiment(run.info.experiment_id)
    assert experiment.name == "stance-pipeline" and run.info.status == "FINISHED"
    params = run.data.params
    assert params["input"] == summary["input"] and params["output"] == str(out)
    assert params["model_uri"] == "models:/stance@champion"
    champion = client.get_model_version_by_alias("stance", "champion").version
    assert params["model_version"] == str(champion) == summary["model_version"]
    metrics = run.data.metrics
    for key in ("articles", "quotes", "rejected", "low_confidence"):
        assert metrics[key] == summary[key]
    for label in summary["labels"]:
        assert metrics[f"quotes_{label}"] == summary["stance_counts"][label]
    assert {"extract_seconds", "classify_seconds", "articles_per_s", "quotes_per_s"} <= set(metrics)
    assert {a.path for a in client.list_artifacts(run.info.run_id)} >= {"report.html", "speakers.csv"}


def test_interrupted_run_leaves_no_files(store, articles, tmp_path, monkeypatch):
    calls = []
    real = pipeline_module.predict_frame

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("model crashed")
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline_module, "predict_frame", flaky)
    out = tmp_path / "out"
    with pytest.raises(RuntimeError, match="model crashed"):
        run_pipeline(pipeline_cfg(store, articles, out, "jsonl=true", "chunk_size=1"))
    assert len(calls) == 2  # one chunk had been classified and written before the crash
    assert list(out.iterdir()) == []  # no output, no temp file
    client = mlflow.MlflowClient(tracking_uri=store["uri"])
    experiment = client.get_experiment_by_name("stance-pipeline")
    runs = client.search_runs([experiment.experiment_id], order_by=["attributes.start_time DESC"], max_results=1)
    assert runs[0].info.status == "FAILED"


def test_on_error_raise_stops_at_the_bad_article_and_writes_nothing(store, articles, tmp_path):
    out = tmp_path / "out"
    with pytest.raises(ArticleError, match="binary.txt"):
        run_pipeline(pipeline_cfg(None, articles, out, f"model_uri={store['model_dir']}", "on_error=raise"))
    assert list(out.iterdir()) == []


def test_table_of_articles_with_a_bad_row(store, tmp_path):
    rows = [
        {"id": "a1", "text": ARTICLES["council.txt"]},
        {"id": "a2", "text": ""},
        {"id": "a3", "text": ARTICLES["hostile.txt"]},
    ]
    table = tmp_path / "articles.jsonl"
    table.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "out"
    summary = run_pipeline(pipeline_cfg(None, table, out, f"model_uri={store['model_dir']}"))
    assert (summary["articles"], summary["rejected"]) == (2, 1)
    (reject,) = read_jsonl(out / "rejects.jsonl")
    assert (reject["line"], reject["row"]["id"]) == (2, "a2") and "field 'text'" in reject["reason"]
    assert set(pd.read_parquet(out / "quotes.parquet")["article_id"]) == {"a1", "a3"}
    assert not (out / "quotes.jsonl").exists()


def test_cli_composes_without_running(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_TRACKING", "STANCE_"))}
    env["PYTHONPATH"] = os.pathsep.join([str(PROJECT_ROOT / "src"), env.get("PYTHONPATH", "")])
    args = ["--cfg", "job", "input=articles/", "output=out/", "jsonl=true", "low_confidence=0.4"]
    result = subprocess.run(
        [sys.executable, "-m", "stance.cli.pipeline", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    cfg = yaml.safe_load(result.stdout)
    assert (cfg["task_name"], cfg["input"], cfg["output"]) == ("pipeline", "articles/", "out/")
    assert cfg["model_uri"] == "models:/stance@champion" and cfg["on_error"] == "skip"
    assert cfg["jsonl"] is True and cfg["low_confidence"] == 0.4
    assert cfg["tracking"]["experiment"] == "stance-pipeline"
    assert cfg["extract"]["extractor"]["_target_"] == "stance.extract.rules.RuleExtractor"
    assert list(tmp_path.iterdir()) == []  # printing the config writes nothing


def test_demo_pipeline_config_composes():
    from stance.cli import demo

    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        cfg = compose("pipeline", overrides=demo.pipeline_overrides())
    sample = Path(cfg.input)
    assert sample == demo.SAMPLE_ARTICLES and sample.is_dir()
    assert len(list(sample.glob("*.txt"))) >= 25
    assert Path(cfg.output) == demo.OUT_DIR and cfg.model_uri == "models:/stance@champion"


def test_an_article_longer_than_max_chars_is_rejected_not_fatal(store, tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "council.txt").write_text(ARTICLES["council.txt"], encoding="utf-8")
    (folder / "long.txt").write_text("Words and more words. " * 50, encoding="utf-8")
    out = tmp_path / "out"
    limit = len(ARTICLES["council.txt"]) + 1
    summary = run_pipeline(
        pipeline_cfg(None, folder, out, f"model_uri={store['model_dir']}", f"extract.max_chars={limit}")
    )
    assert (summary["articles"], summary["rejected"]) == (1, 1)
    (reject,) = read_jsonl(out / "rejects.jsonl")
    assert Path(reject["source"]).name == "long.txt" and "extract.max_chars" in reject["reason"]


def test_outputs_get_the_users_umask_not_the_temp_files_0600(store, articles, tmp_path):
    """Every file in out/ (the report included) gets the mode a plain open() would give."""
    old = os.umask(0o027)
    try:
        run_pipeline(pipeline_cfg(store, articles, tmp_path / "out", "jsonl=true"))
    finally:
        os.umask(old)
    modes = {p.name: p.stat().st_mode & 0o777 for p in (tmp_path / "out").iterdir()}
    assert {"report.html", "speakers.csv", "quotes.parquet", "quotes.jsonl", "rejects.jsonl"} <= set(modes)
    assert set(modes.values()) == {0o640}, modes


def test_an_article_that_breaks_the_extractor_is_rejected_not_fatal(store, tmp_path, monkeypatch):
    """Skip mode (the pipeline's default) skips every per-article fault, a bug in the extractor included."""
    from stance.extract.rules import RuleExtractor

    find = RuleExtractor.find

    def failing_find(self, art):
        if "BOOMWORD" in art.text:
            raise RuntimeError("simulated bug")
        return find(self, art)

    monkeypatch.setattr(RuleExtractor, "find", failing_find)
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "council.txt").write_text(ARTICLES["council.txt"], encoding="utf-8")
    (folder / "boom.txt").write_text("The minister said the BOOMWORD plan was sound.\n", encoding="utf-8")
    out = tmp_path / "out"
    summary = run_pipeline(pipeline_cfg(None, folder, out, f"model_uri={store['model_dir']}"))
    assert (summary["articles"], summary["rejected"]) == (1, 1) and summary["quotes"] > 0
    (reject,) = read_jsonl(out / "rejects.jsonl")
    assert Path(reject["source"]).name == "boom.txt" and "quote extraction failed" in reject["reason"]
    with pytest.raises(ArticleError, match=r"boom\.txt: article 'boom': quote extraction failed"):
        run_pipeline(pipeline_cfg(None, folder, tmp_path / "out2", f"model_uri={store['model_dir']}", "on_error=raise"))


SAME_PERSON = {
    "a.txt": 'Mayor Ann M. Kessler said the bridge would reopen on Monday.\n\n"It is safe," Kessler added.\n',
    "b.txt": '"We will not wait," said Ann Kessler, the mayor.\n',
    "c.txt": "Kessler said the road was open. Tom Brandt said it was not.\n",
}


def test_speaker_ids_merge_one_person_across_articles(store, tmp_path):
    folder = tmp_path / "same"
    folder.mkdir()
    for name, text in SAME_PERSON.items():
        (folder / name).write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    summary = run_pipeline(pipeline_cfg(None, folder, out, f"model_uri={store['model_dir']}", "jsonl=true"))
    quotes = pd.read_parquet(out / "quotes.parquet")
    kessler = quotes[quotes["speaker"].fillna("").str.contains("Kessler")]
    assert set(kessler["article_id"]) == {"a", "b", "c"} and kessler["speaker_id"].nunique() == 1
    assert quotes["speaker_id"].isna().tolist() == quotes["speaker"].isna().tolist()
    assert [r["speaker_id"] for r in read_jsonl(out / "quotes.jsonl")] == quotes["speaker_id"].tolist()
    speakers = pd.read_csv(out / "speakers.csv", keep_default_na=False)
    row = speakers.set_index("speaker_id").loc[kessler["speaker_id"].iloc[0]]
    assert (row["speaker"], row["quotes"], row["articles"]) == ("Ann M. Kessler", len(kessler), 3)
    assert set(row["aliases"].split("; ")) == {"Ann M. Kessler", "Mayor Ann M. Kessler", "Kessler", "Ann Kessler"}
    assert speakers["quotes"].sum() == summary["quotes"] and summary["speakers"] == int(speakers["resolved"].sum())
    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.count(f'data-speaker="{row.name}"') == len(kessler) + 1  # every quote row and the chart bar


def test_a_failing_speaker_pass_leaves_no_files(store, articles, tmp_path, monkeypatch):
    import stance.workflows.pipeline_speakers as speakers_module

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(speakers_module, "write_speaker_ids", broken)
    out = tmp_path / "out"
    with pytest.raises(RuntimeError, match="disk full"):
        run_pipeline(pipeline_cfg(None, articles, out, f"model_uri={store['model_dir']}", "jsonl=true"))
    assert list(out.iterdir()) == []


def test_speaker_scratch_folders_of_dead_runs_are_removed_and_our_own_at_close(tmp_path):
    from stance.workflows.pipeline_speakers import PipelineSpeakers

    dead = tmp_path / ".stance-pipeline-999999999-abc"  # no process has this id
    live = tmp_path / f".stance-pipeline-{os.getpid()}-abc"
    dead.mkdir()
    live.mkdir()
    speakers = PipelineSpeakers(tmp_path)
    assert not dead.exists() and live.exists() and speakers.scratch.is_dir()
    speakers.writer("quotes.parquet").write(pd.DataFrame({"x": [1]}))
    speakers.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == [live.name]
