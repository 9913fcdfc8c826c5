"""Every write: validated, audited and committed in one transaction (BEGIN IMMEDIATE on SQLite).

Each function takes the acting worker first and keyword arguments after, checks access, and
raises Invalid with a sentence that says what to change. Nothing is stored half-way.
"""
from __future__ import annotations

from sqlmodel import Session

from db import audit
from db.access import Actor
from db.engine import write_session
from db.models import Family, Team
from db.queries import open_family


class Invalid(ValueError):
    """Bad input, in words that say what to change."""


class Conflict(RuntimeError):
    """Someone else saved the same record first; nothing was overwritten."""

    def __init__(self, what: str = "this") -> None:
        super().__init__(f"Someone else saved {what} while you were editing. Your text is still "
                         f"here: copy it, reload to see their changes, then save again.")


def touch(session: Session, family: Family) -> None:
    """Marks the family's and its team's cached views as out of date."""
    family.data_version += 1
    session.add(family)
    team = session.get(Team, family.team_id)
    team.data_version += 1
    session.add(team)


def record_view(actor: Actor, family_id: int) -> None:
    """A view of a family record (the page calls this once per session and family)."""
    with write_session() as session:
        open_family(session, actor, family_id)
        audit.record(session, actor, audit.Action.VIEW, family_id=family_id, record_type="family",
                     record_id=family_id)
