"""Backups and restores of the configured database (DATABASE_URL, or the embedded SQLite file).

    python -m db.ops.backup backup [--to PATH]
    python -m db.ops.backup restore --from PATH [--yes]

SQLite: the sqlite3 online backup API (a consistent copy while the app keeps running), checked
with PRAGMA integrity_check. PostgreSQL: pg_dump -Fc, brought back by pg_restore into psql in one
transaction that first empties our tables (so a backup from before an upgrade comes back too);
the tools' major version must match the server's. Backups go to a timestamped file under
backups/ (or BACKUP_DIR) unless --to says where (a folder or a file name).

A restore first takes a backup of the current state (so a restore can itself be undone), then
replaces the configured database's contents in one step. Run from a terminal it asks for
confirmation; run non-interactively it needs --yes. It says what it did.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote, urlencode

from sqlalchemy import text
from sqlalchemy.engine import URL, make_url

from db.settings import ROOT
from db.store.engine import connection_problem, database_url, get_engine, plain_database_errors

BACKUP_FOLDER = ROOT / "backups"  # BACKUP_DIR in the environment puts them elsewhere


def backup_folder() -> Path:
    return Path(os.environ.get("BACKUP_DIR") or BACKUP_FOLDER)


class BackupProblem(RuntimeError):
    """A backup or restore could not be done safely; the message says why and what to do."""


# --- where ---------------------------------------------------------------------------------


def _stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S-%f")


def _private_folder(folder: Path) -> None:
    """A folder for backups that only its owner can open: one made here, and the configured
    backup folder even if it was made otherwise (a folder named with --to that already exists
    is left as it is; the files in it are private anyway)."""
    made = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    if made or folder.resolve() == backup_folder().resolve():
        os.chmod(folder, 0o700)  # mkdir's mode is narrowed by the umask, never widened


def _target(to: str | Path | None, suffix: str, label: str = "golden_thread") -> Path:
    """The backup's file, made empty and readable by its owner only (0600) before anything is
    written into it: a backup holds everything the database holds."""
    if to is None:
        folder, name = backup_folder(), None
    else:
        # A name ending in "/" is a folder even before it exists (Path() drops that "/").
        as_folder = str(to).endswith(("/", os.sep))
        to = Path(to)
        if to.is_dir() or as_folder:
            folder, name = to, None
        else:
            folder, name = to.parent, to.name
    _private_folder(folder)
    path = folder / (name or f"{label}-{_stamp()}{suffix}")
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        raise BackupProblem(
            f"{path} already exists: choose another name (nothing was written)."
        ) from None
    return path


def _kind(url: URL) -> str:
    backend = url.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise BackupProblem(f"Golden Thread backs up SQLite or PostgreSQL, not {backend}.")
    return backend


def _sqlite_file(url: URL) -> Path:
    if url.database in (None, "", ":memory:"):
        raise BackupProblem("An in-memory SQLite database has nothing to back up.")
    return Path(url.database).resolve()


# --- SQLite --------------------------------------------------------------------------------


def _integrity(path: Path) -> None:
    try:
        with sqlite3.connect(path) as check:
            result = check.execute("PRAGMA integrity_check").fetchall()
        check.close()
    except sqlite3.DatabaseError as error:
        raise BackupProblem(
            f"{path} is not a SQLite database ({error}): nothing was changed."
        ) from None
    if result != [("ok",)]:
        raise BackupProblem(f"{path} fails SQLite's integrity check: {result[:3]}")


def _sqlite_copy(source: Path, target: Path) -> None:
    """The online backup API: a consistent snapshot even while the app is writing."""
    source_db = sqlite3.connect(source)
    target_db = sqlite3.connect(target)
    try:
        source_db.backup(target_db)
    finally:
        target_db.close()
        source_db.close()


def _sqlite_backup(url: URL, to) -> Path:
    source = _sqlite_file(url)
    if not source.exists():
        raise BackupProblem(f"There is no database at {source} to back up.")
    target = _target(to, ".db")
    try:
        _sqlite_copy(source, target)
        _integrity(target)
    except Exception:
        target.unlink(missing_ok=True)
        raise
    return target


def _sqlite_restore(url: URL, source: Path, versions_after: int) -> None:
    _integrity(source)
    with sqlite3.connect(source) as check:
        tables = {
            row[0] for row in check.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
    check.close()
    if "alembic_version" not in tables:
        raise BackupProblem(
            f"{source} is not a Golden Thread database (no alembic_version "
            f"table): nothing was changed."
        )
    target = _sqlite_file(url)
    get_engine(str(url)).dispose()  # our own pooled connections: let go before the copy
    source_db = sqlite3.connect(source)
    target_db = sqlite3.connect(target, timeout=30)
    try:
        # The backup API writes the whole file under the target's write lock, in one step.
        source_db.backup(target_db)
        with target_db:
            target_db.executescript(_move_versions_on(versions_after))
    finally:
        target_db.close()
        source_db.close()
    _integrity(target)


# --- PostgreSQL ----------------------------------------------------------------------------


def _libpq_address(url: URL) -> str:
    """The database's address as libpq reads it (a postgresql:// URI), without the password
    and without SQLAlchemy's driver suffix (+psycopg): user, host, port, database and every
    query option (host= and port= for a socket or another cluster, sslmode, sslrootcert…) as
    written, so the tools reach exactly the database the app uses."""
    user = quote(url.username or "", safe="")
    host = url.host or ""
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    port = f":{url.port}" if url.port else ""
    where = f"{user}@{host}{port}" if user else f"{host}{port}"
    options = [
        (key, value)
        for key, values in (url.query or {}).items()
        if key != "password"
        for value in ((values,) if isinstance(values, str) else values)
    ]
    query = f"?{urlencode(options, quote_via=quote)}" if options else ""
    return f"postgresql://{where}/{quote(url.database or '', safe='')}{query}"


def _pg_env_and_args(url: URL) -> tuple[dict, list[str]]:
    """The tools' environment (the password, kept off their command line, which every local
    user can read) and their --dbname: the whole address."""
    env = dict(os.environ)
    in_query = url.query.get("password") if url.query else None
    password = url.password or (in_query if isinstance(in_query, str) else None)
    if isinstance(in_query, tuple) and not password:
        password = in_query[-1]
    if password:
        env["PGPASSWORD"] = str(password)
    return env, [f"--dbname={_libpq_address(url)}"]


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupProblem(
            f"{name} is not installed: install the PostgreSQL client tools "
            f"(e.g. apt-get install postgresql-client) matching the server's "
            f"major version."
        )
    return found


def client_major(tool: str = "pg_dump") -> int:
    output = subprocess.run(
        [_tool(tool), "--version"], capture_output=True, text=True, check=True
    ).stdout
    match = re.search(r"(\d+)(?:\.\d+)?", output)
    if not match:
        raise BackupProblem(f"Could not read the version of {tool}: {output.strip()}")
    return int(match.group(1))


def server_major(url: URL) -> int:
    try:
        with get_engine(url.render_as_string(hide_password=False)).connect() as connection:
            number = int(connection.execute(text("SHOW server_version_num")).scalar_one())
    except Exception as problem:
        raise BackupProblem(f"{connection_problem(problem)} Nothing was done.") from None
    return number // 10000


def _check_versions(url: URL, tool: str) -> None:
    client, server = client_major(tool), server_major(url)
    if client != server:
        raise BackupProblem(
            f"{tool} is version {client} but the PostgreSQL server is version {server}: their "
            f"major versions must match (a newer pg_dump writes files an older pg_restore "
            f"cannot read; an older one refuses a newer server). Install postgresql-client-"
            f"{server}, or put its bin folder first on PATH. Nothing was done."
        )


def _run(command: list[str], env: dict, what: str) -> None:
    finished = subprocess.run(command, env=env, capture_output=True, text=True)
    if finished.returncode != 0:
        raise BackupProblem(f"{what} failed: {finished.stderr.strip()[-2000:]}")


def _pg_backup(url: URL, to) -> Path:
    _check_versions(url, "pg_dump")
    target = _target(to, ".dump")
    env, args = _pg_env_and_args(url)
    try:
        _run(
            [
                _tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                "--file",
                str(target),
                *args,
            ],
            env,
            "pg_dump",
        )
    except Exception:
        target.unlink(missing_ok=True)
        raise
    return target


def _pg_restore(url: URL, source: Path, versions_after: int) -> None:
    _check_versions(url, "pg_restore")
    env, args = _pg_env_and_args(url)
    listing = subprocess.run(
        [_tool("pg_restore"), "--list", str(source)], capture_output=True, text=True
    )
    if listing.returncode != 0 or " alembic_version" not in listing.stdout:
        raise BackupProblem(
            f"{source} is not a pg_dump -Fc file of a Golden Thread database: nothing was changed."
        )
    get_engine(url.render_as_string(hide_password=False)).dispose()
    _restore_in_one_transaction(source, env, args, versions_after)


# Every table (and the audit's guard functions) goes first, in the same transaction as the
# restore. `pg_restore --clean` drops only what the file holds, so a backup taken before an
# upgrade (fewer tables) failed on the newer tables' foreign keys: and that is the backup most
# often wanted back. What an extension installed in the schema owns is left to it.
_EMPTY_THE_SCHEMA = """
SET client_min_messages = warning;
DO $$
DECLARE t record;
BEGIN
  FOR t IN SELECT c.oid::regclass AS name FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
  LOOP
    EXECUTE format('DROP TABLE IF EXISTS %s CASCADE', t.name);
  END LOOP;
  FOR t IN SELECT p.oid::regprocedure AS routine FROM pg_proc p
           JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname = 'public'
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
  LOOP
    EXECUTE format('DROP ROUTINE IF EXISTS %s CASCADE', t.routine);
  END LOOP;
