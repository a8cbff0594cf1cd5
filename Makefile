# Nabolag: two commands for a newcomer.
#   make run   sets everything up, loads the demo data and serves on http://127.0.0.1:$(PORT)
#   make test  sets up what the tests need and runs every test
#   make bench-deps  adds what the benchmarks in bench/ need (see README)
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PORT ?= 8000
SERVICES_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/nabolag
SERVICES_REDIS_URL ?= redis://127.0.0.1:6379/0

.PHONY: run test setup venv deps test-deps bench-deps chromium messages lint test-embedded test-services clean

$(VENV)/bin/activate:
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.deps: $(VENV)/bin/activate requirements/base.txt
	$(PIP) install --quiet -r requirements/base.txt
	@touch $@

$(VENV)/.test-deps: $(VENV)/.deps requirements/test.txt
	$(PIP) install --quiet -r requirements/test.txt
	@touch $@

$(VENV)/.bench-deps: $(VENV)/.deps requirements/bench.txt
	$(PIP) install --quiet -r requirements/bench.txt
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	@touch $@

deps: $(VENV)/.deps node_modules/.installed
test-deps: $(VENV)/.test-deps node_modules/.installed chromium
bench-deps: $(VENV)/.bench-deps

messages: $(VENV)/.deps
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v0

chromium:
	@command -v chromium >/dev/null || { \
	  echo "Installing Chromium from Debian's packages for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

run: deps messages
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py seed_demo --port $(PORT)
	@echo "Serving on http://127.0.0.1:$(PORT)  (portal on its own host: http://skovby.localhost:$(PORT))"
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

lint: $(VENV)/.test-deps node_modules/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache
	DJANGO_SETTINGS_MODULE=hub.settings.test $(PY) manage.py makemigrations --check --dry-run -v1
	SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" ALLOWED_HOSTS=nabolag.example \
	  DJANGO_SETTINGS_MODULE=hub.settings.production $(PY) manage.py check --deploy --fail-level WARNING

test-embedded: test-deps messages
	@echo "== tests on the embedded defaults (SQLite, in-memory channel layer)"
	env -u DATABASE_URL -u REDIS_URL $(VENV)/bin/pytest

test-services: test-deps messages
	@if $(PY) -m hub.probe "$(SERVICES_DATABASE_URL)" "$(SERVICES_REDIS_URL)"; then \
	  echo "== tests against PostgreSQL and Redis"; \
	  DATABASE_URL="$(SERVICES_DATABASE_URL)" REDIS_URL="$(SERVICES_REDIS_URL)" $(VENV)/bin/pytest; \
	else \
	  echo "== skipped the PostgreSQL and Redis run: no server answered at $(SERVICES_DATABASE_URL) and $(SERVICES_REDIS_URL)"; \
	fi

test: lint test-embedded test-services

clean:
	rm -rf $(VENV) node_modules var db.sqlite3
