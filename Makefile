# Two commands do everything: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint format sandbox bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml $(BIN)/activate
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	@touch $@

run: $(VENV)/.installed
	$(BIN)/flask --app shop seed
	$(BIN)/flask --app shop run --host $(HOST) --port $(PORT)

sandbox: $(VENV)/.installed
	$(BIN)/portone-sandbox --host $(HOST) --port 5001

test: $(VENV)/.installed
	@test -x /usr/bin/chromium || test -x /usr/bin/chromium-browser || $(BIN)/playwright install chromium
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(VENV)/.installed
	$(BIN)/python bench/checkout.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
