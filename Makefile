# Every target installs what it needs into .venv first, so each works on a fresh clone with Python 3.11 + make.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Airflow is pinned for development and CI to the version we test on; users get the range in pyproject.toml.
AIRFLOW_VERSION := 3.3.2

# The browser tests (tests/browser/) drive Debian's Chromium; browsers cannot be downloaded from elsewhere here.
CHROMIUM := /usr/bin/chromium
# The token-store and Celery tests start Debian's redis-server (no PyPI package ships one for Python 3.12+).
REDIS_SERVER := /usr/bin/redis-server
# The fast test tier (`make test-fast`, and check-dist's on Python 3.10/3.13): no real servers or processes (`slow`),
# no Airflow processes (`integration`), no browser (`browser`); tests/tiers.py keeps it that way.
FAST_MARKERS := not slow and not integration and not browser

.PHONY: demo ui test test-fast lint bench clean install prepare check-dist docs docs-build


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

$(REDIS_SERVER):
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		apt-get update -qq && apt-get install -y -qq --no-install-recommends redis-server >/dev/null; \
	else \
		echo "$(REDIS_SERVER) missing: run 'sudo apt-get install redis-server' (the token-store tests fail without it)"; \
	fi

# Everything the tests need: .venv, Chromium, redis-server (CI makes it first, then runs test and check-dist at once).
prepare: $(STAMP) $(CHROMIUM) $(REDIS_SERVER)

test: prepare
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The loop while working: everything except real servers and processes (`slow`), Airflow processes (`integration`)
# and the browser (`browser`); tests/tiers.py keeps it that way. `make test` before pushing runs all of it.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "$(FAST_MARKERS)" $(PYTEST_ARGS)

# Builds the sdist and the wheel, checks them, installs the wheel into clean virtualenvs of Python 3.10 and 3.13 x
# the lowest and the pinned Airflow and smoke-tests each, and runs the fast tier on both Pythons
# (scripts/check_dist.py; Pythons from PATH or pyenv). CHECK_DIST_ARGS="--jobs 4" runs four at a time.
check-dist: prepare
	$(BIN)/python scripts/check_dist.py --airflow-pinned $(AIRFLOW_VERSION) --fast-tier "$(FAST_MARKERS)" $(CHECK_DIST_ARGS)

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
	rm -rf $(VENV) build site .airflow_home .airflow_ui .pytest_cache .mypy_cache .ruff_cache benchmarks/results.json
