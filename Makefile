# The README's commands. Every target bootstraps .venv first, so each works on a
# fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint imports typecheck install export-schema migrate serve bench load clean vendor-graphiql messages example example-typecheck

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

# examples/storefront at http://127.0.0.1:3000 (the demo's STOREFRONT_URL, allowed by its
# CORS default); run `make demo` beside it. API_URL points it at another API.
EXAMPLE_DIR := examples/storefront
API_URL ?= http://127.0.0.1:8000/graphql

example:
	cd $(EXAMPLE_DIR) && npm ci --no-audit --no-fund && VITE_API_URL=$(API_URL) npm run dev

# Types generated from schema.graphql, then tsc: fails when the schema breaks the page.
example-typecheck:
	cd $(EXAMPLE_DIR) && npm ci --no-audit --no-fund && npm run typecheck

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
	$(BIN)/python -m app export-schema --admin > admin.graphql

# Re-extract every `_()` and `{% trans %}` into the template, then merge it into each
# language's catalog (new messages arrive untranslated; tests/test_translations.py fails
# until they are translated).
MESSAGE_SOURCES := app adapters auth domain plumbing services schema resolvers
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg --no-location --sort-output \
		--project customer-account-api --version 0.1.0 -o domain/locales/messages.pot $(MESSAGE_SOURCES)
	$(BIN)/pybabel update -i domain/locales/messages.pot -d domain/locales \
		--no-fuzzy-matching --ignore-obsolete

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

# GraphiQL's assets in app/static/graphiql/, from the npm packages: their production
# builds (GraphiQL's minified again with esbuild: its "min" bundle is not) and licences.
GRAPHIQL_PACKAGES := graphiql@3.8.3 react@18.3.1 react-dom@18.3.1
GRAPHIQL_DIR := app/static/graphiql
NPM_WORK := var/npm

vendor-graphiql:
	rm -rf $(NPM_WORK) && mkdir -p $(NPM_WORK)
	cd $(NPM_WORK) && npm pack --silent $(GRAPHIQL_PACKAGES) >/dev/null \
		&& for f in *.tgz; do mkdir -p $${f%-*.tgz} && tar xzf $$f -C $${f%-*.tgz}; done
	cd $(NPM_WORK) && npm install --silent --no-save esbuild@0.24.2
	$(NPM_WORK)/node_modules/.bin/esbuild $(NPM_WORK)/graphiql/package/graphiql.min.js \
		--minify --legal-comments=eof --log-level=error --outfile=$(GRAPHIQL_DIR)/graphiql.min.js
	$(NPM_WORK)/node_modules/.bin/esbuild $(NPM_WORK)/graphiql/package/graphiql.min.css \
		--minify --log-level=error --outfile=$(GRAPHIQL_DIR)/graphiql.min.css
	cp $(NPM_WORK)/react/package/umd/react.production.min.js \
		$(NPM_WORK)/react-dom/package/umd/react-dom.production.min.js $(GRAPHIQL_DIR)/
	for p in graphiql react react-dom; do cp $(NPM_WORK)/$$p/package/LICENSE $(GRAPHIQL_DIR)/LICENSE.$$p; done

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
