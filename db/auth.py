"""Logging in, pausing after repeated failures, and deciding whether a session still stands.

bcrypt hashes are the same format streamlit-authenticator's Hasher writes; hashing here keeps
db/ free of Streamlit.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import bcrypt
from sqlmodel import Session, col, func, select

from db.rules import audit
from db.rules.access import Actor, load_actor
from db.rules.validation import checked, storable_problem
from db.settings import (
    ABSOLUTE_HOURS,
    IDLE_MINUTES,
    IDLE_WARNING_MINUTES,
    LOCKOUT_FAILURES,
    LOCKOUT_PAUSE_MINUTES,
    LOCKOUT_WINDOW_MINUTES,
)
from db.store.clock import utcnow
from db.store.engine import read_session, write_session
from db.store.models import LoginAttempt, Worker

LOGIN_REFUSED = "That username and password don't match an active account."
PAUSED = (
    "This account is paused for a few minutes after several attempts that didn't work. "
    "Please try again later, or ask your admin."
)

# Unknown or paused usernames still pay for one bcrypt check, so timing tells nothing.
_DUMMY_HASH = bcrypt.hashpw(b"not a real password", bcrypt.gensalt()).decode()


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode()


def password_matches(password: str, password_hash: str) -> bool:
    try:
        return bcrypt.checkpw(password.encode(), password_hash.encode())
    except ValueError:
        return False


def one_time_password() -> str:
    return secrets.token_urlsafe(12)


def password_problem(password: str) -> str | None:
    if len(password) < 12:
        return "Please choose a password of at least 12 characters."
    return None


@dataclass(frozen=True)
class LoginResult:
    actor: Actor | None
    message: str = ""
    must_change_password: bool = False


def _recent_failures(session: Session, username: str, now: datetime) -> list[datetime]:
    since = now - 2 * timedelta(minutes=LOCKOUT_WINDOW_MINUTES + LOCKOUT_PAUSE_MINUTES)
    last_success = session.exec(
        select(func.max(col(LoginAttempt.at))).where(
            col(LoginAttempt.username) == username, col(LoginAttempt.succeeded)
        )
    ).one()
    query = select(col(LoginAttempt.at)).where(
        col(LoginAttempt.username) == username,
        col(LoginAttempt.at) >= since,
        ~col(LoginAttempt.succeeded),
    )
    if last_success is not None:
        query = query.where(col(LoginAttempt.at) > last_success)
    return sorted(session.exec(query).all())


def paused_until(failures: list[datetime]) -> datetime | None:
    """When a run of failures pauses the username, the moment the (latest) pause ends.

    LOCKOUT_FAILURES failures inside LOCKOUT_WINDOW_MINUTES pause it for
    LOCKOUT_PAUSE_MINUTES after the last of them; then it unlocks itself. Attempts made while
    paused are recorded but do not count, so the pause is never stretched by retries.
    """
    window = timedelta(minutes=LOCKOUT_WINDOW_MINUTES)
    pause = timedelta(minutes=LOCKOUT_PAUSE_MINUTES)
    counted: list[datetime] = []
    until: datetime | None = None
    for at in sorted(failures):
        if until is not None and at < until:
            continue
        counted = [t for t in counted if at - t <= window] + [at]
        if len(counted) >= LOCKOUT_FAILURES:
            until, counted = at + pause, []
    return until


def _storable(typed) -> str:
    """What was typed, or nothing if it could never be stored or hashed (not text, a NUL byte,
    half an emoji): such a login is simply refused, never a crash."""
    return typed if isinstance(typed, str) and storable_problem(typed) is None else ""


def check_login(username: str, password: str, *, now: datetime | None = None) -> LoginResult:
    """Checks a login attempt, records it, and audits it. Same message and cost either way."""
    now = now or utcnow()
    username, password = _storable(username).strip().lower()[:64], _storable(password)
    with write_session() as session:
        worker = session.exec(select(Worker).where(col(Worker.username) == username)).first()
        until = paused_until(_recent_failures(session, username, now))
        paused = until is not None and now < until
        usable = worker if worker is not None and worker.is_active and not paused else None
        matches = password_matches(password or "", usable.password_hash if usable else _DUMMY_HASH)
        succeeded = usable is not None and matches
        session.add(LoginAttempt(username=username, at=now, succeeded=succeeded))
        actor = load_actor(session, username) if succeeded else None
        audit.record(
            session,
            actor,
            audit.Action.LOGIN if succeeded else audit.Action.LOGIN_FAILED,
            username=username,
        )
        if usable is not None and succeeded:
            return LoginResult(actor, must_change_password=usable.must_change_password)
        return LoginResult(None, PAUSED if paused else LOGIN_REFUSED)


def session_problem(
    *,
    authenticated_at: datetime,
    last_active_at: datetime,
    sessions_valid_after: datetime,
    now: datetime,
    idle_exempt: bool = False,
) -> str | None:
    """Why a session can no longer stand, in words for the login screen; None if it can."""
    if authenticated_at < sessions_valid_after:
        return "You were signed out on this device. Please log in again."
    if now - authenticated_at > timedelta(hours=ABSOLUTE_HOURS):
        return "You've been logged in for a long time. Please log in again."
    if not idle_exempt and now - last_active_at > timedelta(minutes=IDLE_MINUTES):
        return "You were away for a while, so we logged you out. Please log in again."
    return None


def idle_minutes_left(
    *, last_active_at: datetime, now: datetime, idle_exempt: bool = False
) -> float | None:
    """Minutes until an idle logout, when it is close enough to warn about; None otherwise."""
    if idle_exempt:
        return None
    left = IDLE_MINUTES - (now - last_active_at) / timedelta(minutes=1)
    return max(left, 0.0) if left <= IDLE_WARNING_MINUTES else None


def sessions_valid_after(username: str) -> datetime | None:
    """When this worker's sessions last ended; None when the worker cannot log in."""
    with read_session() as session:
        worker = session.exec(select(Worker).where(col(Worker.username) == username)).first()
        if worker is None or not worker.is_active:
            return None
        return worker.sessions_valid_after


@checked
def end_sessions(actor: Actor, *, now: datetime | None = None) -> None:
    """Logout: every device's session ends, so a copied cookie no longer logs in."""
    with write_session() as session:
        worker = session.get_one(Worker, actor.worker_id)
        worker.sessions_valid_after = now or utcnow()
        session.add(worker)
        audit.record(session, actor, audit.Action.LOGOUT)


@checked
def change_password(actor: Actor, current: str, new: str) -> str | None:
    """Changes the worker's own password; returns what to fix, or None when done."""
    problem = password_problem(new)
    if problem:
        return problem
    with write_session() as session:
        worker = session.get_one(Worker, actor.worker_id)
        if not password_matches(current, worker.password_hash):
            return "Your current password doesn't match."
        worker.password_hash = hash_password(new)
        worker.must_change_password = False
        worker.sessions_valid_after = utcnow()
        session.add(worker)
        audit.record(
            session,
            actor,
            audit.Action.UPDATE,
            record_type="worker",
            record_id=worker.id,
            fields=["password"],
        )
    return None
