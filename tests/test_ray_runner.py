"""runner=ray against runner=local: the same rows, values, order and rejects, on one local 2-CPU Ray.

One Ray instance serves the module (starting it and its actors dominates the time). Each test runs the same
config with runner=local and runner=ray and compares the files they wrote. The default suite runs the folder of
tables test (every input format, bad rows, two actors); extraction, the pipeline, each format alone and on_error=raise
are `slow` (`make test-slow`): each Ray run costs tens of seconds of actor start-up on a busy 2-core machine.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
import ray
from hydra import compose, initialize_config_dir
from omegaconf import DictConfig, OmegaConf

from stance.config import CONF_DIR, ConfigError, validate_config
from stance.io import TableError
from stance.runners import ray_engine
from stance.workflows.classify import run_classify
from stance.workflows.extract import run_extraction
from stance.workflows.pipeline import run_pipeline

# Two actors of one CPU take the whole 2-CPU Ray: the read tasks must still run (they reserve no CPU).
RAY = ["runner=ray", "runner.num_actors=2", "runner.num_cpus_per_actor=1"]

ARTICLES = {
    "council.txt": (
        "Mayor Jane Roe said the bridge would reopen on Monday.\n\n"
        '"We must repair it now, before the winter comes," Roe told reporters.\n\n'
        'Councillor Tom Brandt disagreed. "It is a waste of public money," Brandt said.\n'
    ),
    "sub/health.txt": (
        'Dr. Amy Chen, a virologist, said: "The vaccine is safe and it works."\n\n'
        'Critics called the campaign "a reckless experiment", according to the Daily Post.\n'
    ),
    "sub/deep/port.txt": (
        "The harbour master, Lars Berg, said the port would stay open.\n\n"
        '"Nobody will lose their job," Berg told the union on Friday.\n'
    ),
    "empty.txt": "",
    "weather.txt": "It rained all day in the north, and the forecast is for more of the same.\n",
}


@pytest.fixture(scope="module", autouse=True)
def local_ray():
    """One embedded 2-CPU Ray for the module; the runners use it instead of starting their own."""
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield
    ray.shutdown()


def compose_cfg(name: str, *overrides: str) -> DictConfig:
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        cfg = compose(name, overrides=[*(["progress=false"] if name != "extract" else []), *overrides])
    return validate_config(cfg)


def quote_tables(folder: Path) -> Path:
    """A folder of quote tables: JSONL with unreadable and unclassifiable rows, CSV in a sub-folder, Parquet."""
    folder.mkdir()
    rows = [{"id": f"j{i}", "text": f"We must act now on river {i}.", "n": i} for i in range(7)]
    rows[2]["text"] = None
    rows[4]["text"] = 5
    lines = [json.dumps(r) for r in rows]
    lines.insert(3, "{not json")
    (folder / "a.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "sub").mkdir()
    csv = "id,text,speaker\nc1,It is a disaster.,Ana\nc2,=HYPERLINK(1),Bob\nc3,only two\nc4,,Eve\nc5,Fine by us.,Zoë\n"
    (folder / "sub" / "b.csv").write_text(csv, encoding="utf-8")
    pd.DataFrame(
        {"id": ["p1", "p2", "p3"], "text": ["Nonsense.", "Yes.", "The plan works."], "x": [1.5, 2.5, None]}
    ).to_parquet(folder / "c.parquet")
    return folder


def article_folder(folder: Path) -> Path:
    for name, text in ARTICLES.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe")
    return folder


def assert_same_parquet(local: Path, remote: Path) -> None:
    a, b = pq.read_table(local), pq.read_table(remote)
    assert a.schema.equals(b.schema, check_metadata=True)
    assert a.num_rows > 0
    pd.testing.assert_frame_equal(a.to_pandas(), b.to_pandas())


def test_classify_folder_of_tables_matches_local_with_rejects(tmp_path, tiny_model_dir):
    """JSONL, CSV (sub-folder) and Parquet in one folder, bad rows skipped, 3-row chunks over 2 actors."""
    folder = quote_tables(tmp_path / "quotes")
    outs = {}
    for runner, extra in (("local", ["runner=local"]), ("ray", RAY)):
        outs[runner] = tmp_path / f"{runner}.parquet"
        summary = run_classify(
            compose_cfg(
                "classify",
                f"input={folder}",
                f"output={outs[runner]}",
                f"model_uri={tiny_model_dir}",
                "tracking=none",
                "on_error=skip",
                "chunk_size=3",
                *extra,
            )
        )
        assert summary["rows"] == 11 and summary["rejected"] == 5
    assert_same_parquet(outs["local"], outs["ray"])
    assert pd.read_parquet(outs["ray"])["id"].tolist()[:3] == ["j0", "j1", "j3"]  # input order, bad rows left out
    local_rejects = Path(f"{outs['local']}.rejects.jsonl").read_text(encoding="utf-8")
    assert Path(f"{outs['ray']}.rejects.jsonl").read_text(encoding="utf-8") == local_rejects
    assert [json.loads(line)["line"] for line in local_rejects.splitlines()] == [3, 4, 6, 4, 5]


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_classify_each_format_matches_local(tmp_path, tiny_model_dir, fmt):
    """One file of each format in, the same format out: the bytes of JSONL and CSV, the table of Parquet."""
    folder = quote_tables(tmp_path / "quotes")
    source = {"jsonl": folder / "a.jsonl", "csv": folder / "sub" / "b.csv", "parquet": folder / "c.parquet"}[fmt]
    outs = {}
    for runner, extra in (("local", []), ("ray", RAY)):
        outs[runner] = tmp_path / f"{runner}.{fmt}"
        cfg = compose_cfg(
            "classify",
            f"input={source}",
            f"output={outs[runner]}",
            f"model_uri={tiny_model_dir}",
            "tracking=none",
            "on_error=skip",
            *extra,
        )
        run_classify(cfg)
    if fmt == "parquet":
        assert_same_parquet(outs["local"], outs["ray"])
    else:
        assert outs["ray"].read_bytes() == outs["local"].read_bytes()


@pytest.mark.slow
def test_classify_raise_stops_with_the_local_error_and_writes_nothing(tmp_path, tiny_model_dir):
    folder = quote_tables(tmp_path / "quotes")
    errors = {}
    for runner, extra in (("local", []), ("ray", RAY)):
        out = tmp_path / f"{runner}.parquet"
        with pytest.raises(TableError) as caught:
            run_classify(
                compose_cfg(
                    "classify",
                    f"input={folder}",
                    f"output={out}",
                    f"model_uri={tiny_model_dir}",
                    "tracking=none",
                    *extra,
                )
            )
        errors[runner] = str(caught.value)
        assert not out.exists() and not list(tmp_path.glob(f".{out.name}*"))
    assert errors["ray"] == errors["local"]
    assert "a.jsonl, line 4: invalid JSON" in errors["ray"]  # read before line 3 is checked, as locally


@pytest.mark.slow
def test_extract_folder_matches_local(tmp_path):
    """Sub-folders, an empty and a binary article (rejected), two articles per Ray batch."""
    folder = article_folder(tmp_path / "articles")
    outs = {}
    for runner, extra in (("local", []), ("ray", [*RAY, "runner.num_actors=1", "runner.batch_size=2"])):
        outs[runner] = tmp_path / f"{runner}.jsonl"
        summary = run_extraction(
            compose_cfg("extract", f"input={folder}", f"output={outs[runner]}", "on_error=skip", *extra)
        )
        assert summary["articles"] == 4 and summary["rejected"] == 2 and summary["quotes"] >= 4
    assert outs["ray"].read_text(encoding="utf-8") == outs["local"].read_text(encoding="utf-8")
    ids = [json.loads(line)["article_id"] for line in outs["ray"].read_text(encoding="utf-8").splitlines()]
    assert ids == sorted(ids, key=["council", "sub/deep/port", "sub/health"].index)
    rejects = {
        runner: sorted(Path(f"{o}.rejects.jsonl").read_text(encoding="utf-8").splitlines())
        for runner, o in outs.items()
    }
    assert rejects["ray"] == rejects["local"] and len(rejects["ray"]) == 2


@pytest.mark.slow  # 41 s on this shared 2-core machine (load ~20), over the file's budget with the classify test
def test_pipeline_matches_local(tmp_path, tiny_model_dir):
    folder = article_folder(tmp_path / "articles")
    outs = {}
    for runner, extra in (("local", []), ("ray", [*RAY, "runner.num_actors=1", "runner.batch_size=8"])):
        outs[runner] = tmp_path / runner
        summary = run_pipeline(
            compose_cfg(
                "pipeline",
                f"input={folder}",
                f"output={outs[runner]}",
                f"model_uri={tiny_model_dir}",
                "tracking=none",
                "jsonl=true",
                *extra,
            )
        )
        assert summary["articles"] == 4 and summary["rejected"] == 2 and summary["quotes"] >= 4
    local, remote = outs["local"], outs["ray"]
    assert_same_parquet(local / "quotes.parquet", remote / "quotes.parquet")
    for name in ("quotes.jsonl", "speakers.csv", "rejects.jsonl"):
        assert (remote / name).read_text(encoding="utf-8") == (local / name).read_text(encoding="utf-8"), name
    assert (remote / "report.html").is_file()


# ---- settings (no Ray work) ----------------------------------------------------------------------------


def test_local_runner_refuses_ray_settings():
    with pytest.raises(ConfigError, match=r"runner.address' is a setting of runner=ray.*add runner=ray"):
        compose_cfg("classify", "input=a.jsonl", "output=b.jsonl", "+runner.address=auto")


@pytest.mark.parametrize(
    "override, message",
    [
        ("runner.address=somewhere", "not a Ray address"),
        ("runner.num_actors=0", "at least 1"),
        ("runner.num_actors=two", "runner.num_actors"),
        ("+runner.num_actor=2", "unknown config key 'runner.num_actor'"),
    ],
)
def test_ray_runner_settings_are_checked(override, message):
    with pytest.raises(ConfigError, match=message):
        compose_cfg("extract", "input=a", "output=b.jsonl", "runner=ray", override)


@pytest.mark.parametrize("address", ["auto", "ray://head:10001", "head:6379"])
def test_ray_addresses_are_accepted(address):
    assert (
        compose_cfg("pipeline", "input=a", "output=b", "runner=ray", f"runner.address={address}").runner.address
        == address
    )


@pytest.mark.parametrize("address, expected", [("", {"num_cpus": 3}), ("auto", {"address": "auto"})])
def test_connect_starts_embedded_ray_or_joins_the_address(monkeypatch, address, expected):
    """An empty address starts a local Ray (capped by num_cpus), any other joins it; both disconnect after."""
    calls: list = []
    monkeypatch.setattr(ray, "is_initialized", lambda: False)
    monkeypatch.setattr(ray, "init", lambda **kw: calls.append(("init", kw)))
    monkeypatch.setattr(ray, "cluster_resources", lambda: {})
    monkeypatch.setattr(ray, "shutdown", lambda: calls.append(("shutdown", {})))
    runner = OmegaConf.create({"name": "ray", "address": address, "num_cpus": 3})
    with ray_engine.connect(runner):
        assert calls[0][0] == "init" and expected.items() <= calls[0][1].items()
    assert calls[-1][0] == "shutdown"


def test_connect_reuses_a_connected_ray():
    with ray_engine.connect(OmegaConf.create({"name": "ray", "address": "ray://elsewhere:1"})):
        assert ray.is_initialized()
    assert ray.is_initialized()  # the module's Ray was not shut down


@pytest.mark.parametrize(
    ("threads", "per_actor", "expected"), [(0, 1, 1), (0, 2, 2), (0, 0.5, 1), (0, None, 1), (3, 1, 3)]
)
def test_an_actor_runs_as_many_threads_as_ray_gave_it_cpus(threads, per_actor, expected):
    """`classify.threads=0` is every core for a local run, but an actor's share of the node for a Ray actor: two
    1-CPU actors on a 2-core node must not each start two threads. An explicit thread count stays as given."""
    from omegaconf import OmegaConf

    from stance.runners.ray_engine import actor_inference

    inference = {"backend": "torch", "quantize": True, "threads": threads, "cache_dir": None}
    runner = OmegaConf.create({"num_actors": 2, "num_cpus_per_actor": per_actor})
    assert actor_inference(runner, inference) == {**inference, "threads": expected}
