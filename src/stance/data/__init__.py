"""Labelled data: loading, validation and the corpora the trainer knows, as Hugging Face datasets."""

import os

os.environ.setdefault("HF_DATASETS_OFFLINE", "1")  # before `datasets` is imported: our data never comes from the hub

from stance.data.loading import as_frame, cache_dir, load_dataset, to_dataset  # noqa: E402

__all__ = ["as_frame", "cache_dir", "load_dataset", "to_dataset"]