END $$;
"""


def _restore_in_one_transaction(
    source: Path, env: dict, args: list[str], versions_after: int
) -> None:
    """pg_restore first writes the backup as SQL to a private file (a damaged backup stops
    here, before the database is touched); then psql runs the emptying, that file and the
    versions' move in one transaction, which lands whole or not at all (ON_ERROR_STOP)."""
    with tempfile.TemporaryDirectory(prefix="golden-thread-restore-") as folder:
        steps = Path(folder)  # made owner-only by tempfile: the SQL holds the whole record
        (steps / "1-empty.sql").write_text(_EMPTY_THE_SCHEMA)
        (steps / "3-versions.sql").write_text(_move_versions_on(versions_after, schema="public."))
        script = steps / "2-backup.sql"
        written = subprocess.run(
            [_tool("pg_restore"), "--no-owner", "--no-privileges", f"--file={script}", str(source)],
            capture_output=True,
            text=True,
        )
        if written.returncode != 0:
            said = written.stderr.strip()[-2000:]
            raise BackupProblem(f"pg_restore failed: {said} Nothing was changed.")
        loaded = subprocess.run(
            [
                _tool("psql"),
                "--no-psqlrc",
                "--quiet",
                "--set=ON_ERROR_STOP=1",
                "--single-transaction",
                *args,
                *(
                    f"--file={steps / name}"
                    for name in ("1-empty.sql", script.name, "3-versions.sql")
                ),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        if loaded.returncode != 0:
            said = loaded.stderr.strip()[-2000:]
            if "must be owner of" in said:
                raise BackupProblem(
                    "This database role doesn't own the tables, so it can't replace them: run "
                    "the restore with DATABASE_URL set to the owner's address (the one in "
                    "MIGRATION_DATABASE_URL). Nothing was changed."
                )
            raise BackupProblem(f"The restore failed: {said} Nothing was changed.")


# --- every cached view, out of date after a restore ----------------------------------------


def _highest_data_version(url: URL) -> int:
    """The highest data version of a family or team in the database now."""
    try:
        with get_engine(url.render_as_string(hide_password=False)).connect() as connection:
            return int(
                connection.execute(
                    text(
                        "SELECT max(v) FROM (SELECT max(data_version) AS v FROM family "
                        "UNION ALL SELECT max(data_version) AS v FROM team) AS versions"
                    )
                ).scalar()
                or 0
            )
    except Exception:
        return 0  # no tables yet: nothing can have been cached


def _move_versions_on(past: int, schema: str = "") -> str:
    """Cached views are keyed by data versions (db/store/cache.py), and a restore brings back
    the backup's, which running app servers have cached with other contents: the next write
    would have found the old view again. Every version moves past the highest before the
    restore, so every view is read afresh, on every server. (`schema`: "public." where the
    restore has emptied the search path, as pg_restore's script does.)"""
    step = int(past) + 1
    return (
        f"UPDATE {schema}family SET data_version = data_version + {step}; "
        f"UPDATE {schema}team SET data_version = data_version + {step};"
    )


# --- the two commands ----------------------------------------------------------------------


def backup(to: str | Path | None = None, url: str | None = None) -> Path:
    """Backs up the configured database; returns the file written."""
    parsed = make_url(url or database_url())
    if _kind(parsed) == "sqlite":
        return _sqlite_backup(parsed, to)
    return _pg_backup(parsed, to)


def restore(
    source: str | Path, url: str | None = None, safety_folder: str | Path | None = None
) -> Path:
    """Replaces the configured database's contents with the backup at `source`, after taking
    a backup of the current state first. Returns the safety backup's path."""
    source = Path(source)
    if not source.is_file():
        raise BackupProblem(f"There is no backup file at {source}: nothing was changed.")
    parsed = make_url(url or database_url())
    kind = _kind(parsed)
    if kind == "postgresql":
        _check_versions(parsed, "pg_restore")
    safety = backup(safety_folder, url=parsed.render_as_string(hide_password=False))
    versions_after = _highest_data_version(parsed)
    if kind == "sqlite":
        _sqlite_restore(parsed, source, versions_after)
    else:
        _pg_restore(parsed, source, versions_after)
    return safety


def _describe(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m db.ops.backup", description="Back up or restore Golden Thread's database."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("backup", help="write a backup (default: backups/<time>)")
    make.add_argument("--to", help="a folder or a file name for the backup")
    back = commands.add_parser("restore", help="replace the database with a backup")
    back.add_argument("--from", dest="source", help="the backup file")
    back.add_argument(
        "--yes",
        action="store_true",
        help="do not ask for confirmation (needed when not run from a terminal)",
    )
    args = parser.parse_args(argv)
    url = database_url()
    if args.command == "restore" and not args.source:
        latest = sorted(backup_folder().glob("golden_thread-*"), reverse=True)[:3]
        print(
            "Say which backup to restore: make restore FROM=<file> (or --from <file>). "
            + (
                f"The latest in {backup_folder()}: {', '.join(p.name for p in latest)}."
                if latest
                else f"There are no backups in {backup_folder()}."
            ),
            file=sys.stderr,
        )
        return 2
    try:
        if args.command == "backup":
            path = backup(args.to)
            print(f"Backed up {_describe(url)} to {path}.")
            return 0
        if not args.yes:
            if not sys.stdin.isatty():
                print(
                    "Restoring replaces everything in the database, so it asks first, and "
                    "nothing here can answer. To confirm, run: python -m db.ops.backup "
                    f"restore --from {args.source} --yes (nothing was changed).",
                    file=sys.stderr,
                )
                return 2
            answer = input(
                f"Replace everything in {_describe(url)} with {args.source}? A backup "
                f"of the current state is taken first. Type yes to go on: "
            )
            if answer.strip().lower() != "yes":
                print("Nothing was changed.")
                return 1
        safety = restore(args.source)
        print(
            f"Backed up the current state of {_describe(url)} to {safety}, then restored "
            f"{args.source} into it. To undo: python -m db.ops.backup restore --from {safety}"
        )
        return 0
    except BackupProblem as problem:
        print(str(problem), file=sys.stderr)
        return 1


if __name__ == "__main__":
    with plain_database_errors():
        sys.exit(main())
