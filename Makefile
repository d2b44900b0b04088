# Two commands matter: `make demo` and `make test`. Everything else supports them.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
# The demo serves like production (DEBUG off: the portal's own French error pages) in demo mode
# (PORTAL_DEMO=1: the public demo accounts, plain HTTP, the files of static/ served by WhiteNoise),
# with the e-mails' links pointing at the address it serves. Both can be overridden.
DEMO_BASE_URL ?= http://$(HOST):$(PORT)
DEMO_HOSTS ?= $(HOST),127.0.0.1,localhost
DEMO_ENV = PORTAL_DEMO=1 DEBUG=0 PORTAL_BASE_URL=$(DEMO_BASE_URL) ALLOWED_HOSTS=$(DEMO_HOSTS)
# Development: Django's debug pages, on the demo data (so in demo mode too).
DEV_ENV = PORTAL_DEMO=1 DEBUG=1 PORTAL_BASE_URL=$(DEMO_BASE_URL)

.PHONY: demo demo-smoke test install install-test lint format migrate serve worker beat lock check-deploy bench bench-scale seed-scale clean security pip-audit

# The venv is (re)built when a lock file changes; a stamp per extra set.
$(VENV)/.stamp-base: requirements/base.txt
	@interp=$$(scripts/find-python) || exit 1; \
	  [ -x $(PY) ] || { echo "Création de $(VENV) avec $$interp"; $$interp -m venv $(VENV); }
	$(BIN)/pip install --quiet --require-hashes -r requirements/base.txt
	@touch $@

$(VENV)/.stamp-test: requirements/test.txt
	@interp=$$(scripts/find-python) || exit 1; \
	  [ -x $(PY) ] || { echo "Création de $(VENV) avec $$interp"; $$interp -m venv $(VENV); }
	$(BIN)/pip install --quiet --require-hashes -r requirements/test.txt
	@touch $@ $(VENV)/.stamp-base

install: $(VENV)/.stamp-base
install-test: $(VENV)/.stamp-test

## make demo: install, migrate, load the demo data and serve on http://127.0.0.1:8000 (demo mode)
demo: install
	$(DEMO_ENV) $(PY) manage.py migrate --noinput
	$(DEMO_ENV) $(PY) manage.py load_demo
	@echo "Portail de démonstration : $(DEMO_BASE_URL)/"
	$(DEMO_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

## make demo-smoke: the `make demo` path from a fresh virtualenv holding the base requirements
## only (not the test extras), on a throwaway SQLite database; fails unless the login page and a
## logged-in home page answer 200 (scripts/demo-smoke)
demo-smoke:
	scripts/demo-smoke

## make test: install with the test extras and run the whole suite (exit 5 "no tests" fails), one
## pytest-xdist worker per core (PYTEST_WORKERS=0 for a single process); each worker has its own
## test database and its own Redis database
PYTEST_WORKERS ?= auto
test: install-test
	$(BIN)/pytest $(if $(filter 0,$(PYTEST_WORKERS)),,-n $(PYTEST_WORKERS)) $(PYTEST_ARGS)

## make bench: timings and SQL query counts at a Département's scale (10 000 orientations; see benchmarks/)
bench: install
	rm -f /tmp/portail-bench.sqlite3
	$(PY) benchmarks/accompagnement.py

## make bench-scale: key pages against PostgreSQL and gunicorn at a Département's scale, with batch jobs
## and a locust run (seeds the database first if empty; BENCH_FACTOR=2 BENCH_DB=portail_scale2 for twice that).
## See BENCHMARKS.md. Needs PostgreSQL on 127.0.0.1:5432 (BENCH_PG to change).
bench-scale: install-test
	$(PY) benchmarks/scale.py

## make seed-scale: only the data set (DATABASE_URL, FACTOR=1, SEED=62)
seed-scale: install
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py seed_scale --factor $${FACTOR:-1} --seed $${SEED:-62}

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

## make security: bandit (static security analysis) on the shipped code, config in pyproject.toml;
## every finding is fixed or explained inline (`# nosec Bxxx` under a comment giving the reason)
security: install-test
	$(BIN)/bandit -c pyproject.toml -r portal aap label accompagnement financement scripts -q

## make pip-audit: known vulnerabilities of the installed dependencies (needs network access to the
## vulnerability database, hence not in CI)
pip-audit: install-test
	$(BIN)/pip install --quiet pip-audit==2.10.1
	$(BIN)/pip-audit --progress-spinner off

format: install-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrate: install
	$(DEV_ENV) $(PY) manage.py migrate --noinput

serve: install
	$(DEV_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

worker: install
	$(BIN)/celery -A portal worker --loglevel=INFO

beat: install
	$(BIN)/celery -A portal beat --loglevel=INFO

## make lock: regenerate the hashed lock files from pyproject.toml (needs network access to the index)
lock: install
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --python-version 3.12 --generate-hashes --no-header --no-annotate -q -o requirements/base.txt
	$(BIN)/uv pip compile pyproject.toml --extra test --python-version 3.12 --generate-hashes --no-header --no-annotate -q -o requirements/test.txt

## make check-deploy: Django's deployment checklist with production-like variables (demo mode off);
## on an empty throwaway database unless CHECK_DEPLOY_DATABASE_URL names the one to check for
## leftover demo accounts
check-deploy: install
	DEBUG=0 SECRET_KEY=$$(openssl rand -hex 40) ALLOWED_HOSTS=portail.example.fr \
	  EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend EMAIL_HOST=smtp.example.fr \
	  REDIS_URL=redis://127.0.0.1:6379/0 PORTAL_BASE_URL=https://portail.example.fr \
	  PORTAL_DEMO=0 DATABASE_URL=$${CHECK_DEPLOY_DATABASE_URL:-sqlite:////tmp/portail-check-deploy.sqlite3} \
	  $(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) db.sqlite3 media/ staticfiles/
