"""Plain functions behind each command (`run_training(cfg)`, `run_classify(cfg)`), callable from tests and notebooks."""
