"""Gets the database in DATABASE_URL ready before Golden Thread is served (`make run` and
`make serve-team` run it).

Brings its tables up to date (as the owner in MIGRATION_DATABASE_URL when that is set). With
no DATABASE_URL, the demo database data/golden_thread.db is filled with made-up families on
first run and rebuilt when it is more than a week old, so the demo always looks alive; any
other database is never filled.
"""

from __future__ import annotations

import argparse
import os
from datetime import timedelta

from sqlmodel import col, select

from db.settings import DEFAULT_SQLITE_PATH, DEMO_MAX_AGE_DAYS, DEMO_PASSWORD
from db.store.clock import utcnow
from db.store.engine import get_engine, plain_database_errors, read_session
from db.store.migrate import migration_variable, upgrade_to_head
from db.store.models import DemoInfo, Worker


def _demo_age_days() -> float | None:
    with read_session() as session:
        made = session.exec(select(col(DemoInfo.made_at))).first()
    return None if made is None else (utcnow() - made) / timedelta(days=1)


def _has_workers() -> bool:
    with read_session() as session:
        return session.exec(select(col(Worker.id))).first() is not None


def prepare() -> str:
    from db.ops.demo import fill

    embedded = not os.environ.get("DATABASE_URL")
    if embedded and DEFAULT_SQLITE_PATH.exists():
        age = None
        try:
            age = _demo_age_days()
        except Exception:
            pass  # an unreadable or unmigrated file: migrate below
        if age is not None and age > DEMO_MAX_AGE_DAYS:
            get_engine().dispose()
            for suffix in ("", "-wal", "-shm"):
                path = DEFAULT_SQLITE_PATH.with_name(DEFAULT_SQLITE_PATH.name + suffix)
                path.unlink(missing_ok=True)
            print(
                f"The demo database was {age:.0f} days old, so it has been rebuilt with "
                f"fresh dates."
            )
    upgrade_to_head()
    if embedded and not _has_workers():
        counts = fill()
        return (
            f"Demo data ready: {counts['family']} families. Log in as practitioner, "
            f"manager, admin or family with the password {DEMO_PASSWORD}."
        )
    if not _has_workers():
        return (
            "The database is ready but has no workers: create the first admin with "
            "`python -m db.ops.admin create-admin`."
        )
    return "The database is up to date."


def main(argv: list[str] | None = None) -> None:
    argparse.ArgumentParser(prog="python -m db.ops.prepare", description=__doc__).parse_args(argv)
    with plain_database_errors(migration_variable()):
        print(prepare())


if __name__ == "__main__":
    main()
