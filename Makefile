# Golden Thread: `make run` serves the app, `make test` runs the tests. Both set themselves up.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.dev-installed

.PHONY: run test e2e bench backup restore clean

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

clean:
	rm -rf $(VENV) data .pytest_cache
