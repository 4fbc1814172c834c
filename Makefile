# Every target installs what it needs into .venv first, so each works on a fresh clone with Python 3.11 + make.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Airflow is pinned for development and CI to the version we test on; users get the range in pyproject.toml.
AIRFLOW_VERSION := 3.3.2

# The browser tests (tests/browser/) drive Debian's Chromium; browsers cannot be downloaded from elsewhere here.
CHROMIUM := /usr/bin/chromium

.PHONY: demo ui test lint bench clean install docs docs-build

# `make ui PORT=8081` when 8080 is taken.
PORT := 8080

$(STAMP): pyproject.toml Makefile
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found; set PYTHON=/path/to/python3.11"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet "apache-airflow==$(AIRFLOW_VERSION)" -e ".[dev]"
	@# The editable build leaves its metadata in the tree: with the tree on sys.path (pytest, `make ui`'s
	@# PYTHONPATH) Airflow saw the distribution twice and reported the plugin "already registered".
	rm -rf airflow_provider_social.egg-info
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/python scripts/demo.py

ui: $(STAMP)
	$(BIN)/python scripts/ui.py --port $(PORT)

# Installs Chromium where it can (root with apt, as in CI); elsewhere one line says how, and the browser tests fail
# until it is there (deselect them with PYTEST_ARGS='-m "not browser"').
$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null; \
	else \
		echo "$(CHROMIUM) missing: run 'sudo apt-get install chromium chromium-driver' (browser tests fail without it)"; \
	fi

test: $(STAMP) $(CHROMIUM)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check airflow_provider_social tests dags_examples benchmarks scripts
	$(BIN)/mypy

# The documentation site (mkdocs.yml; docs/I18N.md for the Russian edition). Strict: a broken link, a page missing
# from the nav, a missing included example or an unresolved reference fails the build. `make docs DOCS_PORT=8001`
# when 8000 is taken.
DOCS_PORT := 8000
MKDOCS := NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs

docs-build: $(STAMP)
	$(MKDOCS) build --strict
	if [ -d docs/ru ]; then $(MKDOCS) build --strict -f mkdocs.ru.yml; fi

# Serves the built site (both editions) rather than `mkdocs serve`, which serves one edition.
docs: docs-build
	@echo "documentation: http://127.0.0.1:$(DOCS_PORT)/ (Ctrl-C stops)"
	$(BIN)/python -m http.server $(DOCS_PORT) --bind 127.0.0.1 --directory site

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) site .airflow_home .airflow_ui .pytest_cache .mypy_cache .ruff_cache benchmarks/results.json
