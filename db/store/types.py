"""Column types that keep the database honest on SQLite and PostgreSQL alike."""

from __future__ import annotations

import enum
from datetime import datetime, timezone

from sqlalchemy import DateTime
from sqlalchemy import Enum as SAEnum
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """Stores an aware datetime as UTC and always returns it aware, in UTC.

    SQLite drops the offset silently (18:30+01:00 would come back as a naive 18:30), so naive
    values are refused on the way in and labelled UTC on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("Times must carry a time zone before they are stored.")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def checked_enum(enum_class: type[enum.Enum]) -> SAEnum:
    """An enum stored as a plain string the database itself checks (no native enum type)."""
    return SAEnum(
        enum_class,
        native_enum=False,
        create_constraint=True,
        length=40,
        values_callable=lambda members: [m.value for m in members],
        name=f"{enum_class.__name__.lower()}_value",
        validate_strings=True,
    )
