"""extract.n_process and extract.batch_size: worker processes give exactly the output,
the order and the per-article faults of one process; workers start from a fork server (or spawn), never fork."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir

from stance.config import CONF_DIR
from stance.extract import pipeline
from stance.extract.pipeline import ArticleFault, QuoteExtractor, build_extractor
from stance.workflows.extract import run_extraction

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "data" / "sample_articles").glob("*.txt"))[:5]
PARAGRAPH = 'The mayor said the bridge would reopen in May. "We are ready," she added.\n\n'


class Exploding:
    """The default rules, failing (as a bug would) on an article holding BOOMWORD; importable by the workers."""

    def __init__(self, inner):
        self.inner = inner

    def find(self, article):
        if "BOOMWORD" in article.text:
            raise RuntimeError("simulated bug")
        return self.inner.find(article)


def _articles() -> list[tuple[str, object]]:
    items: list[tuple[str, object]] = [(p.stem, p.read_text(encoding="utf-8")) for p in SAMPLES]
    items.insert(1, ("too_long", "x " * 3000))  # over max_chars: a fault before parsing
    items.insert(3, ("boom", "The minister said the BOOMWORD plan was sound.\n"))  # a fault inside a worker
    items.insert(4, ("parts", PARAGRAPH * 20))  # over part_chars: parsed in parts by the calling process
    items.insert(5, ("not_text", 42))
    items.append(("blank", "  \n"))
    return items


def _run(extractor, n_process: int) -> tuple[list, list]:
    ex = QuoteExtractor(
        Exploding(extractor.extractor), extractor.attributor, n_process=n_process, batch_size=2,
        max_chars=5000, part_chars=1000, nlp=extractor.nlp if n_process == 1 else None,
    )  # fmt: skip
    faults: list[ArticleFault] = []
    out = [(aid, [q.to_dict() for q in quotes]) for aid, quotes in ex.extract_many(_articles(), on_error=faults.append)]
    return out, [(f.article_id, f.reason) for f in faults]


def test_two_processes_give_the_output_order_and_faults_of_one(extractor):
    one, one_faults = _run(extractor, 1)
    two, two_faults = _run(extractor, 2)
    expected = [SAMPLES[0].stem, SAMPLES[1].stem, "parts", *[p.stem for p in SAMPLES[2:]], "blank"]
    assert [aid for aid, _ in one] == expected
    assert sum(len(q) for _, q in one) > 10 and dict(one)["parts"]  # real quotes, the long article's included
    assert two == one
    assert [aid for aid, _ in one_faults] == ["too_long", "boom", "not_text"]
    assert "RuntimeError: simulated bug" in dict(one_faults)["boom"]
    assert two_faults == one_faults


def test_workers_are_never_forked_from_this_process(extractor, monkeypatch):
    seen = []

    class Recording(pipeline.ProcessPoolExecutor):
        def __init__(self, *args, mp_context=None, **kwargs):
            seen.append(mp_context.get_start_method())
            super().__init__(*args, mp_context=mp_context, **kwargs)

    monkeypatch.setattr(pipeline, "ProcessPoolExecutor", Recording)
    ex = QuoteExtractor(extractor.extractor, extractor.attributor, n_process=2, batch_size=1)
    assert [aid for aid, _ in ex.extract_many([("a", PARAGRAPH), ("b", PARAGRAPH)])] == ["a", "b"]
    assert seen == (["forkserver"] if "forkserver" in multiprocessing.get_all_start_methods() else ["spawn"])


def test_a_fault_in_a_worker_raises_without_on_error(extractor):
    ex = QuoteExtractor(Exploding(extractor.extractor), extractor.attributor, n_process=2, batch_size=1)
    with pytest.raises(ArticleFault, match="article 'boom': quote extraction failed: RuntimeError: simulated bug"):
        list(ex.extract_many([("a", PARAGRAPH), ("boom", "Ann said the BOOMWORD plan was sound.\n")]))


def test_config_keys_reach_the_extractor():
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        cfg = compose(config_name="extract", overrides=["input=x", "output=y.jsonl", "extract.n_process=3",
                                                       "extract.batch_size=5", "extract.part_chars=777"])  # fmt: skip
    ex = build_extractor(cfg.extract, nlp=object())
    assert (ex.n_process, ex.batch_size, ex.part_chars) == (3, 5, 777)
    default = build_extractor({}, nlp=object())
    assert (default.n_process, default.batch_size) == (1, 16)


def test_stance_extract_with_two_processes_writes_the_same_files(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    for p in SAMPLES[:3]:
        (folder / p.name).write_text(p.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "b_long.txt").write_text("x " * 3000, encoding="utf-8")
    (folder / "c_binary.txt").write_bytes(b"abc\x00def said the man")
    outputs = {}
    for n in (1, 2):
        out = tmp_path / f"quotes{n}.jsonl"
        with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
            cfg = compose(config_name="extract", overrides=[f"input={folder}", f"output={out}", "on_error=skip",
                          "extract.max_chars=5000", "extract.batch_size=2", f"extract.n_process={n}"])  # fmt: skip
        summary = run_extraction(cfg)
        assert summary["rejected"] == 2 and summary["articles"] == 3
        rejects = [json.loads(line) for line in Path(str(out) + ".rejects.jsonl").read_text().splitlines()]
        outputs[n] = (out.read_text(encoding="utf-8"), [(Path(r["source"]).name, r["reason"]) for r in rejects])
    assert outputs[1][0].count("\n") > 5
    assert outputs[2] == outputs[1]
