# Shortcuts for dev.py, which needs nothing but Python 3.11+:
#   make run    == python3 dev.py run
#   make test   == python3 dev.py test
#   make lint   == python3 dev.py lint    (ruff check, ruff format --check, mypy)
#   make serve  == python3 dev.py serve   (production: nginx + granian)
#   make bench  == python3 dev.py bench
PYTHON ?= $(shell command -v python3.11 || command -v python3)

.PHONY: run test lint serve bench clean

run:
	$(PYTHON) dev.py run

test:
	$(PYTHON) dev.py test $(PYTEST_ARGS)

lint:
	$(PYTHON) dev.py lint

serve:
	$(PYTHON) dev.py serve

bench:
	$(PYTHON) dev.py bench $(BENCH_MODE)

clean:
	rm -rf .venv db.sqlite3 db.sqlite3-* var
