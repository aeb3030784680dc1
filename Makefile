# RET: the two commands.
#
#   make run    create .venv, install the pinned requirements, migrate the SQLite database
#               (instance/ret.sqlite3, or $DATABASE_URL), load the demo region when it is empty,
#               and serve on http://127.0.0.1:5000
#   make test   install missing system packages (apt), the pinned dev requirements, and run the
#               whole suite twice: on SQLite and on a throwaway PostgreSQL. Both must pass.
#
# Stamp files in .venv remember what pip installed; they go stale when a requirements file changes
# and vanish with .venv.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app ret_app
PYTEST := $(BIN)/pytest
PIP := $(BIN)/python -m pip --disable-pip-version-check
TRANSLATIONS := ret_app/translations
# Extra pytest arguments, e.g. `make test PYTEST_ARGS="-x -k login"`.
PYTEST_ARGS ?=

.PHONY: help run test test-sqlite test-postgres bench bench-audit system-deps translations clean distclean

help:
	@echo "make run     serve the app with the demo data on http://127.0.0.1:5000"
	@echo "make test    the whole test suite on SQLite and on PostgreSQL"
	@echo "make bench   the national benchmark on PostgreSQL: 200,000 cases, 2 million audit events, gunicorn under load;"
	@echo "             writes docs/performance.md (20-40 minutes; BENCH_CASES=20000 for a smaller run)"
	@echo "make bench-audit   the audit chain check at 2 million events (full, from a checkpoint, a changed event)"
	@echo "make clean   remove the stamp files, test artifacts and the development database"
	@echo "make distclean   also remove .venv"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
		echo "'$(PYTHON) -m venv' failed; on Debian: apt-get install python3.11-venv" >&2; exit 1; }

$(VENV)/.make-requirements: requirements.txt | $(BIN)/python
	$(PIP) install -r requirements.txt
	@touch $@

$(VENV)/.make-requirements-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(PIP) install -r requirements-dev.txt
	@touch $@ $(VENV)/.make-requirements

# .po -> .mo (the .mo files are not in git), only when a catalogue changed; nothing to do while
# there is no catalogue.
PO_FILES := $(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)

translations: $(MO_FILES)

$(MO_FILES): %.mo: %.po | $(VENV)/.make-requirements
	$(BIN)/pybabel compile -d $(TRANSLATIONS)

run: $(VENV)/.make-requirements translations
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	RET_JOBS_IN_PROCESS=1 $(FLASK) run --host 127.0.0.1 --port 5000

system-deps:
	@PYTHON=$(PYTHON) scripts/install-system-deps.sh

# Both runs always happen (side by side; TEST_PARALLEL=0 for one after the other), so one report
# shows the failures on both databases; the target fails when either run fails (any non-zero pytest
# status, including 5 = no tests collected). See scripts/test-all.sh.
test: system-deps $(VENV)/.make-requirements-dev translations
	PYTEST=$(PYTEST) scripts/test-all.sh $(PYTEST_ARGS)

# One database only, for a quicker loop.
test-sqlite: $(VENV)/.make-requirements-dev translations
	env -u TEST_DATABASE_URL $(PYTEST) $(PYTEST_ARGS)

test-postgres: system-deps $(VENV)/.make-requirements-dev translations
	scripts/with-postgres.sh $(PYTEST) -o cache_dir=.pytest_cache/postgresql $(PYTEST_ARGS)

# Benchmarks (speed targets are checked here, not in unit tests): on a throwaway PostgreSQL server.
# bench: BENCH_CASES (default 200,000), BENCH_AUDIT_EVENTS (default 10 per case) and the other settings
# in benchmarks/run.py; writes docs/performance.md. bench-audit: BENCH_AUDIT_EVENTS (default 2,000,000).
bench: system-deps $(VENV)/.make-requirements-dev translations
	scripts/with-postgres.sh $(VENV)/bin/python benchmarks/run.py

bench-audit: system-deps $(VENV)/.make-requirements-dev translations
	scripts/with-postgres.sh $(VENV)/bin/python benchmarks/audit_chain.py

clean:
	rm -f $(VENV)/.make-requirements $(VENV)/.make-requirements-dev
	rm -rf .pytest_cache test-artifacts
	rm -f instance/ret.sqlite3 instance/ret.sqlite3-journal instance/ret.sqlite3-wal instance/ret.sqlite3-shm

distclean: clean
	rm -rf $(VENV)
