"""Reading the audit trail in tests: which rows an action left, oldest first."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlmodel import col, func, select

from db.rules.access import NotAllowed
from db.rules.audit import Action
from db.store.engine import read_session
from db.store.models import AuditEvent


def audited(*actions: str) -> list[AuditEvent]:
    """The audit rows with one of these actions (every row, if none is given), oldest first."""
    query = select(AuditEvent).order_by(col(AuditEvent.id))
    if actions:
        query = query.where(col(AuditEvent.action).in_(actions))
    with read_session() as session:
        return list(session.exec(query).all())


def refusals() -> list[AuditEvent]:
    """The refused rows: one for each time someone was turned away."""
    return audited(Action.REFUSED)


def count(*actions: str) -> int:
    """How many audit rows there are with one of these actions (of any action, if none given)."""
    query = select(func.count(col(AuditEvent.id)))
    if actions:
        query = query.where(col(AuditEvent.action).in_(actions))
    with read_session() as session:
        return session.exec(query).one()


@contextmanager
def refused_once(what: str = "the refusal") -> Iterator[None]:
    """The block is refused (NotAllowed) and leaves exactly one refused audit row."""
    before = count(Action.REFUSED)
    with pytest.raises(NotAllowed):
        yield
    assert count(Action.REFUSED) - before == 1, f"{what} left no single refused audit row"
