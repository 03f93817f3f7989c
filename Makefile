# The README's commands. Every target bootstraps .venv first, so each works on a
# fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint imports typecheck install export-schema migrate serve bench load clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	APP_ENV=development $(BIN)/python -m app demo

test: $(STAMP) lint imports typecheck
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Layers, surface independence and no import cycles (see [tool.importlinter]).
imports: $(STAMP)
	$(BIN)/lint-imports --no-logo

typecheck: $(STAMP)
	$(BIN)/mypy

export-schema: $(STAMP)
	$(BIN)/python -m app export-schema > schema.graphql

migrate: $(STAMP)
	$(BIN)/python -m app migrate

serve: $(STAMP)
	$(BIN)/python -m app serve

bench: $(STAMP)
	command -v wrk >/dev/null 2>&1 || { SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq wrk; }
	$(BIN)/pip install --quiet asyncpg orjson uvloop httptools 'uvicorn[standard]' httpx aiosmtpd
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# Mixed storefront traffic against `serve --workers 2` on PostgreSQL (127.0.0.1), five
# minutes by default; shorter with LOAD_ARGS="--seconds 30". Recreates the `load` database.
load: $(STAMP)
	$(BIN)/python -m bench.load $(LOAD_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
