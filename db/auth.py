"""Logging in, pausing after repeated failures, and deciding whether a session still stands.

A login attempt takes three steps so the slow part holds no lock: a short locked write that
counts recent failures and takes a slot (or refuses, paused); the bcrypt check with no
transaction open; a short write that records the outcome. Slots still being checked count as
failures, so however many attempts arrive together, at most LOCKOUT_FAILURES are ever checked
against the password in a window. SQLite's BEGIN IMMEDIATE serialises the first step; on
PostgreSQL a transaction-scoped advisory lock on the username does.

bcrypt hashes are the same format streamlit-authenticator's Hasher writes; hashing here keeps
db/ free of Streamlit.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import bcrypt
from sqlalchemy import text
from sqlmodel import Session, col, select

from db.i18n import LANGUAGES, N_
from db.rules import audit
from db.rules.access import Actor, load_actor
from db.rules.validation import Invalid, checked, storable_problem
from db.settings import (
    ABSOLUTE_HOURS,
    BCRYPT_ROUNDS,
    FAMILY_IDLE_MINUTES,
    IDLE_MINUTES,
    IDLE_WARNING_MINUTES,
    LOCKOUT_FAILURES,
    LOCKOUT_PAUSE_MINUTES,
    LOCKOUT_USERNAME_FAILURES,
    LOCKOUT_WINDOW_MINUTES,
    OIDC_FRESH_MINUTES,
    OIDC_REQUIRE_VERIFIED_EMAIL,
)
from db.store.clock import utcnow
from db.store.engine import read_session, write_session
from db.store.ids import stored_id
from db.store.models import FamilyLogin, LoginAttempt, LoginOutcome, LoginSession, Worker

__all__ = ["utcnow"]  # pages set session times with the same clock

LOGIN_REFUSED = N_("That username and password don't match an active account.")
PAUSED = N_(
    "This account is paused for a few minutes after several attempts that didn't work. "
    "Please try again later, or ask your admin."
)
PASSWORD_REFUSED = N_("That password doesn't match. Please try again.")
PASSWORD_NEEDED = N_("Please type your password.")
SSO_UNKNOWN = N_(
    "You signed in, but that account isn't linked to anyone in Golden Thread. Please ask your "
    "admin to add your work email to your worker details, or sign in with another account."
)
SSO_NOT_VERIFIED = N_(
    "Your sign-in service hasn't confirmed that email address, so Golden Thread can't use it. "
    "Please ask your admin."
)

# Why a session ended, as the login screen says it, and as the audit names it.
SIGNED_OUT_ELSEWHERE = N_("You were signed out on this device. Please log in again.")
LOGGED_IN_TOO_LONG = N_("You've been logged in for a long time. Please log in again.")
AWAY_TOO_LONG = N_("You were away for a while, so we logged you out. Please log in again.")
ACCOUNT_NOT_ACTIVE = N_("Your account is not active. Please ask your admin.")
SIGN_IN_AGAIN = N_("Please sign in again to go back to your own screens.")
FAMILY_LOGIN_PAUSED = N_(
    "Your login to your family's space has been paused or ended by your worker. "
    "Please talk to them if you would like it back."
)
_ENDED_BECAUSE: dict[str, str] = {
    SIGNED_OUT_ELSEWHERE: "ended_elsewhere",
    LOGGED_IN_TOO_LONG: "too_long",
    AWAY_TOO_LONG: "idle",
    ACCOUNT_NOT_ACTIVE: "account_not_active",
    SIGN_IN_AGAIN: "left_shared_screen",
    FAMILY_LOGIN_PAUSED: "account_not_active",
}

# Unknown or paused usernames still pay for one bcrypt check, so timing tells nothing.
_DUMMY_HASH = bcrypt.hashpw(b"not a real password", bcrypt.gensalt(BCRYPT_ROUNDS)).decode()
_COUNTED = (LoginOutcome.failed, LoginOutcome.checking)


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(BCRYPT_ROUNDS)).decode()


def password_matches(password: str, password_hash: str) -> bool:
    try:
        return bcrypt.checkpw(password.encode(), password_hash.encode())
    except ValueError:
        return False


def one_time_password() -> str:
    return secrets.token_urlsafe(12)


# bcrypt reads at most 72 bytes of a password (and refuses more): a longer passphrase is
# asked to be shorter rather than cut without a word.
PASSWORD_MAX_BYTES = 72


def password_problem(password: str) -> str | None:
    if len(password) < 12:
        return N_("Please choose a password of at least 12 characters.")
    if len(password.encode("utf-8", "replace")) > PASSWORD_MAX_BYTES:
        return N_(
            "Please choose a password of at most 72 characters (an emoji or an accented letter"
            " counts as two to four)."
        )
    return None


def unknown_username(typed: str) -> str:
    """How a username that matches no worker is written down (attempts and audit): people type
    passwords into the username box, so never as typed. The same typing gives the same mark,
    so repeated tries of one unknown name are still counted together."""
    return "unknown:" + hashlib.sha256(typed.encode("utf-8", "replace")).hexdigest()[:16]


# A work email as single sign-on matches it: plain ASCII, compared lower-case.
EMAIL_PATTERN = re.compile(r"^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9-]+(\.[a-z0-9-]+)+$")


def clean_email(typed: object) -> str | None:
    """The email lower-cased and trimmed, if it looks like one we could match; None if not."""
    if not isinstance(typed, str) or storable_problem(typed) is not None:
        return None
    email = typed.strip().lower()
    return email if len(email) <= 254 and EMAIL_PATTERN.match(email) else None


@dataclass(frozen=True)
class LoginResult:
    actor: Actor | None
    message: str = ""
    must_change_password: bool = False
    session_id: str | None = None  # the login session the re-login cookie will carry
    started_at: datetime | None = None
    # Single sign-on only: the provider's word is too old to start a session (not an attempt,
    # nothing recorded; the person signs in again).
    stale: bool = False


# --- pausing ---------------------------------------------------------------------------------


def paused_until(failures: list[datetime], limit: int = LOCKOUT_FAILURES) -> datetime | None:
    """When a run of failures pauses the username, the moment the (latest) pause ends.

    `limit` failures inside LOCKOUT_WINDOW_MINUTES pause it for LOCKOUT_PAUSE_MINUTES after the
    last of them; then it unlocks itself. Attempts made while paused do not count, so the pause
    is never stretched by retries.
    """
    window = timedelta(minutes=LOCKOUT_WINDOW_MINUTES)
    pause = timedelta(minutes=LOCKOUT_PAUSE_MINUTES)
    counted: list[datetime] = []
    until: datetime | None = None
    for at in sorted(failures):
        if until is not None and at < until:
            continue
        counted = [t for t in counted if at - t <= window] + [at]
        if len(counted) >= limit:
            until, counted = at + pause, []
    return until


def is_paused(attempts: list[tuple[datetime, str, str]], source: str, now: datetime) -> bool:
    """Whether a username is paused for this source: by failures from this source, or for
    everyone by failures from anywhere. `attempts` are (at, source, outcome) rows; slots still
    being checked count as failures. A success clears the failures before it but keeps its own
    place in the count, so however attempts interleave, no more than the limit of passwords
    are checked in a window."""

    def checks_since_success(rows) -> list[datetime]:
        rows = sorted(rows)
        successes = [at for at, _s, outcome in rows if outcome == LoginOutcome.succeeded]
        if not successes:
            return [at for at, _s, outcome in rows if outcome in _COUNTED]
        return [successes[-1]] + [
            at for at, _s, outcome in rows if outcome in _COUNTED and at > successes[-1]
        ]

    here = checks_since_success([row for row in attempts if row[1] == source])
    everywhere = checks_since_success(attempts)
    for failures, limit in ((here, LOCKOUT_FAILURES), (everywhere, LOCKOUT_USERNAME_FAILURES)):
        until = paused_until(failures, limit)
        if until is not None and now < until:
            return True
    return False


# --- one attempt, in three steps ---------------------------------------------------------------


@dataclass(frozen=True)
class _Slot:
    attempt_id: int
    written_as: str  # the username, or its mark when it matches no worker
    password_hash: str | None  # None: refused unchecked (unknown, inactive or paused)
    paused: bool


def _lock_attempts_of(session: Session, written_as: str) -> None:
    """Serialises attempts on one username. SQLite's BEGIN IMMEDIATE already serialises every
    writer; PostgreSQL needs a lock, held until this transaction ends."""
    if session.get_bind().dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(written_as.encode()).digest()[:8], "big", signed=True)
        session.connection().execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def _written_as(session: Session, worker: Worker | None, typed: str) -> str:
    """How an attempt's username is written down: a worker's as it is; a family member's by
    their login's mark (audit.family_login_mark); one that matches nobody, as a mark too."""
    if worker is None:
        return unknown_username(typed)
    if session.get(FamilyLogin, worker.id) is not None:
        return audit.family_login_mark(stored_id(worker))
    return worker.username


