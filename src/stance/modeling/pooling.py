"""A mean-pooled classification head over any Hugging Face encoder.

Sentence-embedding checkpoints such as all-MiniLM-L6-v2 were trained to be read by averaging their token
vectors, not through the [CLS] pooler that `AutoModelForSequenceClassification` puts a head on; with
`model.pooling=mean` the head reads the average the checkpoint was trained for.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from torch import nn
from transformers import AutoModel
from transformers.modeling_outputs import SequenceClassifierOutput

HEAD_FILE = "mean_pool_head.safetensors"
HEAD_CONFIG = "mean_pool_head.json"


def masked_mean(hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """The average of the token vectors the mask keeps (padding left out): how sentence-embedding checkpoints are
    read."""
    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-6)


class MeanPoolClassifier(nn.Module):
    """Encoder → masked mean of the last hidden states → dropout → linear layer."""

    def __init__(self, encoder: nn.Module, num_labels: int, dropout: float = 0.1):
        super().__init__()
        self.encoder = encoder
        self.config = encoder.config  # the Trainer and our saving code read model.config
        self.dropout = nn.Dropout(dropout)
        self.classifier = nn.Linear(encoder.config.hidden_size, num_labels)
        nn.init.normal_(self.classifier.weight, std=getattr(encoder.config, "initializer_range", 0.02))
        nn.init.zeros_(self.classifier.bias)

    @classmethod
    def from_encoder(cls, source: str, num_labels: int, dropout: float = 0.1, **kwargs: Any) -> MeanPoolClassifier:
        """A new head on `source`'s encoder; when `source` is itself a mean-pooled classifier with as many
        labels, its head is kept too (fine-tuning a registered model further, as the CLS path does)."""
        if is_mean_pooled(source):
            saved = cls.load(source)
            if saved.classifier.out_features == num_labels:
                return saved
            return cls(saved.encoder, num_labels, dropout)
        return cls(AutoModel.from_pretrained(source, **kwargs), num_labels, dropout)

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor | None = None,
        token_type_ids: torch.Tensor | None = None,
        labels: torch.Tensor | None = None,
        **_: Any,
    ) -> SequenceClassifierOutput:
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids)
        kwargs = {"token_type_ids": token_type_ids} if token_type_ids is not None else {}
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask, **kwargs).last_hidden_state
        logits = self.classifier(self.dropout(masked_mean(hidden, attention_mask)))
        loss = nn.functional.cross_entropy(logits, labels) if labels is not None else None
        return SequenceClassifierOutput(loss=loss, logits=logits)

    def save_pretrained(self, path: str | Path) -> None:
        """The encoder as a normal HF folder plus the head beside it, so the encoder stays reusable."""
        from safetensors.torch import save_file

        path = Path(path)
        self.encoder.save_pretrained(path)
        save_file({k: v.contiguous() for k, v in self.classifier.state_dict().items()}, str(path / HEAD_FILE))
        (path / HEAD_CONFIG).write_text(
            json.dumps({"num_labels": self.classifier.out_features, "dropout": self.dropout.p}, indent=2)
        )

    @classmethod
    def load(cls, path: str | Path) -> MeanPoolClassifier:
        from safetensors.torch import load_file

        path = Path(path)
        head = json.loads((path / HEAD_CONFIG).read_text())
        model = cls(AutoModel.from_pretrained(path), int(head["num_labels"]), float(head.get("dropout", 0.1)))
        model.classifier.load_state_dict(load_file(str(path / HEAD_FILE)))
        return model


def is_mean_pooled(path: str | Path) -> bool:
    return (Path(path) / HEAD_FILE).is_file()
