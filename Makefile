# Pingshen (评审): `make run` for a local demo, `make test` for the full check (what CI runs).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := var/.installed

.PHONY: help install run test lint format check services clean

help:
	@echo "make run      install, migrate, load the demo year, serve on http://$${HOST:-127.0.0.1}:$${PORT:-8000}/"
	@echo "make test     install, start PostgreSQL and Redis if needed, lint, checks, the whole test suite"
	@echo "make lint     ruff check and ruff format --check"
	@echo "make format   ruff format and ruff check --fix"
	@echo "make services start local PostgreSQL and Redis if they are not running"

install: $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when a requirements file (or the venv itself) is newer than the stamp.
$(STAMP): requirements.txt requirements-dev.txt $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@mkdir -p var && touch $@

run: install
	scripts/run.sh

test: install
	scripts/test.sh

services:
	scripts/services.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check: install
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf $(STAMP) .pytest_cache .ruff_cache