def _take_slot(username: str, source: str, now: datetime) -> _Slot:
    since = now - 2 * timedelta(minutes=LOCKOUT_WINDOW_MINUTES + LOCKOUT_PAUSE_MINUTES)
    with write_session() as session:
        worker = session.exec(select(Worker).where(col(Worker.username) == username)).first()
        written_as = _written_as(session, worker, username)
        _lock_attempts_of(session, written_as)
        recent = session.exec(
            select(col(LoginAttempt.at), col(LoginAttempt.source), col(LoginAttempt.outcome)).where(
                col(LoginAttempt.username) == written_as, col(LoginAttempt.at) >= since
            )
        ).all()
        paused = is_paused([(at, where, outcome) for at, where, outcome in recent], source, now)
        attempt = LoginAttempt(
            username=written_as,
            source=source,
            at=now,
            outcome=LoginOutcome.paused if paused else LoginOutcome.checking,
        )
        session.add(attempt)
        session.flush()
        usable = worker is not None and worker.is_active and not paused
        password_hash = worker.password_hash if usable and worker is not None else None
        return _Slot(attempt.id or 0, written_as, password_hash, paused)


def _check(username: str, password: str, source: str | None, now: datetime) -> tuple[_Slot, bool]:
    """Steps one and two: a slot, then the password check with no transaction open."""
    slot = _take_slot(username, (source or "")[:64], now)
    matches = password_matches(password or "", slot.password_hash or _DUMMY_HASH)
    return slot, matches and slot.password_hash is not None


