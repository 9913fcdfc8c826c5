# Golden Thread: `make run` serves the app, `make test` runs the tests. Both set themselves up.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.dev-installed

PIP := $(PY) -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps

.PHONY: run test e2e lint install install-dev lock bench backup restore clean pg-roles

# Installs from the locks: every package of the whole tree pinned and checked by its hash.
$(STAMP): requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) -r requirements.lock
	touch $@

$(DEV_STAMP): requirements-dev.lock $(STAMP)
	$(PIP) -r requirements-dev.lock
	touch $@

install: $(STAMP)
install-dev: $(DEV_STAMP)

# After changing requirements*.txt: write the locks again (pip-tools in a throwaway venv).
lock:
	$(PYTHON) -m venv /tmp/golden-thread-pip-tools
	/tmp/golden-thread-pip-tools/bin/pip install --quiet pip-tools
	for file in requirements requirements-dev; do \
	  /tmp/golden-thread-pip-tools/bin/pip-compile --quiet --generate-hashes --allow-unsafe \
	    --strip-extras --no-header --annotation-style=line -o $$file.lock $$file.txt; \
	done

.streamlit/secrets.toml:
	$(PY) -c "import secrets; print('cookie_key = \"' + secrets.token_urlsafe(48) + '\"')" > $@
	chmod 600 $@
	@echo "Made .streamlit/secrets.toml with a fresh random cookie key."

run: $(STAMP) .streamlit/secrets.toml
	$(PY) -m db.ops.prepare
	$(VENV)/bin/streamlit run app.py

test: $(DEV_STAMP)
	$(PY) -m pytest -q -p no:cacheprovider tests --ignore=tests/e2e

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# The journeys mostly wait on pages, so E2E_WORKERS pytest-xdist workers run them side by side
# (each with its own server and copy of the demo database); a file's tests stay together, in order.
E2E_WORKERS ?= 2
e2e: $(DEV_STAMP)
	$(PY) -m pytest -q -p no:cacheprovider -n $(E2E_WORKERS) --dist loadfile tests/e2e

bench: $(DEV_STAMP)
	$(PY) -m bench.run $(BENCH_ARGS)

backup: $(STAMP)
	$(PY) -m db.ops.backup backup $(if $(TO),--to $(TO),)

restore: $(STAMP)
	$(PY) -m db.ops.backup restore --from $(FROM)

# As the owner of the tables (MIGRATION_DATABASE_URL): the app's PostgreSQL role gets row
# privileges only, so it can never switch off the audit guard. Safe to run again.
pg-roles: $(STAMP)
	$(PY) -m db.store.migrate
	$(PY) -m db.ops.roles grant --app-role $(or $(APP_ROLE),golden_thread_app)

clean:
	rm -rf $(VENV) data .pytest_cache
