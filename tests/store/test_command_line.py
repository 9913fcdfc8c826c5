"""The `python -m …` tools an operator runs on their first day: `--help` explains and touches
nothing, and a database that can't be reached, or a demo fill into a database in use, ends in
one sentence saying what to do, never a stack trace."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

# Nothing listens on port 1: the driver's "Connection refused", with no server needed.
NOWHERE = "postgresql+psycopg://golden_thread_app@127.0.0.1:1/golden_thread"


def _run(*args: str, database_url: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url}
    env.pop("MIGRATION_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("module", "usage"),
    [
        ("db.ops.prepare", "usage: python -m db.ops.prepare"),
        ("db.store.migrate", "usage: python -m db.store.migrate"),
        ("db.ops.demo", "usage: python -m db.ops.demo"),
        ("deploy.serve_team", "usage: python -m deploy.serve_team"),
    ],
)
def test_help_explains_and_touches_no_database(module, usage, tmp_path):
    """`--help` used to migrate (and, with no DATABASE_URL, fill the demo data) instead of
    saying what the command does; the others called themselves demo.py or serve_team.py."""
    database = tmp_path / "untouched.db"
    said = _run(module, "--help", database_url=f"sqlite:///{database}")
    assert said.returncode == 0, said.stderr
    assert said.stdout.startswith(usage)
    assert "DATABASE_URL" in said.stdout
    assert not database.exists()


@pytest.mark.parametrize(
    "module",
    [
        "db.importer",
        "db.ops.admin",
        "db.ops.backup",
        "db.ops.roles",
        "deploy.port_check",
        "bench.run",
        "bench.browser",
        "bench.load",
        "bench.generate",
        "bench.queries",
    ],
)
def test_every_tools_help_names_the_command_to_type(module, tmp_path):
    said = _run(module, "--help", database_url=f"sqlite:///{tmp_path / 'untouched.db'}")
    assert said.returncode == 0, said.stderr
    assert said.stdout.startswith(f"usage: python -m {module} ")
    assert not (tmp_path / "untouched.db").exists()


def test_the_team_servers_help_names_the_makefiles_settings(tmp_path):
    said = _run("deploy.serve_team", "--help", database_url=NOWHERE)
    for setting in ("REPLICAS", "PORT", "REPLICA_PORT", "8501", "8511"):
        assert setting in said.stdout


@pytest.mark.parametrize(
    "command",
    [
        ("db.ops.prepare",),
        ("db.store.migrate",),
        ("db.ops.roles", "grant", "--app-role", "golden_thread_app"),
        ("db.ops.admin", "create-admin"),
        ("db.ops.demo",),
        ("db.ops.backup", "backup"),
        ("db.importer", "db/importer/template.csv", "--team", "A team", "--as", "admin"),
    ],
)
def test_a_database_that_cannot_be_reached_is_one_sentence_saying_what_to_do(command, tmp_path):
    said = _run(*command, database_url=NOWHERE)
    assert said.returncode != 0
    assert "Traceback" not in said.stderr
    message = said.stderr.strip()
    assert "can't reach its database at" in message
    assert "127.0.0.1:1/golden_thread (DATABASE_URL)" in message
    assert "Connection refused" in message  # what the server said, not "OperationalError"
    assert "check the host and port, and that PostgreSQL is running" in message


def test_a_missing_database_and_role_are_named_with_the_command_that_makes_them():
    from sqlalchemy.exc import OperationalError

    from db.store.engine import connection_problem

    class Said(Exception):
        pass

    missing_db = OperationalError(
        "connect",
        {},
        Said(
            'connection failed: connection to server at "127.0.0.1", port 5432 failed: '
            'FATAL:  database "golden_thread" does not exist'
        ),
    )
    said = connection_problem(missing_db)
    assert 'database "golden_thread" does not exist. Please create it (createdb)' in said
    missing_role = OperationalError(
        "connect", {}, Said('... failed: FATAL:  role "golden_thread_app" does not exist')
    )
    assert "(createuser)" in connection_problem(missing_role)


def test_the_address_is_shown_without_its_password(monkeypatch):
    from sqlalchemy.exc import OperationalError

    from db.store.engine import connection_problem

    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://app:s3cret-word@db.example/gt")
    said = connection_problem(OperationalError("connect", {}, OSError("Connection refused")))
    assert "s3cret-word" not in said and "app:***@db.example/gt" in said


def test_a_sqlite_file_in_a_folder_that_cannot_be_made_is_one_sentence(tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    said = _run("db.ops.prepare", database_url=f"sqlite:///{blocked}/golden_thread.db")
    assert said.returncode == 1
    assert "Traceback" not in said.stderr
    assert "can't make its SQLite database" in said.stderr
    assert "check DATABASE_URL" in said.stderr


def test_demo_data_goes_only_into_an_empty_database(demo_db):
    """`python -m db.ops.demo` on a database in use (a council's, with its first admin) said
    IntegrityError with the demo's rows and password hashes; it now adds nothing and says why."""
    url = demo_db.url.render_as_string(hide_password=False)
    said = _run("db.ops.demo", database_url=url)
    assert said.returncode == 1
    assert "Traceback" not in said.stderr
    assert "already has workers or families, so no demo data was added" in said.stderr


def test_a_setting_of_the_wrong_kind_is_named_without_a_stack_trace(tmp_path):
    """db/settings.py promises a wrong value "stops the app at start-up with the variable's
    name": it did, at the end of pydantic's stack trace, from `make run`'s first step."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    env |= {"IDLE_MINUTES": "half an hour", "GOLDEN_THREAD_LOGIN": "sso"}
    said = subprocess.run(
        [sys.executable, "-m", "db.ops.prepare"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert said.returncode == 1
    assert "Traceback" not in said.stderr and "pydantic" not in said.stderr
    assert "IDLE_MINUTES = 'half an hour': input should be a valid number" in said.stderr
    assert "GOLDEN_THREAD_LOGIN = 'sso': input should be 'password', 'oidc' or 'both'" in (
        said.stderr
    )
    assert not (tmp_path / "x.db").exists()
