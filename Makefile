# The two set-up commands: `make run` (demo service on SQLite) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
STAMP := $(VENV)/.installed

.PHONY: run test lint format translations benchmark clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/pybabel compile -d matchmaking/translations --use-fuzzy >/dev/null
	$(BIN)/matchmaking db upgrade
	$(BIN)/matchmaking seed-demo --if-empty
	@echo "Serving on http://127.0.0.1:$(PORT)/ with a generation worker and the scheduler"
	@# One command, three processes: the web server, a generation worker and the scheduler
	@# (e-mails); leaving the web server (Ctrl-C) stops the other two.
	@$(BIN)/matchmaking worker & worker=$$!; \
	SERVER_NAME=$${SERVER_NAME:-127.0.0.1:$(PORT)} $(BIN)/matchmaking scheduler & scheduler=$$!; \
	trap 'kill $$worker $$scheduler 2>/dev/null; wait' EXIT INT TERM; \
	$(BIN)/matchmaking run --host 127.0.0.1 --port $(PORT)

test: $(STAMP)
	$(BIN)/pybabel compile -d matchmaking/translations >/dev/null
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ -o matchmaking/translations/messages.pot .
	$(BIN)/pybabel update -i matchmaking/translations/messages.pot -d matchmaking/translations
	$(BIN)/pybabel compile -d matchmaking/translations

benchmark: $(STAMP)
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf $(VENV) instance .pytest_cache
