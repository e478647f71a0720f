"""Shared fixtures: offline, a tiny BERT built locally, and configs composed against a temp MLflow store."""

from __future__ import annotations

import os

os.environ["HF_HUB_OFFLINE"] = "1"  # before transformers is imported anywhere
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["TOKENIZERS_PARALLELISM"] = "false"
os.environ["MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR"] = "false"
os.environ.pop("MLFLOW_TRACKING_URI", None)

import json  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from hydra import compose, initialize_config_dir  # noqa: E402
from hydra.core.global_hydra import GlobalHydra  # noqa: E402
from omegaconf import DictConfig, open_dict  # noqa: E402

from stance.config import CONF_DIR, PROJECT_ROOT  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"


def _fixture_texts() -> list[str]:
    texts = []
    for name in ("train", "dev", "test"):
        for line in (FIXTURES / "tiny" / f"{name}.jsonl").read_text().splitlines():
            texts.append(json.loads(line)["text"])
    return texts


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer, 32-wide BERT with a WordPiece vocabulary trained on the fixture sentences."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import BertConfig, BertForSequenceClassification, PreTrainedTokenizerFast

    folder = tmp_path_factory.mktemp("tiny_bert")
    special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.train_from_iterator(_fixture_texts(), trainers.WordPieceTrainer(vocab_size=400, special_tokens=special))
    cls_id, sep_id = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", cls_id), ("[SEP]", sep_id)],
    )
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
    )
    fast.save_pretrained(folder)
    config = BertConfig(
        vocab_size=fast.vocab_size,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=37,
        max_position_embeddings=128,
    )
    BertForSequenceClassification(config).save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def extractor():
    """The default quote extractor, loaded once for all extraction tests (spaCy loading dominates)."""
    from omegaconf import OmegaConf

    from stance.extract.pipeline import build_extractor

    return build_extractor(OmegaConf.load(CONF_DIR / "extract" / "default.yaml"))


@pytest.fixture(autouse=True)
def _clean_hydra_and_mlflow():
    GlobalHydra.instance().clear()
    yield
    GlobalHydra.instance().clear()
    import mlflow

    while mlflow.active_run() is not None:
        mlflow.end_run()


@pytest.fixture
def compose_cfg(tmp_path: Path) -> Callable[..., DictConfig]:
    """Compose a primary config the way the CLI does, with outputs and the MLflow store in tmp_path."""

    def _compose(config_name: str = "train", overrides: list[str] | None = None) -> DictConfig:
        base = [
            f"tracking.uri=sqlite:///{tmp_path}/mlflow.db",
            f"tracking.artifact_dir={tmp_path}/mlartifacts",
        ]
        with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
            cfg = compose(config_name=config_name, overrides=base + list(overrides or []))
        with open_dict(cfg):
            cfg.paths.output_dir = str(tmp_path / "out")
        return cfg

    return _compose


@pytest.fixture
def tiny_train_overrides(tiny_model_dir: Path) -> list[str]:
    return ["data=tiny", "model=tiny", f"model.pretrained={tiny_model_dir}", "train=fast"]
