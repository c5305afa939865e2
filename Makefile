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

.PHONY: run test lint format messages lock upgrade clean

# uv installs exactly what uv.lock pins (every package, with hashes); uv itself comes
# from PyPI through pip, pinned with its hashes in requirements-uv.txt.
UV := .tools/bin/uv
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

define find_python_or_fail
python=$$($(FIND_PYTHON)) || { \
  echo "No Python 3.12 or newer found (tried python3.13, python3.12, python3 and pyenv)."; \
  echo "Install Python 3.12+ (for example 'pyenv install 3.13') and run make again."; exit 1; }
endef

$(UV): requirements-uv.txt
	@$(find_python_or_fail); \
	  echo "Using $$python ($$($$python --version)) to install uv"; \
	  rm -rf .tools && $$python -m venv .tools && \
	  .tools/bin/python -m pip install --quiet --disable-pip-version-check \
	    --isolated --require-hashes --no-deps -r requirements-uv.txt
	@touch $(UV)

$(STAMP): $(UV) pyproject.toml uv.lock Makefile
	@$(find_python_or_fail); \
	  echo "Installing from uv.lock into $(VENV) with $$python ($$($$python --version))"; \
	  $(UV) sync --locked --extra dev --compile-bytecode --python "$$python" --quiet
	@touch $(STAMP)

# Refresh the lock on purpose: `make lock` re-resolves what pyproject.toml added or
# removed and keeps every other pin; `make upgrade` takes the newest versions the ranges
# allow. Run the suite afterwards: a test that fails after an upgrade is a code change.
lock: $(UV)
	@$(find_python_or_fail); $(UV) lock --python "$$python"

upgrade: $(UV)
	@$(find_python_or_fail); $(UV) lock --upgrade --python "$$python"

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
	rm -rf $(VENV) .tools var .pytest_cache .ruff_cache
