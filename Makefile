# Kanal's two commands: `make run` (try it on http://localhost:5000) and `make test` (everything CI checks).
# Both start from nothing: they create .venv, install the pinned dependencies and, for tests, the Debian packages.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# Kanal targets Python 3.11 (see pyproject.toml); python3 is tried when no python3.11 is on the PATH.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# Reinstalls only when the project's dependencies or their pins change.
INSTALLED := $(VENV)/.installed
TMPDIR ?= /tmp
# One private PostgreSQL per checkout, so several clones (and CI) can test side by side.
POSTGRES_DIR := $(TMPDIR)/kanal-postgres-$(shell printf '%s' '$(CURDIR)' | cksum | cut -d' ' -f1)
PYTEST := bash scripts/pytest-or-empty.sh $(BIN)/pytest
XDIST := -n 2

.PHONY: help run test install system-packages translations lint test-sqlite test-postgres test-e2e lock clean

help:
	@echo "make run            start Kanal with demo data on http://localhost:5000 (and the BankID emulator, worker)"
	@echo "make test           lint, the whole suite on SQLite and PostgreSQL, then the browser tests"
	@echo "make lint           ruff check, ruff format --check, mypy"
	@echo "make test-sqlite    the suite (without browser tests) on SQLite"
	@echo "make test-postgres  the suite (without browser tests) on a private PostgreSQL 15"
	@echo "make test-e2e       the browser tests in headless Chromium with axe-core"
	@echo "make lock           re-resolve pyproject.toml's dependencies and rewrite the pins in constraints.txt"
	@echo "make clean          remove .venv, compiled catalogs, caches and the test PostgreSQL cluster"

run: install translations
	@bash scripts/run-dev.sh

test: lint test-sqlite test-postgres test-e2e

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade -c constraints.txt pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $@

install: $(INSTALLED)

# Chromium for the browser tests, poppler-utils for `pdfsig` (signature checks), PostgreSQL 15 for the suite.
system-packages:
	@if [ ! -x /usr/bin/chromium ] || ! command -v pdfsig >/dev/null \
	    || ! compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null; then \
	  echo "Installing Debian packages: chromium poppler-utils postgresql"; \
	  sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  $$sudo apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq chromium poppler-utils postgresql >/dev/null; \
	fi

# Tolerates a checkout without catalogs yet. --use-fuzzy: a catalog whose header is still marked fuzzy is
# compiled rather than silently skipped (the catalog-completeness test is what catches missing translations).
translations: install
	@if compgen -G 'translations/*/LC_MESSAGES/*.po' >/dev/null; then \
	  $(BIN)/pybabel --quiet compile --use-fuzzy -d translations; \
	fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test-sqlite: install translations
	$(PYTEST) $(XDIST) --ignore=tests/e2e

test-postgres: install translations system-packages
	@trap 'bash scripts/postgres.sh stop "$(POSTGRES_DIR)"' EXIT; \
	bash scripts/postgres.sh stop "$(POSTGRES_DIR)"; \
	url=$$(bash scripts/postgres.sh start "$(POSTGRES_DIR)"); \
	echo "PostgreSQL for the tests: $$url"; \
	KANAL_TEST_DATABASE_URL="$$url" $(PYTEST) $(XDIST) --ignore=tests/e2e

test-e2e: install translations system-packages
	KANAL_E2E_INVENTORY=1 $(PYTEST) tests/e2e

# A throwaway venv resolves the newest versions pyproject.toml allows; its exact set becomes the new pins.
lock:
	rm -rf $(TMPDIR)/kanal-lock
	$(PYTHON) -m venv $(TMPDIR)/kanal-lock
	$(TMPDIR)/kanal-lock/bin/python -m pip install --quiet --upgrade pip
	$(TMPDIR)/kanal-lock/bin/python -m pip install --quiet -e '.[dev]'
	{ sed -n '1,/^pip==/{/^pip==/!p}' constraints.txt; \
	  $(TMPDIR)/kanal-lock/bin/python -m pip freeze --all --exclude-editable | grep -E '^pip==' ; \
	  $(TMPDIR)/kanal-lock/bin/python -m pip freeze --exclude-editable | grep -v -E '^(-e|#)' ; } >constraints.txt.new
	mv constraints.txt.new constraints.txt
	rm -rf $(TMPDIR)/kanal-lock

clean:
	-bash scripts/postgres.sh stop "$(POSTGRES_DIR)"
	rm -rf $(VENV) "$(POSTGRES_DIR)" .mypy_cache .ruff_cache .pytest_cache test-results
	find . -name __pycache__ -type d -prune -not -path './.git/*' -exec rm -rf {} +
	-find translations -name '*.mo' -delete