def _record(session: Session, slot: _Slot, succeeded: bool) -> None:
    attempt = session.get(LoginAttempt, slot.attempt_id)
    if attempt is not None and attempt.outcome == LoginOutcome.checking:
        attempt.outcome = LoginOutcome.succeeded if succeeded else LoginOutcome.failed
        session.add(attempt)


def _storable(typed) -> str:
    """What was typed, or nothing if it could never be stored or hashed (not text, a NUL byte,
    half an emoji): such a login is simply refused, never a crash."""
    return typed if isinstance(typed, str) and storable_problem(typed) is None else ""


def _typed_username(username: str) -> str:
    return _storable(username).strip().lower()[:64]


def check_login(
    username: str, password: str, *, source: str | None = None, now: datetime | None = None
) -> LoginResult:
    """Checks a login attempt from a source (the connection's address, if known), records it,
    audits it, and on success starts a login session. Same message and cost either way."""
    now = now or utcnow()
    username, password = _typed_username(username), _storable(password)
    slot, succeeded = _check(username, password, _storable(source), now)
    with write_session() as session:
        _record(session, slot, succeeded)
        actor = load_actor(session, username) if succeeded else None
        if actor is None:
            audit.record(session, None, audit.Action.LOGIN_FAILED, username=slot.written_as)
            return LoginResult(None, PAUSED if slot.paused else LOGIN_REFUSED)
        login = LoginSession(
            id=secrets.token_urlsafe(24), worker_id=actor.worker_id, started_at=now
        )
        session.add(login)
        if actor.is_family_member:  # their worker sees when a family login was last used
            family_login = session.get_one(FamilyLogin, actor.worker_id)
            family_login.last_used_at = now
            session.add(family_login)
        audit.record(session, actor, audit.Action.LOGIN, family_id=actor.family_id)
        return LoginResult(
            actor,
            must_change_password=actor.must_change_password,
            session_id=login.id,
            started_at=now,
        )


