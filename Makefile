# Golden Thread: `make run` serves the app, `make test` runs the tests. Both set themselves up.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.dev-installed

PIP := $(PY) -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps

.PHONY: run test e2e lint install install-dev lock bench bench-load serve-team backup restore \
  clean pg-roles locales locales-extract browser-packages nginx-package

# Installs from the locks: every package of the whole tree pinned and checked by its hash.
$(STAMP): requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) -r requirements.lock
	touch $@

$(DEV_STAMP): requirements-dev.lock $(STAMP)
	$(PIP) -r requirements-dev.lock
	touch $@

install: $(STAMP) locales
install-dev: $(DEV_STAMP) locales

# The translations: each language's .po (kept in git) compiled to the .mo the app reads.
LOCALE_PO := $(wildcard locales/*/LC_MESSAGES/messages.po)
LOCALE_MO := $(LOCALE_PO:.po=.mo)

locales/%/LC_MESSAGES/messages.mo: locales/%/LC_MESSAGES/messages.po $(STAMP)
	$(VENV)/bin/pybabel compile --statistics -D messages -i $< -o $@

locales: $(LOCALE_MO)

# After adding or changing words in the code: refresh the template and every language's .po
# (new words arrive untranslated; tests/test_i18n.py says which ones a family would see). The
# .po headers stay (Welsh needs its six Plural-Forms), and an unchanged catalogue is left alone.
locales-extract: $(STAMP)
	$(VENV)/bin/pybabel extract --no-location --sort-output --omit-header -F babel.cfg \
	  -k _ -k N_ -k Nn_:1,2 -k ngettext:1,2 -o locales/messages.pot .
	$(VENV)/bin/pybabel update --no-fuzzy-matching --ignore-pot-creation-date -i locales/messages.pot \
	  -d locales -D messages

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

# Debian's packages that the browser journeys and the several-server setup drive, installed
# when missing (apt-get, as root; anyone else is told the command to run).
browser-packages:
	@deploy/debian-packages.sh chromium

nginx-package:
	@deploy/debian-packages.sh nginx

run: $(STAMP) locales .streamlit/secrets.toml
	@$(PY) -m deploy.port_check
	$(PY) -m db.ops.prepare
	$(VENV)/bin/streamlit run app.py

# Several app servers on the PostgreSQL in DATABASE_URL: REPLICAS Streamlit processes (default
# 2) behind Debian's nginx on PORT (default 8501), each replica on its own loopback port from
# REPLICA_PORT (default 8511), watched and restarted by deploy/serve_team.py. Ctrl-C stops all.
serve-team: $(STAMP) locales .streamlit/secrets.toml nginx-package
	$(PY) -m db.ops.prepare
	$(PY) -m deploy.serve_team

test: $(DEV_STAMP) locales
	$(PY) -m pytest -q -p no:cacheprovider tests --ignore=tests/e2e

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# The journeys mostly wait on pages, so E2E_WORKERS pytest-xdist workers run them side by side
# (each with its own server and copy of the demo database); a file's tests stay together, in order.
E2E_WORKERS ?= 2
e2e: $(DEV_STAMP) locales browser-packages nginx-package
	$(PY) -m pytest -q -p no:cacheprovider -n $(E2E_WORKERS) --dist loadfile tests/e2e

bench: $(DEV_STAMP)
	$(PY) -m bench.run $(BENCH_ARGS)

# The load run (not in CI): K simulated workers on 1 and on 2 replicas behind nginx, and the
# bare Streamlit page against the populated huddle. See BENCHMARKS.md.
bench-load: $(DEV_STAMP) browser-packages nginx-package
	$(PY) -m bench.load $(BENCH_ARGS)

backup: $(STAMP)
	$(PY) -m db.ops.backup backup $(if $(TO),--to $(TO),)

restore: $(STAMP)
	$(PY) -m db.ops.backup restore $(if $(FROM),--from $(FROM),)

# As the owner of the tables (MIGRATION_DATABASE_URL): the app's PostgreSQL role gets row
# privileges only, so it can never switch off the audit guard. Safe to run again.
pg-roles: $(STAMP)
	$(PY) -m db.store.migrate
	$(PY) -m db.ops.roles grant --app-role $(or $(APP_ROLE),golden_thread_app)

clean:
	rm -rf $(VENV) data .pytest_cache $(LOCALE_MO)
