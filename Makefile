# Two commands on a fresh machine (Python 3.11+ and git):
#   make run    virtualenv, install, migrate, Demo workspace, fresh API key, server on 127.0.0.1:8000
#   make test   the whole test suite (SQLite by default; DATABASE_URL=postgres://... for PostgreSQL)

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000
export DEBUG ?= 1

.PHONY: run test install migrate bench clean

$(BIN)/activate: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(BIN)/activate

install: $(BIN)/activate

migrate: install
	$(BIN)/python manage.py migrate --noinput

run: migrate
	$(BIN)/python manage.py bootstrap_demo --host $(HOST)
	$(BIN)/python manage.py runserver $(HOST) --noreload

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* var
