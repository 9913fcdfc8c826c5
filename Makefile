# Golden Thread: `make run` serves the app, `make test` runs the tests. Both set themselves up.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.dev-installed

.PHONY: run test e2e bench backup restore clean pg-roles

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(DEV_STAMP): requirements-dev.txt $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

.streamlit/secrets.toml:
	$(PY) -c "import secrets; print('cookie_key = \"' + secrets.token_urlsafe(48) + '\"')" > $@
	chmod 600 $@
	@echo "Made .streamlit/secrets.toml with a fresh random cookie key."

run: $(STAMP) .streamlit/secrets.toml
	$(PY) -m db.ops.prepare
	$(VENV)/bin/streamlit run app.py

test: $(DEV_STAMP)
	$(PY) -m pytest -q tests --ignore=tests/e2e

e2e: $(DEV_STAMP)
	$(PY) -m pytest -q tests/e2e

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
