"""Bring a database to the latest schema with Alembic (never create_all, so upgrades work).

On PostgreSQL the schema belongs to an owner role and the app connects as a role that may
change rows but never tables (see db.ops.roles). Migrations therefore run with
MIGRATION_DATABASE_URL (the owner) when it is set, and with DATABASE_URL otherwise; a schema
that is already current is only read, so the app's role can start without any DDL rights.
"""

from __future__ import annotations

import argparse
import os

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from db.settings import ROOT
from db.store.engine import DatabaseUnavailable, get_engine, plain_database_errors

# PostgreSQL's "insufficient privilege" (e.g. "must be owner of table").
INSUFFICIENT_PRIVILEGE = "42501"


class SchemaBehind(DatabaseUnavailable):
    """The schema needs migrating and this database role may not do it."""


def migration_engine() -> Engine:
    """The owner's engine when MIGRATION_DATABASE_URL is set, else the app's own."""
    url = os.environ.get("MIGRATION_DATABASE_URL")
    return get_engine(url) if url else get_engine()


def alembic_config() -> Config:
    return Config(str(ROOT / "alembic.ini"))


def is_current(engine: Engine) -> bool:
    """Whether the database is at the latest migration (read only)."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision() == head


def upgrade_to_head(engine: Engine | None = None) -> None:
    engine = engine or migration_engine()
    if is_current(engine):
        return
    config = alembic_config()
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except DBAPIError as error:
        if getattr(error.orig, "sqlstate", None) != INSUFFICIENT_PRIVILEGE:
            raise
        raise SchemaBehind(
            "The database needs its tables brought up to date and this database role may "
            "not change them: run `python -m db.store.migrate` with MIGRATION_DATABASE_URL "
            "set to the owner role's address, then start Golden Thread again."
        ) from error


def migration_variable() -> str:
    """The setting that names the database migrations run on (for messages)."""
    return "MIGRATION_DATABASE_URL" if os.environ.get("MIGRATION_DATABASE_URL") else "DATABASE_URL"


def main(argv: list[str] | None = None) -> None:
    argparse.ArgumentParser(prog="python -m db.store.migrate", description=__doc__).parse_args(argv)
    with plain_database_errors(migration_variable()):
        upgrade_to_head()
    print("The database is up to date.")


if __name__ == "__main__":
    main()