def _is_true(claim: object) -> bool:
    return claim is True or (isinstance(claim, str) and claim.lower() == "true")


def check_sso_login(
    email: object,
    *,
    email_verified: object,
    issued_at: datetime | None,
    source: str | None = None,
    now: datetime | None = None,
) -> LoginResult:
    """A person the identity provider vouches for (single sign-on), matched to a worker by
    their verified email, whatever its case. Recorded and audited like a password login, in
    one transaction: a success starts a login session; an unknown, unverified or disabled
    email is a failed login. The provider's word counts only while fresh (OIDC_FRESH_MINUTES
    after `issued_at`) and only if given after the worker's sessions last ended (a logout
    ends the provider's word too): otherwise the result is `stale` and nothing is recorded."""
    now = now or utcnow()
    fresh_after = now - timedelta(minutes=OIDC_FRESH_MINUTES)
    if (
        not isinstance(issued_at, datetime)
        or issued_at.tzinfo is None
        or not fresh_after <= issued_at <= now + timedelta(minutes=5)  # clocks differ a little
    ):
        return LoginResult(None, stale=True)
    address = clean_email(email)
    verified = _is_true(email_verified) or not OIDC_REQUIRE_VERIFIED_EMAIL
    with write_session() as session:
        worker = (
            session.exec(select(Worker).where(col(Worker.email) == address)).first()
            if address
            else None
        )
        if worker is not None and worker.is_active and issued_at < worker.sessions_valid_after:
            return LoginResult(None, stale=True)
        written_as = (
            worker.username if worker is not None else unknown_username(address or str(email))
        )
        usable = worker is not None and worker.is_active and verified
        session.add(
            LoginAttempt(
                username=written_as,
                source=_storable(source)[:64],
                at=now,
                outcome=LoginOutcome.succeeded if usable else LoginOutcome.failed,
            )
        )
        actor = load_actor(session, written_as) if usable else None
        if actor is None:
            audit.record(
                session,
                None,
                audit.Action.LOGIN_FAILED,
                username=written_as,
                fields=("single_sign_on",),
            )
            if worker is not None and not worker.is_active:
                return LoginResult(None, ACCOUNT_NOT_ACTIVE)
            return LoginResult(None, SSO_NOT_VERIFIED if worker is not None else SSO_UNKNOWN)
        login = LoginSession(
            id=secrets.token_urlsafe(24), worker_id=actor.worker_id, started_at=now
        )
        session.add(login)
        audit.record(session, actor, audit.Action.LOGIN, fields=("single_sign_on",))
        return LoginResult(actor, session_id=login.id, started_at=now)


