"""Two shapes of query the features share, each stated once."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlmodel import SQLModel, col, select
from sqlmodel.sql.expression import SelectOfScalar

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
