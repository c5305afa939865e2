# Two commands for a newcomer: `make run` (the demo on SQLite) and `make test` (the whole suite).

SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

# The first Python >= 3.12 found: python3.13, python3.12, python3, then any pyenv install.
FIND_PYTHON = for candidate in python3.13 python3.12 python3 \
	  $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do \
	  if "$$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then \
	    command -v "$$candidate" 2>/dev/null || echo "$$candidate"; exit 0; fi; done; exit 1

.PHONY: run test lint format messages clean

$(STAMP): pyproject.toml
	@python=$$($(FIND_PYTHON)) || { \
	  echo "No Python 3.12 or newer found (tried python3.13, python3.12, python3 and pyenv)."; \
	  echo "Install Python 3.12+ (for example 'pyenv install 3.13') and run make again."; exit 1; }; \
	  echo "Using $$python ($$($$python --version))"; \
	  [ -x $(BIN)/python ] || $$python -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	DEBUG=true $(BIN)/python manage.py migrate --noinput
	DEBUG=true $(BIN)/python manage.py load_demo
	@echo "Open http://$(HOST):$(PORT)/ and log in with one of the accounts above."
	DEBUG=true $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: $(STAMP)
	DEBUG=true $(BIN)/python manage.py makemessages --all --no-obsolete --ignore=.venv --ignore=tests --ignore=var --ignore=benchmarks
	DEBUG=true $(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
