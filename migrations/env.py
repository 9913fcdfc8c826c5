"""Alembic runs migrations as the owner role: MIGRATION_DATABASE_URL, else the app's database."""

from alembic import context
from sqlmodel import SQLModel

import db.store.models  # noqa: F401  (registers every table on the metadata)
from db.store.migrate import migration_engine

target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    connectable = context.config.attributes.get("connection")
    if connectable is None:
        with migration_engine().connect() as connection:
            _run(connection)
    else:
        _run(connectable)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