@checked
def confirm_password(
    actor: Actor,
    password: str,
    *,
    reason: str,
    source: str | None = None,
    now: datetime | None = None,
) -> str | None:
    """Asks the logged-in worker for their password again (e.g. to leave the family meeting
    screen). Counted and paused like a login; audited with the reason. Returns what to say when
    refused, None when the password matched. Nothing typed is asked for again, not counted as
    a wrong password (a click on Leave before typing isn't a guess)."""
    if not isinstance(password, str) or not password:
        return PASSWORD_NEEDED
    now = now or utcnow()
    slot, matched = _check(actor.username, _storable(password), _storable(source), now)
    with write_session() as session:
        _record(session, slot, matched)
        action = audit.Action.PASSWORD_CONFIRMED if matched else audit.Action.LOGIN_FAILED
        audit.record(session, actor, action, record_type=reason)
    if matched:
        return None
    return PAUSED if slot.paused else PASSWORD_REFUSED


# --- whether a session still stands ----------------------------------------------------------


def session_problem(
    *,
    authenticated_at: datetime,
    last_active_at: datetime,
    sessions_valid_after: datetime,
    now: datetime,
    idle_exempt: bool = False,
    idle_minutes: float = IDLE_MINUTES,
) -> str | None:
    """Why a session can no longer stand, in words for the login screen; None if it can.
    `idle_minutes` is shorter for a family member (FAMILY_IDLE_MINUTES)."""
    if authenticated_at < sessions_valid_after:
        return SIGNED_OUT_ELSEWHERE
    if now - authenticated_at > timedelta(hours=ABSOLUTE_HOURS):
        return LOGGED_IN_TOO_LONG
    if not idle_exempt and now - last_active_at > timedelta(minutes=idle_minutes):
        return AWAY_TOO_LONG
    return None


def idle_minutes_left(
    *,
    last_active_at: datetime,
    now: datetime,
    idle_exempt: bool = False,
    idle_minutes: float = IDLE_MINUTES,
) -> float | None:
    """Minutes until an idle logout, when it is close enough to warn about; None otherwise."""
    if idle_exempt:
        return None
    left = idle_minutes - (now - last_active_at) / timedelta(minutes=1)
    return max(left, 0.0) if left <= IDLE_WARNING_MINUTES else None


def sessions_valid_after(username: str) -> datetime | None:
    """When this worker's sessions last ended; None when the worker cannot log in."""
    with read_session() as session:
        worker = session.exec(select(Worker).where(col(Worker.username) == username)).first()
        if worker is None or not worker.is_active:
            return None
        return worker.sessions_valid_after


def resume_session(
    *, username: str, session_id: str, issued_at: datetime, now: datetime | None = None
) -> Actor | None:
    """The worker a re-login cookie brings back, or None: the login session must exist for
    this worker, not have ended, and not have been idle longer than the idle logout allows
    (a tab closed while idle can't end it itself), and the worker's sessions must not have
    ended since."""
    now = now or utcnow()
    with read_session() as session:
        row = session.exec(
            select(LoginSession, Worker)
            .join(Worker, col(Worker.id) == col(LoginSession.worker_id))
            .where(col(LoginSession.id) == session_id, col(Worker.username) == username)
        ).first()
        if row is None:
            return None
        login, worker = row
        if login.ended_at is not None or not worker.is_active:
            return None
        actor = load_actor(session, username)
        if actor is None:
            return None
        problem = session_problem(
            authenticated_at=issued_at,
            last_active_at=login.last_active_at or login.started_at,
            sessions_valid_after=worker.sessions_valid_after,
            now=now,
            idle_minutes=FAMILY_IDLE_MINUTES if actor.is_family_member else IDLE_MINUTES,
        )
        return None if problem else actor


@checked
def note_activity(login_session: str | None, *, now: datetime | None = None) -> None:
    """The login session was used just now (a run, or "I'm still here"): what a re-login cookie
    is checked against once its tab has gone."""
    if not login_session:
        return
    with write_session() as session:
        login = session.get(LoginSession, login_session)
        if login is not None and login.ended_at is None:
            login.last_active_at = now or utcnow()
            session.add(login)


