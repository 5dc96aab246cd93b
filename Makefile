# Shortcuts for dev.py, which needs nothing but Python 3.11+:
#   make run    == python3 dev.py run
#   make test   == python3 dev.py test
#   make bench  == python3 dev.py bench
PYTHON ?= $(shell command -v python3.11 || command -v python3)

.PHONY: run test bench clean

run:
	$(PYTHON) dev.py run

test:
	$(PYTHON) dev.py test $(PYTEST_ARGS)

bench:
	$(PYTHON) dev.py bench

clean:
	rm -rf .venv db.sqlite3 db.sqlite3-* var
