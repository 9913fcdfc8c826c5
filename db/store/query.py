"""Shapes of query the features share, each stated once."""

from __future__ import annotations

from typing import Any, Iterable, TypeVar

from sqlalchemy import func
from sqlmodel import SQLModel, col, select
from sqlmodel.sql.expression import SelectOfScalar

from db.store.models import Meeting, MeetingStatus

Row = TypeVar("Row", bound=SQLModel)


def of_family(model: type[Row], family_id: int, *where: Any) -> SelectOfScalar[Row]:
    """The family's rows of one kind of record (every kind carries `family_id`), narrowed by
    any further conditions. Whoever runs it has already checked the worker may open the
    family's record."""
    family_column = col(model.family_id)  # type: ignore[attr-defined]
    return select(model).where(family_column == family_id, *where)


def select_columns(*wanted: Any) -> Any:
    """A select of five or more columns, as tuples. sqlmodel types select() only up to four
    columns, so such a query is untyped (Any) either way: this says so once, instead of a
    type: ignore at every such query."""
    return select(*wanted)


def per_family(family_id: Any, aggregate: Any, family_ids: Iterable[Any], *where: Any) -> Any:
    """(family id, `aggregate` over the family's rows that meet `where`) for each of these
    families that has such rows. When each family last met, for example:
    `per_family(col(Meeting.family_id), func.max(col(Meeting.starts_at)), ids, *meeting_held())`
    """
    return select(family_id, aggregate).where(family_id.in_(family_ids), *where).group_by(family_id)


def meeting_held() -> tuple[Any, ...]:
    """The conditions of a meeting that happened: held, and not withdrawn as a mistake."""
    return (col(Meeting.status) == MeetingStatus.held, col(Meeting.withdrawn_at).is_(None))


# Apostrophes as phones and word processors type them, and as keyboards do.
CURLY_APOSTROPHES = ("\u2019", "\u2018", "\u02bc")


def folded(column: Any) -> Any:
    """A column's text as a search compares it: lower-case, any apostrophe a straight one
    ("O’Brien" is found by "o'brien"). Compare with `fold()` of what was typed."""
    text = func.lower(column)
    for apostrophe in CURLY_APOSTROPHES:
        text = func.replace(text, apostrophe, "'")
    return text


def fold(typed: str) -> str:
    """What was typed, as `folded` compares it."""
    text = typed.strip().lower()
    for apostrophe in CURLY_APOSTROPHES:
        text = text.replace(apostrophe, "'")
    return text