def end_session(
    session_id: str | None, *, username: str, because: str, now: datetime | None = None
) -> None:
    """Ends one login session for one of the session_problem reasons (idle, too long, ended
    elsewhere), so its cookie can't bring it back, while the worker's sessions on other
    devices carry on. Audited with the reason's name."""
    now = now or utcnow()
    with write_session() as session:
        login = session.get(LoginSession, session_id) if session_id else None
        if login is not None and login.ended_at is None:
            login.ended_at = now
            session.add(login)
        worker = session.exec(select(Worker).where(col(Worker.username) == username)).first()
        audit.record(
            session,
            None,
            audit.Action.SESSION_ENDED,
            username=_written_as(session, worker, username),
            fields=(_ENDED_BECAUSE.get(because, "other"),),
        )


def start_session(actor: Actor, *, now: datetime | None = None) -> tuple[str, datetime]:
    """A new login session for a worker who has just proved who they are (a password change
    keeps this device logged in while every other device is signed out)."""
    now = now or utcnow()
    with write_session() as session:
        login = LoginSession(
            id=secrets.token_urlsafe(24), worker_id=actor.worker_id, started_at=now
        )
        session.add(login)
    return login.id, now


def end_sessions(actor: Actor, *, now: datetime | None = None) -> None:
    """Logout: every device's session ends, so a copied cookie no longer logs in."""
    now = now or utcnow()
    with write_session() as session:
        worker = session.get_one(Worker, actor.worker_id)  # the acting worker exists
        end_every_session(session, worker, now)
        audit.record(session, actor, audit.Action.LOGOUT)


def end_every_session(session: Session, worker: Worker, now: datetime) -> None:
    """Ends every session of the worker's account on every device, in the caller's
    transaction: a cookie issued before `now` no longer logs in."""
    worker.sessions_valid_after = now
    session.add(worker)
    for login in session.exec(
        select(LoginSession).where(
            col(LoginSession.worker_id) == worker.id, col(LoginSession.ended_at).is_(None)
        )
    ):
        login.ended_at = now
        session.add(login)


CURRENT_PASSWORD_REFUSED = N_("Your current password doesn't match.")


@checked
def change_password(
    actor: Actor, current: str, new: str, *, source: str | None = None, now: datetime | None = None
) -> str | None:
    """Changes the worker's own password; returns what to fix, or None when done.

    The current password is a guess like any login's: counted and paused by the same rules
    (so an unlocked screen left logged in can't be used to try password after password), and
    a wrong one is audited as a failed login."""
    problem = password_problem(new)
    if problem:
        return problem
    if not isinstance(current, str) or not current:
        return PASSWORD_NEEDED
    now = now or utcnow()
    # Both bcrypt runs happen with no transaction open: a write lock held for them would
    # hold up every other writer.
    slot, matched = _check(actor.username, _storable(current), _storable(source), now)
    if not matched:
        with write_session() as session:
            _record(session, slot, False)
            audit.record(session, actor, audit.Action.LOGIN_FAILED, record_type="change_password")
        return PAUSED if slot.paused else CURRENT_PASSWORD_REFUSED
    new_hash = hash_password(new)
    with write_session() as session:
        worker = session.get_one(Worker, actor.worker_id)  # the acting worker exists
        worker.password_hash = new_hash
        worker.must_change_password = False
        worker.sessions_valid_after = utcnow()
        session.add(worker)
        _record(session, slot, True)
        audit.worker_change(session, actor, audit.Action.UPDATE, worker.id, ["password"])
    return None


@checked
def set_my_language(actor: Actor, language: str) -> None:
    """The language of the worker's own screens (a family's screens speak the family's)."""
    if language not in LANGUAGES:
        raise Invalid(N_("Please choose one of the languages Golden Thread speaks."))
    with write_session() as session:
        worker = session.get(Worker, actor.worker_id)
        if worker is None or worker.language == language:
            return
        worker.language = language
        session.add(worker)
        audit.worker_change(session, actor, audit.Action.UPDATE, actor.worker_id, ["language"])
