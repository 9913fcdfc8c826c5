"""Checks every write makes before it stores anything, in words that say what to change."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import update
from sqlmodel import Session

from db.settings import SHORT_TEXT
from db.store.models import Person


class Invalid(ValueError):
    """Bad input, in words that say what to change."""


class Conflict(RuntimeError):
    """Someone else saved the same record first; nothing was overwritten."""

    def __init__(self, what: str = "this") -> None:
        super().__init__(
            f"Someone else saved {what} while you were editing. Your text is still "
            f"here: copy it, reload to see their changes, then save again."
        )


def text(value, label: str, *, required: bool = True, limit: int = SHORT_TEXT) -> str:
    cleaned = "" if value is None else str(value).strip()
    if required and not cleaned:
        raise Invalid(f"Please write something for {label}.")
    if len(cleaned) > limit:
        raise Invalid(f"{label.capitalize()} is too long: please keep it under {limit} characters.")
    return cleaned


def day(value, label: str, *, not_future: bool = True, today: date | None = None) -> date:
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        raise Invalid(f"Please give a date for {label}.")
    if not_future and value > (today or date.today()):
        raise Invalid(f"{label.capitalize()} can't be in the future.")
    return value


def choice(enum_class, value, label: str):
    try:
        return enum_class(value)
    except ValueError:
        raise Invalid(f"Please choose one of the options for {label}.") from None


def person_in_family(
    session: Session, family_id: int, person_id: int | None, label: str = "that person"
) -> Person | None:
    if person_id is None:
        return None
    person = session.get(Person, person_id)
    if person is None or person.family_id != family_id:
        raise Invalid(f"{label.capitalize()} isn't part of this family's world.")
    return person


def save_versioned(
    session: Session, model, record_id: int, seen_version: int, values: dict, what: str
) -> None:
    """UPDATE … WHERE version = the version seen when the form was drawn; zero rows means
    someone else saved first, so nothing is overwritten."""
    result = session.execute(
        update(model)
        .where(model.id == record_id, model.version == seen_version)
        .values(**values, version=seen_version + 1)
    )
    if result.rowcount != 1:
        raise Conflict(what)
