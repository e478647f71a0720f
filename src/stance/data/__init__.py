"""Labelled data: loading, validation and the corpora the trainer knows."""
