# pingan — 平安家庭创建工作系统
# `make demo` and `make test` do all set-up themselves on a fresh Debian 12 machine (as root).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup system venv demo test lint typecheck pytest clean samples templates bench-forms bench-read bench-ingest bench-docs bench-scale sample-scans

setup: system venv

system:
	@bash scripts/setup-system.sh

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "需要 Python 3.11 或更新版本")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

venv: $(STAMP)

demo: setup
	@PATH="$(CURDIR)/$(BIN):$$PATH" bash scripts/demo.sh

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: venv
	$(BIN)/mypy

pytest: venv
	@PYTHON=$(BIN)/python bash scripts/run-tests.sh

test: setup lint typecheck pytest

samples: venv
	$(BIN)/python samples/make_samples.py

templates: venv
	$(BIN)/python scripts/make_templates.py

bench-forms: setup
	$(BIN)/python -m bench.forms

bench-read: setup
	$(BIN)/python -m bench.read

bench-ingest: setup
	$(BIN)/python -m bench.ingest

bench-docs: setup
	$(BIN)/python -m bench.docs

bench-scale: setup
	$(BIN)/python -m bench.scale

sample-scans: venv
	$(BIN)/python scripts/make_sample_scans.py

clean:
	rm -rf out .pytest_cache .mypy_cache .ruff_cache
