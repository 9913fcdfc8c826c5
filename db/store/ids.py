"""The id of a row that is already in the database."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, cast


class _Stored(Protocol):
    @property
    def id(self) -> int | None: ...


class NotStoredYet(RuntimeError):
    """A row's id was asked for before the database gave it one (before a flush)."""


def stored_id(row: _Stored) -> int:
    """`row.id`, which models type as optional because the database sets it on insert.

    Once the row is flushed (or was read back) it is always set, so None here is a bug in
    the caller, not a state to handle.
    """
    if row.id is None:
        raise NotStoredYet(f"{type(row).__name__} has no id yet: flush the session first")
    return row.id


def stored_ids(ids: Iterable[int | None]) -> set[int]:
    """Primary keys read back from the database (never NULL there), as a set of ints."""
    found = set(ids)
    if None in found:
        raise NotStoredYet("a primary key read from the database was None")
    return cast(set[int], found)
