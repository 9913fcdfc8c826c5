"""Bring a database to the latest schema with Alembic (never create_all, so upgrades work)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

from db.settings import ROOT
from db.store.engine import get_engine


def alembic_config() -> Config:
    return Config(str(ROOT / "alembic.ini"))


def upgrade_to_head(engine: Engine | None = None) -> None:
    config = alembic_config()
    with (engine or get_engine()).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


if __name__ == "__main__":
    upgrade_to_head()
    print("The database is up to date.")
