# Club — two commands: `make run` (demo app on http://127.0.0.1:5000 and its background worker) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
# The suite runs on both cores (pytest-xdist); `make test PYTEST_ARGS=` runs it in one process.
PYTEST_ARGS ?= -n 2
# The demo targets run in development, said explicitly: the built-in SECRET_KEY is refused otherwise.
# PORT is passed on, so the links in emails (BASE_URL) point to the port the app is served on.
# BASE_URL is said once for both processes (honcho hands each process a PORT of its own).
DEV_ENV := CLUB_ENV=development PORT=$(PORT) BASE_URL=http://127.0.0.1:$(PORT)
FLASK := $(DEV_ENV) $(BIN)/flask --app wsgi
# One message catalogue (Flask-Babel's layout): club/translations/<locale>/LC_MESSAGES/messages.po, extracted by
# pybabel from what babel.cfg maps, with these keywords beside gettext's own.
BABEL_KEYWORDS := -k _l -k lazy_gettext -k lazy_ngettext:1,2 -k lazy_pgettext:1c,2

.PHONY: run test install install-test translations extract-messages db demo lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed setup.cfg
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

translations: $(VENV)/.installed
	@$(BIN)/pybabel compile --statistics -d club/translations 2>&1 | grep -v '^$$'

db: translations
	mkdir -p instance
	$(FLASK) db upgrade

demo: db
	$(FLASK) demo

# The web server and the background worker together (Procfile, run by honcho); Ctrl-C stops both.
run: demo
	@echo "Club is served on http://127.0.0.1:$(PORT) with its worker — demo accounts in README.md (password: club-demo)"
	$(DEV_ENV) WEB_PORT=$(PORT) PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile

# Then, alone on the machine, the tests that time requests against real worker processes.
test: install-test translations
	$(BIN)/pytest $(PYTEST_ARGS) --durations=20 -m "not serial"
	$(BIN)/pytest -p no:xdist --durations=10 -m serial

lint: install-test
	$(BIN)/ruff check .

# Maintainers: refresh the catalogue from the sources, then translate what is new (tests/core/test_i18n.py fails
# on any message left untranslated).
extract-messages: install-test
	$(BIN)/pybabel extract -F babel.cfg $(BABEL_KEYWORDS) --ignore-dirs ".*" --sort-output -w 100 --project club \
		--version 1 -o club/translations/messages.pot .
	$(BIN)/pybabel update -i club/translations/messages.pot -d club/translations -N --ignore-obsolete -w 100

bench: install-test translations
	$(DEV_ENV) $(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) instance/club.db* instance/queue.db* bench-results
