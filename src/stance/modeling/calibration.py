"""Temperature scaling: one scalar T fitted on dev so that `stance_score` means what it says.

A classifier's logits (or log-probabilities, which differ from them by a per-row constant) are divided by T
before the softmax: T > 1 softens over-confident scores, T < 1 sharpens under-confident ones, and the argmax
(the label) never changes. T is chosen by minimising the negative log-likelihood of the dev labels with a
bounded 1-D search on log T, kept only if it lowers dev NLL, and stored in the model's manifest under
`calibration`; a manifest without it means T = 1.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

METHODS = ("temperature", "none")
BOUNDS = (0.05, 20.0)  # a T outside this range means the scores are broken, not mis-scaled
_XATOL = 1e-6  # on log T


def softmax(scores: np.ndarray, temperature: float = 1.0, log_space: bool = False) -> np.ndarray:
    """Row-wise softmax (or log-softmax) of `scores / temperature`, computed in float64.

    `scores` may hold -inf (a log-probability of 0); every row needs one finite entry."""
    z = np.asarray(scores, dtype=np.float64) / float(temperature)
    z = z - z.max(axis=1, keepdims=True)
    with np.errstate(divide="ignore"):
        log_norm = np.log(np.exp(z).sum(axis=1, keepdims=True))
    return z - log_norm if log_space else np.exp(z - log_norm)


def nll(scores: np.ndarray, y_true: Sequence[int], temperature: float = 1.0) -> float:
    """Mean negative log-likelihood of the true labels under `softmax(scores / temperature)`."""
    y = np.asarray(y_true, dtype=np.int64)
    if len(y) == 0:
        return 0.0
    log_p = softmax(scores, temperature, log_space=True)[np.arange(len(y)), y]
    return float(-np.maximum(log_p, -1e4).mean())  # one impossible label costs a lot, not infinity


def fit_temperature(scores: np.ndarray, y_true: Sequence[int], bounds: tuple[float, float] = BOUNDS) -> float:
    """The T in `bounds` minimising `nll(scores, y_true, T)`: a bounded Brent search on log T (deterministic).

    A T at either bound is logged: the scores are so far off that one temperature hardly fixes them."""
    from scipy.optimize import minimize_scalar

    scores = np.asarray(scores, dtype=np.float64)
    y = np.asarray(y_true, dtype=np.int64)
    if scores.ndim != 2 or len(scores) != len(y):
        raise ValueError(f"scores must be (rows, labels) with one label per row, got {scores.shape} and {y.shape}")
    if len(y) == 0:
        raise ValueError("cannot fit a temperature on zero rows")
    low, high = math.log(bounds[0]), math.log(bounds[1])
    result = minimize_scalar(
        lambda log_t: nll(scores, y, math.exp(log_t)), bounds=(low, high), method="bounded", options={"xatol": _XATOL}
    )
    temperature = math.exp(float(result.x))
    if min(float(result.x) - low, high - float(result.x)) < 1e-3:
        temperature = bounds[0] if float(result.x) - low < high - float(result.x) else bounds[1]
        log.warning("fitted temperature clamped to %s (the search bound %s)", temperature, bounds)
    return temperature


def calibrate(scores: np.ndarray, y_true: Sequence[int], method: str | None = "temperature") -> dict[str, Any]:
    """The manifest record for these dev scores: `{"method": "temperature", "temperature": T, "dev_nll_before",
    "dev_nll_after"}` when a fitted T lowers dev NLL, else `{"method": "none", ...}` (T = 1)."""
    method = check_method(method)
    if method == "none":
        return {"method": "none"}
    before = nll(scores, y_true)
    temperature = fit_temperature(scores, y_true)
    after = nll(scores, y_true, temperature)
    if not after < before:
        log.info(
            "temperature %.4f does not lower dev NLL (%.5f -> %.5f): scores left as they are",
            temperature,
            before,
            after,
        )
        return {"method": "none", "dev_nll_before": before, "dev_nll_after": before}
    log.info("temperature scaling: T=%.4f, dev NLL %.5f -> %.5f", temperature, before, after)
    return {"method": "temperature", "temperature": temperature, "dev_nll_before": before, "dev_nll_after": after}


def check_method(method: str | None) -> str:
    """`train.calibration`: 'temperature' or 'none' (None, from a YAML null, means 'none')."""
    method = "none" if method is None else str(method).lower()
    if method not in METHODS:
        raise ValueError(f"train.calibration must be one of {METHODS}, got '{method}'")
    return method


def temperature_of(record: dict[str, Any] | None, where: str = "manifest") -> float:
    """T from a manifest's `calibration` record; 1.0 when there is none (a model saved before calibration)."""
    if not record or record.get("method", "none") == "none":
        return 1.0
    if record.get("method") != "temperature":
        raise ValueError(f"{where}: calibration.method must be one of {METHODS}, got '{record.get('method')}'")
    value = record.get("temperature")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{where}: calibration.temperature must be a positive number, got {value!r}")
    return float(value)
