"""The audit record: who did what to which record, with field names but never their values."""

from __future__ import annotations

from typing import Iterable

from sqlmodel import Session

from db.rules.access import Actor
from db.store.models import AuditEvent


class Action:
    VIEW = "view"
    CREATE = "create"
    UPDATE = "update"
    EXPORT = "export"
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"
    SESSION_ENDED = "session_ended"  # idle, too long, or ended elsewhere; fields say which
    PASSWORD_CONFIRMED = "password_confirmed"  # asked again, e.g. to leave a shared screen
    REFUSED = "refused"
    ERASE = "erase"
    COPY = "copy"
    # A request for a copy of everything held about a family: recorded, then decided by a
    # second person (its copy, once prepared, is an EXPORT).
    REQUEST = "request"
    APPROVE = "approve"
    TURN_DOWN = "turn_down"
    WITHDRAW = "withdraw"
    # Records brought in from a file: one row per import, with counts only (fields).
    IMPORT = "import"


def family_login_mark(worker_id: int) -> str:
    """How a family member's login is written in the audit and the login attempts: families
    choose their usernames, often their own names, and the audit can't be changed when their
    record is erased (it is append-only), so it never holds the name."""
    return f"family-login-{worker_id}"


def written_name(actor: Actor) -> str:
    return family_login_mark(actor.worker_id) if actor.is_family_member else actor.username


def record(
    session: Session,
    actor: Actor | None,
    action: str,
    *,
    family_id: int | None = None,
    record_type: str = "",
    record_id: int | None = None,
    fields: Iterable[str] = (),
    username: str | None = None,
) -> None:
    """Adds an audit row to the caller's transaction, so it commits with the change itself."""
    session.add(
        AuditEvent(
            worker_id=actor.worker_id if actor else None,
            username=written_name(actor) if actor else (username or "")[:64],
            roles=actor.roles_text if actor else "",
            action=action,
            family_id=family_id,
            record_type=record_type,
            record_id=record_id,
            fields=",".join(sorted(fields))[:500],
        )
    )


def worker_change(
    session: Session,
    actor: Actor | None,
    action: str,
    worker_id: int | None,
    fields: Iterable[str],
    *,
    username: str | None = None,
) -> None:
    """The audit row of a change to a worker's account (about no family)."""
    record(
        session,
        actor,
        action,
        record_type="worker",
        record_id=worker_id,
        fields=fields,
        username=username,
    )
