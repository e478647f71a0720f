"""Expected calibration error: `stance_score` should mean what it says, and the metric must tell when it does not."""

from __future__ import annotations

import numpy as np
import pytest

from stance.modeling.metrics import expected_calibration_error


def _probs(top: np.ndarray, n_labels: int = 3) -> np.ndarray:
    """Rows whose first label has probability `top`, the rest shared evenly."""
    rest = (1 - top)[:, None] / (n_labels - 1)
    return np.hstack([top[:, None], np.repeat(rest, n_labels - 1, axis=1)])


def test_a_calibrated_model_scores_near_zero():
    rng = np.random.default_rng(0)
    top = rng.uniform(0.4, 1.0, 20_000)
    y = np.where(rng.uniform(size=top.size) < top, 0, 1)  # right exactly as often as it claims
    assert expected_calibration_error(_probs(top), y) < 0.02


def test_an_overconfident_model_scores_the_gap():
    top = np.full(1000, 0.9)
    y = np.array([0] * 600 + [1] * 400)  # claims 0.9, is right 0.6 of the time
    assert expected_calibration_error(_probs(top), y) == pytest.approx(0.3)


def test_bins_are_weighted_by_their_share_of_quotes():
    top = np.array([0.95] * 900 + [0.55] * 100)
    y = np.array([0] * 900 + [0] * 45 + [1] * 55)  # high bin perfect-ish (gap 0.05), low bin claims 0.55, right 0.45
    expected = 0.9 * 0.05 + 0.1 * 0.10
    assert expected_calibration_error(_probs(top), y) == pytest.approx(expected)


def test_shapes_are_checked():
    with pytest.raises(ValueError, match="shape"):
        expected_calibration_error(np.ones(3), [0, 1, 2])
    assert expected_calibration_error(np.zeros((0, 3)), []) == 0.0
