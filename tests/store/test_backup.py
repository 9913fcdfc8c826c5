"""Backups: back up, change data, restore, and every table's row count is the backed-up one.
On SQLite always; on PostgreSQL with TEST_DATABASE=postgresql when pg_dump is installed."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select, text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

import db.store.models  # noqa: F401  (every table on the metadata)
from db import goals
from db.ops import backup as backups
from db.store.engine import get_engine, write_session
from db.store.models import Family, Team
from tests import factories
from tests.conftest import BACKEND, ROOT


@pytest.fixture
def database(demo_db):
    if BACKEND == "postgresql" and shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed: PostgreSQL backups cannot be tested here.")
    return demo_db


def _counts(engine) -> dict[str, int]:
    names = sorted(set(inspect(engine).get_table_names()) | set(SQLModel.metadata.tables))
    with engine.connect() as connection:
        return {
            name: connection.execute(
                select(func.count()).select_from(
                    SQLModel.metadata.tables[name]
                    if name in SQLModel.metadata.tables
                    else text(name)
                )
            ).scalar_one()
            for name in names
        }


def _change_everything_a_little(engine) -> None:
    with write_session(engine) as session:
        team = session.get(Team, 1)
        session.add(
            Family(
                team_id=team.id, known_as="Added after the backup", first_came_on=team_first_day()
            )
        )
    with engine.begin() as connection:
        connection.execute(
            text("DELETE FROM goalscore WHERE id IN (SELECT id FROM goalscore ORDER BY id LIMIT 5)")
        )


def team_first_day():
    from datetime import date

    return date(2025, 1, 2)


def test_backup_change_restore_gives_back_every_row(database, tmp_path):
    before = _counts(database)
    written = backups.backup(tmp_path / "saved")
    assert written.exists() and written.stat().st_size > 0
    _change_everything_a_little(database)
    changed = _counts(database)
    assert changed["family"] == before["family"] + 1
    assert changed["goalscore"] == before["goalscore"] - 5

    safety = backups.restore(written, safety_folder=tmp_path / "safety")
    assert _counts(get_engine()) == before
    assert safety.exists() and safety != written
    # The safety copy holds the state just before the restore, so a restore can be undone.
    backups.restore(safety, safety_folder=tmp_path / "safety2")
    assert _counts(get_engine()) == changed


def test_backups_go_to_a_timestamped_file_in_the_folder_given(database, tmp_path):
    first = backups.backup(tmp_path)
    second = backups.backup(tmp_path)
    assert first.parent == tmp_path and first != second
    assert first.name.startswith("golden_thread-")
    with pytest.raises(backups.BackupProblem, match="already exists"):
        backups.backup(first)


def test_a_new_folder_named_with_a_closing_slash_gets_the_backup_inside_it(database, tmp_path):
    """`make backup TO=/mnt/backups/` on a first day, before that folder exists: the backup
    goes into the new folder (its help says "a folder or a file name"), not into a file
    called `backups`."""
    written = backups.backup(f"{tmp_path / 'new-folder'}/")
    assert (tmp_path / "new-folder").is_dir()
    assert written.parent == tmp_path / "new-folder"
    assert written.name.startswith("golden_thread-")


def test_restore_refuses_a_file_that_is_not_a_backup(database, tmp_path):
    before = _counts(database)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(backups.BackupProblem, match="is not a"):
        backups.restore(junk, safety_folder=tmp_path / "safety")
    with pytest.raises(backups.BackupProblem, match="no backup file"):
        backups.restore(tmp_path / "missing.db", safety_folder=tmp_path / "safety")
    assert _counts(database) == before


def test_a_backup_cut_short_changes_nothing(database, tmp_path):
    """A file that ends part-way (a copy interrupted, a full disk): the restore stops with a
    sentence and the database is as it was, not emptied or half-filled."""
    written = backups.backup(tmp_path / "whole")
    _change_everything_a_little(database)
    before = _counts(database)
    cut = tmp_path / f"cut{written.suffix}"
    cut.write_bytes(written.read_bytes()[: written.stat().st_size * 2 // 3])
    with pytest.raises(backups.BackupProblem, match="[Nn]othing was changed"):
        backups.restore(cut, safety_folder=tmp_path / "safety")
    assert _counts(get_engine()) == before


def _cli(*args: str, folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "db.ops.backup", *args],
        cwd=ROOT,
        env={**os.environ, "BACKUP_DIR": str(folder)},
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


def test_the_command_line_backs_up_and_restores_only_with_yes(database, tmp_path):
    made = _cli("backup", folder=tmp_path)
    assert made.returncode == 0, made.stderr
    path = Path(made.stdout.split(" to ", 1)[1].strip().rstrip("."))
    assert path.exists() and path.parent == tmp_path
    before = _counts(database)
    _change_everything_a_little(database)

    refused = _cli("restore", "--from", str(path), folder=tmp_path)
    assert refused.returncode == 2 and "--yes" in refused.stderr
    assert _counts(database)["family"] == before["family"] + 1

    done = _cli("restore", "--from", str(path), "--yes", folder=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Backed up the current state" in done.stdout and "restored" in done.stdout
    assert _counts(database) == before
    assert len(list(tmp_path.glob("golden_thread-*"))) == 2  # ours, and the state before restore


def test_a_restore_without_a_file_says_how_to_name_one_and_lists_the_latest(tmp_path):
    """`make restore` with no FROM= passed an empty --from, and argparse answered "expected
    one argument"; it now says how to name the file and which backups there are."""
    nothing = _cli("restore", folder=tmp_path)
    assert nothing.returncode == 2 and "Traceback" not in nothing.stderr
    assert "make restore FROM=<file>" in nothing.stderr and "no backups" in nothing.stderr
    (tmp_path / "golden_thread-20260101-000000-000000.db").write_bytes(b"")
    listed = _cli("restore", folder=tmp_path)
    assert "golden_thread-20260101-000000-000000.db" in listed.stderr
    made = subprocess.run(
        ["make", "-n", "restore"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert "--from" not in made.stdout  # no FROM=: no empty --from for argparse to refuse


def test_an_unreachable_database_is_one_sentence(tmp_path):
    url = "postgresql+psycopg://postgres@127.0.0.1:1/nowhere"
    finished = subprocess.run(
        [sys.executable, "-m", "db.ops.backup", "backup"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url, "BACKUP_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    if shutil.which("pg_dump") is None:
        assert "pg_dump is not installed" in finished.stderr
    else:
        assert finished.returncode == 1 and "can't reach its database" in finished.stderr
        assert "Connection refused" in finished.stderr  # what the server said, in words
        assert "Traceback" not in finished.stderr


def test_a_client_server_version_mismatch_is_refused_in_words(database, monkeypatch):
    if BACKEND != "postgresql":
        pytest.skip("PostgreSQL only: SQLite backups need no client tools")
    monkeypatch.setattr(backups, "client_major", lambda tool="pg_dump": 9)
    with pytest.raises(backups.BackupProblem, match="major versions must match"):
        backups.backup()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_backups_are_readable_by_their_owner_only(database, tmp_path, monkeypatch):
    """A backup holds everything the database holds (which only its owner may read): its
    folder is 0700 and every file 0600, the safety backup before a restore too."""
    monkeypatch.setenv("BACKUP_DIR", str(tmp_path / "backups"))
    previous = os.umask(0o022)  # the usual umask: files 0644, folders 0755
    try:
        written = backups.backup()
        named = backups.backup(tmp_path / "chosen" / "b")
        safety = backups.restore(written, safety_folder=tmp_path / "safety")
    finally:
        os.umask(previous)
    for path in (written, named, safety):
        assert _mode(path) == 0o600, (path, oct(_mode(path)))
        assert _mode(path.parent) == 0o700, (path.parent, oct(_mode(path.parent)))


def test_the_backup_folder_is_made_private_even_when_it_was_not(database, tmp_path, monkeypatch):
    folder = tmp_path / "backups"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    monkeypatch.setenv("BACKUP_DIR", str(folder))
    written = backups.backup()
    assert _mode(folder) == 0o700 and _mode(written) == 0o600


def test_the_postgresql_tools_get_the_whole_address_and_no_password_on_their_command_line():
    """pg_dump and pg_restore reach exactly the database the app uses: host and port given in
    the query string (as for a socket or a second cluster), TLS settings and the rest reach
    them as written; the password goes in their environment, never in the process list."""
    url = (
        "postgresql+psycopg://gt%40app:s3cret%2F@/golden%20thread"
        "?host=127.0.0.1&port=5433&sslmode=verify-full&sslrootcert=/etc/gt/root.crt"
    )
    env, args = backups._pg_env_and_args(make_url(url))
    assert args == [
        "--dbname=postgresql://gt%40app@/golden%20thread?host=127.0.0.1&port=5433"
        "&sslmode=verify-full&sslrootcert=%2Fetc%2Fgt%2Froot.crt"
    ]
    assert env["PGPASSWORD"] == "s3cret/"
    assert "s3cret" not in " ".join(args)
    env, args = backups._pg_env_and_args(
        make_url("postgresql+psycopg://gt@db.example.org:6432/gt?password=p4ss")
    )
    assert args == ["--dbname=postgresql://gt@db.example.org:6432/gt"]
    assert env["PGPASSWORD"] == "p4ss"


def test_a_postgresql_backup_reaches_the_database_named_in_the_query_string(
    database, tmp_path, monkeypatch
):
    if BACKEND != "postgresql":
        pytest.skip("PostgreSQL only")
    configured = make_url(os.environ["DATABASE_URL"])
    # The same database, its host and port written as query options; libpq's defaults from
    # the environment point elsewhere (a port nothing listens on), as another cluster would.
    url = configured.set(
        host=None, port=None, query={"host": configured.host, "port": str(configured.port)}
    )
    url = url._replace(host=None, port=None)
    monkeypatch.setenv("PGHOST", "127.0.0.1")
    monkeypatch.setenv("PGPORT", "1")
    written = backups.backup(tmp_path / "b.dump", url=url.render_as_string(hide_password=False))
    listing = subprocess.run(
        ["pg_restore", "--list", str(written)], capture_output=True, text=True, check=True
    ).stdout
    assert " alembic_version" in listing


def test_after_a_restore_no_server_shows_a_view_cached_before_it(database, tmp_path):
    """A running server's cache is keyed by data versions, which a restore brings back: the
    restore moves them past every version seen before, so no stale view can match."""
    team = factories.team("Restore team")
    sam = factories.practitioner("sam_restore", team)
    family = factories.family(team, "The Restore family")
    saved = backups.backup(tmp_path / "saved")
    goals.add_goal(sam, family_id=family, goal=goals.GoalIn(wording="Wrong family's goal"))
    before = goals.goal_data(sam, family)  # drawn, so cached, on this server
    assert list(before.goals["wording"]) == ["Wrong family's goal"]
    backups.restore(saved, safety_folder=tmp_path / "safety")
    goals.add_goal(sam, family_id=family, goal=goals.GoalIn(wording="Calmer bedtimes"))
    after = goals.goal_data(sam, family)
    assert list(after.goals["wording"]) == ["Calmer bedtimes"]
    assert after.data_version > before.data_version


def test_a_restore_leaves_an_extension_installed_in_the_schema_alone(database, tmp_path):
    """A DBA's extension in the public schema (pg_trgm, citext…) owns functions a restore
    can't drop: the restore empties only what is ours."""
    if BACKEND != "postgresql":
        pytest.skip("PostgreSQL extensions")
    with database.begin() as connection:
        connection.execute(text("CREATE EXTENSION IF NOT EXISTS citext SCHEMA public"))
    saved = backups.backup(tmp_path / "saved")
    _change_everything_a_little(database)
    before_change = _counts(database)
    backups.restore(saved, safety_folder=tmp_path / "safety")
    assert _counts(get_engine()) != before_change
    with get_engine().connect() as connection:
        assert connection.execute(text("SELECT 'A'::citext = 'a'")).scalar() is True
