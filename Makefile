# The two commands: `make run` (the shop on SQLite) and `make test` (the suite on PostgreSQL + Redis).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint bench install install-test messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

install: $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt

install-test: install
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py setup_demo
	scripts/run

test: install-test
	scripts/with-test-services $(BIN)/pytest $(PYTEST_ARGS)

# Benchmarks, never part of make test: figures as tables, appended to bench/RESULTS.md.
# BENCH_ARGS="--quick" for a short pass, "--only browse,queries" for some sections.
bench: install-test
	scripts/with-test-services $(BIN)/python -m bench $(BENCH_ARGS)

# Style: ruff's checks and formatting, as configured in pyproject.toml.
lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Refresh the translation catalogs after changing texts (needs gettext's tools).
messages: install
	$(BIN)/python manage.py makemessages -l ru --ignore=.venv --ignore=data
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) data/shop.sqlite3*
