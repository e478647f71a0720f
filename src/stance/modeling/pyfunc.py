"""The MLflow pyfunc wrapper: one model format for transformers and the TF-IDF baseline.

MLflow's transformers flavour returns only the top label (and its task registry breaks with
transformers 5), so we log our own saved folder as an artifact and serve every label's probability.
"""

from __future__ import annotations

from typing import Any

import mlflow
import pandas as pd

from stance.modeling.predictor import load_local, predict_frame


class StanceModel(mlflow.pyfunc.PythonModel):
    def load_context(self, context: Any) -> None:
        self.predictor = load_local(context.artifacts["model"])

    def predict(self, context: Any, model_input: pd.DataFrame, params: dict | None = None) -> pd.DataFrame:
        if not isinstance(model_input, pd.DataFrame):
            model_input = pd.DataFrame(model_input)
        batch_size = int((params or {}).get("batch_size", 64))
        return predict_frame(self.predictor, model_input, batch_size=batch_size)
