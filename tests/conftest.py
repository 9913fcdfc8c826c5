"""Shared fixtures: a migrated demo database made once per test session and copied per test.

Store and metric tests (tests/store) run on SQLite by default and on PostgreSQL with
TEST_DATABASE=postgresql: each test session then creates its own uniquely named databases on
the server and drops them afterwards. Screen tests (tests/screens) use SQLite.
"""

from __future__ import annotations

import gc
import os
import shutil
import uuid
from concurrent.futures import Future, ThreadPoolExecutor, wait
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

os.environ.pop("DATABASE_URL", None)
# Password hashes made in tests (the demo users' too, and in the browser journeys' servers,
# which inherit this) use bcrypt's lowest cost: a check then takes milliseconds, not a quarter
# of a second. What a login does is the same at any cost.
os.environ.setdefault("BCRYPT_ROUNDS", "4")

from db.store.engine import get_engine  # noqa: E402
from db.store.migrate import upgrade_to_head  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TODAY = date.today()
BACKEND = os.environ.get("TEST_DATABASE", "sqlite")
PG_SERVER = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SESSION_TAG = uuid.uuid4().hex[:8]


def pytest_sessionstart(session):
    """The suite builds and drops a thousand AppTest runs and demo copies, so Python's
    collector kept walking the long-lived modules and fixtures: freezing what is loaded and
    collecting less often made `make test` a fifth quicker (342 s → 265 s on a 2-core
    machine), which CI's four suites side by side need."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)


def _use_database(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    get_engine.cache_clear()


def _clear_streamlit_caches() -> None:
    import streamlit as st

    from db.store.cache import clear_every_cache

    clear_every_cache()
    st.cache_data.clear()
    st.cache_resource.clear()


class SQLiteTemplates:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def make(self, name: str, fill_demo: bool) -> str:
        path = self.folder / f"{name}.db"
        engine = get_engine(f"sqlite:///{path}")
        upgrade_to_head(engine)
        if fill_demo:
            from db.ops.demo import fill

            fill(engine, seed=42, today=TODAY)
        engine.dispose()
        return str(path)

    def copy(self, template: str, tmp_path: Path) -> str:
        target = tmp_path / "golden_thread.db"
        shutil.copy(template, target)
        return f"sqlite:///{target}"

    def drop(self, url: str) -> None:
        get_engine(url).dispose()

    def wait_for_drops(self) -> None:
        pass

    def close(self) -> None:
        pass


class PostgresTemplates:
    """Databases on the shared server, uniquely named for this test session.

    Copying a template takes a second or so and dropping a database several (PostgreSQL waits
    for a checkpoint), so background threads do both off the tests' path: one has the next copy
    of a template ready before a test asks, and a few drop each test's database after the test
    (drops waiting at the same moment share one checkpoint). Every test still gets a database
    of its own, copied from the template."""

    def __init__(self) -> None:
        self.admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
        self.made: list[str] = []
        self.helper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pg-copies")
        self.droppers = ThreadPoolExecutor(max_workers=4, thread_name_prefix="pg-drops")
        self.ready: dict[str, Future[str]] = {}
        self.dropping: list[Future[None]] = []
        with self.admin.connect() as connection:
            connection.execute(text("SELECT 1"))

    def _url(self, name: str) -> str:
        return PG_SERVER.rsplit("/", 1)[0] + "/" + name

    def _create(self, name: str, template: str | None = None) -> str:
        clause = f" TEMPLATE {template}" if template else ""
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"{clause}'))
            # A test database need not survive a crash of the server: its commits don't wait
            # for the disk (what one connection commits is still seen by the next at once).
            connection.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
        self.made.append(name)
        return name

    def _drop(self, name: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.made.remove(name)

    def _copy_of(self, template: str) -> str:
        return self._create(f"gt_{SESSION_TAG}_{uuid.uuid4().hex[:8]}", template)

    def make(self, name: str, fill_demo: bool) -> str:
        database = self._create(f"gt_{SESSION_TAG}_{name}")
        engine = get_engine(self._url(database))
        upgrade_to_head(engine)
        if fill_demo:
            from db.ops.demo import fill

            fill(engine, seed=42, today=TODAY)
        engine.dispose()
        return database

    def copy(self, template: str, tmp_path: Path) -> str:
        waiting = self.ready.pop(template, None)
        name = waiting.result() if waiting else self._copy_of(template)
        self.ready[template] = self.helper.submit(self._copy_of, template)
        return self._url(name)

    def drop(self, url: str) -> None:
        get_engine(url).dispose()
        self.dropping.append(self.droppers.submit(self._drop, url.rsplit("/", 1)[1]))

    def wait_for_drops(self) -> None:
        """Returns once every test database handed back so far is gone (e.g. before dropping
        a role that has privileges in them)."""
        wait(self.dropping)
        self.dropping.clear()

    def close(self) -> None:
        self.helper.shutdown(wait=True)
        for waiting in self.ready.values():  # copies made ahead that no test asked for
            if waiting.exception() is None:
                self.droppers.submit(self._drop, waiting.result())
        self.droppers.shutdown(wait=True)
        for name in list(self.made):  # the templates, and whatever a failed drop left
            with self.admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


@pytest.fixture(scope="session")
def templates(tmp_path_factory):
    if BACKEND == "postgresql":
        try:
            store = PostgresTemplates()
        except Exception as error:
            if os.environ.get("CI") == "true":
                pytest.fail(f"PostgreSQL is unreachable at {PG_SERVER}: {error}")
            pytest.skip(f"PostgreSQL is unreachable at {PG_SERVER}; PostgreSQL tests skipped.")
    else:
        store = SQLiteTemplates(tmp_path_factory.mktemp("templates"))
    yield store
    store.close()


@pytest.fixture(scope="session")
def empty_template(templates):
    return templates.make("empty", fill_demo=False)


@pytest.fixture(scope="session")
def demo_template(templates):
    return templates.make("demo", fill_demo=True)


def _database_from(templates, template, tmp_path):
    url = templates.copy(template, tmp_path)
    _use_database(url)
    _clear_streamlit_caches()
    yield get_engine(url)
    templates.drop(url)
    os.environ.pop("DATABASE_URL", None)
    get_engine.cache_clear()


@pytest.fixture
def demo_db(templates, demo_template, tmp_path):
    """A private copy of the demo database, made current for the app and db/ alike."""
    yield from _database_from(templates, demo_template, tmp_path)


@pytest.fixture
def empty_db(templates, empty_template, tmp_path):
    """A private, migrated, empty database."""
    yield from _database_from(templates, empty_template, tmp_path)


@pytest.fixture(scope="session", autouse=True)
def _every_run_goes_through_app_py():
    """AppTest (streamlit 1.67) resets PagesManager.uses_pages_directory on every run and the
    next PagesManager sets it again because pages/ exists, so after a click a page whose file
    name matches its address would run on its own, without app.py (no sidebar, no logout).
    On a server the flag stays False once app.py has run; make AppTest behave the same."""
    from streamlit.runtime.pages_manager import PagesManager

    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init
    yield
    PagesManager.__init__ = original


@pytest.fixture
def clock_at(monkeypatch):
    """Sets the store's "now" to a moment, everywhere it is read: db.store.clock and every
    module that imported its utcnow by name (patching the clock alone left those on the real
    time, so a test of a frozen hour passed or failed with the hour it ran at)."""
    import sys
    from datetime import datetime

    from db.store import clock

    real = clock.utcnow

    def set_now(moment: datetime) -> None:
        for module in [clock, *sys.modules.values()]:
            if getattr(module, "__name__", "").startswith(("db", "components")) and (
                getattr(module, "utcnow", None) is real
            ):
                monkeypatch.setattr(module, "utcnow", lambda: moment)
        monkeypatch.setattr(clock, "utcnow", lambda: moment)

    return set_now
