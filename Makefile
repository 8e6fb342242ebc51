# Two commands: `make demo` (set up and run with demo data) and `make test` (set up and run every test).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Local commands run with DEBUG on (plain HTTP, a development secret key); the tests set their own settings.
MANAGE := DEBUG=1 $(PY) manage.py
# Database roles (README, "Database roles"): `db_roles` creates <prefix>_owner and <prefix>_app as the superuser;
# migrations run as the owner; the server, the worker and the tests connect as the app role, which owns nothing.
EFH_DB_ROLE_PREFIX ?= efh
DB_SERVER ?= 127.0.0.1:5432
DB_NAME ?= efh
DATABASE_ADMIN_URL ?= postgres://postgres@$(DB_SERVER)/$(DB_NAME)
DATABASE_OWNER_URL ?= postgres://$(EFH_DB_ROLE_PREFIX)_owner@$(DB_SERVER)/$(DB_NAME)
DATABASE_URL ?= postgres://$(EFH_DB_ROLE_PREFIX)_app@$(DB_SERVER)/$(DB_NAME)
export EFH_DB_ROLE_PREFIX DATABASE_ADMIN_URL DATABASE_OWNER_URL DATABASE_URL

.PHONY: demo test install assets services roles migrate seed run worker lint lock bench clean screenshots

# Python packages from the lock files (exact versions with hashes, compiled from pyproject.toml by `make lock`):
# requirements.lock is the service's (the Dockerfile installs it), requirements-dev.lock adds the test tools,
# requirements-bench.lock the benchmark's.
$(VENV)/.installed: requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/dist/app.css: node_modules/.installed static/src/app.scss static/build.mjs
	npm run --silent build

install: $(VENV)/.installed
assets: static/dist/app.css

services: install
	@DATABASE_URL=$(DATABASE_ADMIN_URL) $(MANAGE) check_services

# The owner may create databases here only so that the tests can create theirs.
roles: services
	@$(MANAGE) db_roles --owner-createdb

migrate: roles
	$(MANAGE) migrate --no-input -v 0

seed: migrate
	$(MANAGE) seed_demo

# The demo runs with DEBUG on, over plain HTTP on this machine only, with a Celery worker beside it (both
# queues, and beat for the daily reminders; emails go to the console), the police's demo webhook receiver on
# 127.0.0.1:8765 (docs/webhooks.md), which prints each event the police's system is sent, and a private clamd on
# 127.0.0.1:3310 that scans uploaded documents (manage.py demo_scanner: Debian's clamav-daemon, EICAR signature only).
demo: install assets seed
	@echo ""
	@echo "Starting the Celery worker, the webhook receiver and the web server. Open http://$(HOST):$(PORT)/ (Ctrl+C stops them)."
	@DEBUG=1 $(VENV)/bin/celery -A safeguarding worker -Q celery,packs -B --schedule=/tmp/efh-celerybeat \
	  --loglevel=warning --concurrency=2 & worker=$$!; \
	  $(MANAGE) webhook_receiver & receiver=$$!; \
	  $(MANAGE) demo_scanner & clamd=$$!; \
	  trap "kill $$worker $$receiver $$clamd 2>/dev/null" EXIT INT TERM; \
	  $(MANAGE) runserver $(HOST):$(PORT)

test: install assets roles
	REPLICA_DATABASE_URL=$${REPLICA_DATABASE_URL:-$$DATABASE_URL} $(VENV)/bin/pytest $(PYTEST_ARGS)

# The benchmarks (not part of `make test`): a generated database of BENCH_YOUNG_PEOPLE young people, built once
# and reused, then figures beside their floors in bench/results/ and docs/BENCHMARKS.md. Published run: 1000000.
BENCH_YOUNG_PEOPLE ?= 10000
bench: install assets services
	$(VENV)/bin/pip install --quiet --require-hashes -r requirements-bench.lock
	$(PY) -m bench.run --young-people $(BENCH_YOUNG_PEOPLE)

# After changing a dependency in pyproject.toml: compile the three lock files again (each constrained by the one
# before, so they agree), then `make install`. `make lock LOCK_ARGS=--upgrade` also takes the newest versions allowed.
PIP_COMPILE := $(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url \
	--no-emit-find-links $(LOCK_ARGS)
lock: install
	$(PIP_COMPILE) -o requirements.lock pyproject.toml
	$(PIP_COMPILE) --extra dev -c requirements.lock -o requirements-dev.lock pyproject.toml
	$(PIP_COMPILE) --extra dev --extra bench -c requirements-dev.lock -o requirements-bench.lock pyproject.toml

# Pictures for the README (docs/screenshots/): the demo (seeded if need be), each role's dashboard, the biggest
# network, the map and an assessment's task list, at 1366 and 390 px wide, through Debian's Chromium.
screenshots: install assets migrate
	$(MANAGE) screenshots

lint: install
	$(VENV)/bin/ruff check .
	$(MANAGE) makemigrations --check --dry-run

clean:
	rm -rf $(VENV) node_modules static/dist staticfiles
