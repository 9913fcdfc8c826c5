"""PostgreSQL going away and coming back in the middle of a session: one plain sentence on the
screen (no stack trace), nothing stored half-way, and the app carries on by itself when the
database is back — no restart.

It needs a PostgreSQL it may stop, so it makes its own: initdb and pg_ctl (Debian's
postgresql package) in a temporary folder on a free loopback port; never the machine's shared
server. Skipped where those programs are missing.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.e2e.conftest import (
    VIEWPORT,
    _free_port,
    _start,
    _stop,
    _wait_until_answering,
    cookie_secrets,
    fill_demo,
    fill_in_a_new_family,
    log_in,
    main_text,
    open_in_sidebar,
    settle,
)

BIN = next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)), "")


@pytest.fixture(autouse=True)
def _screenshots_on_failure():
    """Replaces the journeys' fixture of this name: these tests do not need their server."""
    yield


class Postgres:
    def __init__(self, folder) -> None:
        self.data = folder / "pgdata"
        self.port = _free_port()
        self.log = folder / "postgres.log"
        run_as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.run_as = run_as
        if run_as:  # initdb refuses to run as root
            shutil.chown(folder, "postgres")
        subprocess.run(
            [*run_as, f"{BIN}/initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust"],
            check=True,
            capture_output=True,
        )

    def pg_ctl(self, *args: str) -> None:
        subprocess.run(
            [*self.run_as, f"{BIN}/pg_ctl", "-D", str(self.data), "-l", str(self.log), *args],
            check=True,
            capture_output=True,
            timeout=60,
        )

    def start(self) -> None:
        self.pg_ctl(
            "-w", "-o", f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1", "start"
        )

    def stop(self) -> None:
        self.pg_ctl("-w", "-m", "fast", "stop")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"


@pytest.fixture(scope="module")
def postgres(tmp_path_factory):
    if not BIN or not os.path.exists(f"{BIN}/pg_ctl"):
        pytest.skip("PostgreSQL's initdb/pg_ctl are not installed here")
    # Its own folder under /tmp: as root, initdb runs as the postgres user, who can't reach
    # pytest's folders (readable by their owner only).
    folder = Path(tempfile.mkdtemp(prefix="gt-pg-"))
    server = Postgres(folder)
    server.start()
    try:
        yield server
    finally:
        try:
            server.stop()
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def app(postgres, tmp_path_factory):
    fill_demo(postgres.url)
    folder = tmp_path_factory.mktemp("app")
    _cookie_key, secrets_file = cookie_secrets(folder)
    process, base, log = _start(folder, "server", postgres.url, secrets_file)
    try:
        _wait_until_answering(base, process, log)
        yield base
    finally:
        _stop(process)


def _families(postgres) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(postgres.url)
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT count(*) FROM family")).scalar_one()
    finally:
        engine.dispose()


def test_postgres_going_away_mid_session_gives_a_sentence_and_the_app_carries_on(
    postgres, app, browser
):
    page = browser.new_context(viewport=VIEWPORT).new_page()
    try:
        page.goto(app)
        settle(page)
        log_in(page, "practitioner")
        open_in_sidebar(page, "A new family asks for help")
        families = _families(postgres)
        fill_in_a_new_family(page, "The Ashdown family", "Rowan")

        postgres.stop()  # the database goes away just before Save
        page.get_by_role("button", name="Save the family").click()
        page.get_by_text("can't reach its database").wait_for(timeout=60_000)
        settle(page)
        text = main_text(page)
        assert "can't reach its database" in text, text[:500]
        assert page.locator("[data-testid='stException']").count() == 0
        assert "Traceback" not in page.locator("body").inner_text()

        postgres.start()  # back: nothing was stored half-way, and no restart is needed
        assert _families(postgres) == families
        open_in_sidebar(page, "My families")
        page.get_by_role("heading", name="My families").wait_for(timeout=30_000)
        assert "can't reach its database" not in main_text(page)
        assert page.get_by_role("button", name="Log out").count() == 1
    finally:
        page.context.close()
