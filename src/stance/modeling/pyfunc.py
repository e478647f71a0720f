"""The MLflow pyfunc for every stance model, logged as MLflow "models from code".

This file itself is logged as the model's code (`python_model=<path of this file>`), so no Python object is
cloudpickled into the store. The weights travel as data beside it (`artifacts/model`: safetensors, JSON,
NPZ). MLflow's transformers flavour returns only the top label, so we serve every label's probability.

`stance-classify` never runs this file from a store: it reads `artifacts/model` with the installed package
(`stance.modeling.predictor.load_predictor`). `mlflow.pyfunc.load_model` and `mlflow models serve` do run
it, as they run any models-from-code model.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mlflow
import pandas as pd
from mlflow.models import set_model

from stance.modeling.predictor import load_local, predict_frame

CODE_PATH = Path(__file__).resolve()


class StanceModel(mlflow.pyfunc.PythonModel):
    def load_context(self, context: Any) -> None:
        self.predictor = load_local(context.artifacts["model"])

    def predict(self, context: Any, model_input: pd.DataFrame, params: dict | None = None) -> pd.DataFrame:
        if not isinstance(model_input, pd.DataFrame):
            model_input = pd.DataFrame(model_input)
        batch_size = int((params or {}).get("batch_size", 64))
        return predict_frame(self.predictor, model_input, batch_size=batch_size)


set_model(StanceModel())
