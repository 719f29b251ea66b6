# The two commands a newcomer needs: `make run` and `make test`. Both start from a fresh clone.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# pytest-xdist workers; the machines this runs on have two cores. Work stealing, because
# pytest-django sorts the transactional tests (browsers, live workers, processes: 3-80 s each)
# to the end, where plain load scheduling handed them to one worker in one batch and the
# other sat idle for the last 100-300 s of the run.
PYTEST_WORKERS ?= 2

export UV_PYTHON_DOWNLOADS := never

.PHONY: run test lint format bench install services clean security

# Every app, ground floor first (README, "Where things live").
APPS := leadership cohorts modules redesign_projects pairings measures blueprints learning_sets frameworks evaluation home reports governance demo api

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall whenever pyproject.toml changes. uv is ~5x faster than pip at this; pip installs
# it into the venv, so nothing outside the project is needed.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r pyproject.toml --extra dev
	touch $@

install: $(VENV)/.installed

run: install
	HOST=$(HOST) PORT=$(PORT) bash scripts/run.sh

services:
	bash scripts/ensure-services.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# bandit over our code (pyproject's [tool.bandit] says what is skipped and why) and pip-audit
# over the installed dependencies (security/pip-audit-ignore.txt); either failing fails the build.
# The build machines reach PyPI's package index but not its per-version vulnerability data (nor
# OSV), so there pip-audit prints that the dependencies were NOT audited and carries on; a CI
# with that access should run `make test PIP_AUDIT_UNREACHABLE_OK=0`, which fails instead.
PIP_AUDIT_UNREACHABLE_OK ?= 1
export PIP_AUDIT_UNREACHABLE_OK
security: install
	$(BIN)/bandit -q -c pyproject.toml -r $(APPS)
	bash scripts/pip-audit.sh

test: install services lint security
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=tests.settings
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist worksteal -p no:cacheprovider

# Checks a deployment's configuration and that it reaches its database, Redis and storage;
# run it with the deployment's environment (in a container, where there is no make:
# `docker compose exec web python manage.py check_deployment`).
check-deployment:
	$(if $(wildcard $(BIN)/python),$(BIN)/python,python) manage.py check_deployment

bench: install services
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) staticfiles var/leadership.sqlite3
