"""Logging in, pausing after repeated failures (with a frozen clock), and ending sessions."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import select

from db import auth
from db.rules.audit import Action
from db.settings import (
    ABSOLUTE_HOURS,
    IDLE_MINUTES,
    LOCKOUT_FAILURES,
    LOCKOUT_PAUSE_MINUTES,
    LOCKOUT_WINDOW_MINUTES,
)
from db.store.engine import read_session
from db.store.models import AuditEvent, LoginAttempt, Role, Worker
from tests import factories as make
from tests.factories import TEST_PASSWORD

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def sam(empty_db):
    return make.worker("sam", Role.practitioner, teams=(make.team(),))


def _fail(username: str, at: datetime, times: int = 1) -> None:
    for i in range(times):
        assert (
            auth.check_login(username, "wrong password", now=at + timedelta(seconds=i)).actor
            is None
        )


def _audit(action: str) -> list[AuditEvent]:
    with read_session() as session:
        return session.exec(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_right_password_logs_in_and_is_audited(sam):
    result = auth.check_login("  SAM ", TEST_PASSWORD, now=T0)
    assert result.actor is not None and result.actor.username == "sam"
    assert not result.must_change_password
    [row] = _audit(Action.LOGIN)
    assert (row.username, row.roles, row.fields) == ("sam", "practitioner", "")


def test_unknown_user_and_wrong_password_get_the_same_message(sam):
    unknown = auth.check_login("nobody", TEST_PASSWORD, now=T0)
    wrong = auth.check_login("sam", "not it", now=T0)
    assert unknown.actor is None and wrong.actor is None
    assert unknown.message == wrong.message == auth.LOGIN_REFUSED
    for word in ("username", "password"):  # no hint which of the two was wrong
        assert f"wrong {word}" not in unknown.message.lower()
        assert f"unknown {word}" not in unknown.message.lower()
    failed = _audit(Action.LOGIN_FAILED)
    assert sorted(r.username for r in failed) == ["nobody", "sam"]
    assert all(r.worker_id is None and r.fields == "" for r in failed)


def test_an_unknown_user_still_pays_for_a_bcrypt_check(sam, monkeypatch):
    checked = []
    real = auth.password_matches
    monkeypatch.setattr(
        auth, "password_matches", lambda pw, hashed: checked.append(hashed) or real(pw, hashed)
    )
    auth.check_login("nobody", "whatever", now=T0)
    assert checked == [auth._DUMMY_HASH]


def test_five_failures_in_fifteen_minutes_pause_the_username_then_it_unlocks(sam):
    step = timedelta(minutes=(LOCKOUT_WINDOW_MINUTES - 1) / (LOCKOUT_FAILURES - 1))
    for i in range(LOCKOUT_FAILURES):
        _fail("sam", T0 + i * step)
    last = T0 + (LOCKOUT_FAILURES - 1) * step
    # Even the right password is refused during the pause, with the pause message.
    during = auth.check_login("sam", TEST_PASSWORD, now=last + timedelta(minutes=1))
    assert during.actor is None and during.message == auth.PAUSED
    # The same message for an unknown name that has been tried as often: nothing to learn.
    _fail("ghost", T0, LOCKOUT_FAILURES)
    assert auth.check_login("ghost", "x", now=T0 + timedelta(minutes=1)).message == auth.PAUSED
    after = last + timedelta(minutes=LOCKOUT_PAUSE_MINUTES, seconds=1)
    assert auth.check_login("sam", TEST_PASSWORD, now=after).actor is not None
    with read_session() as session:
        attempts = session.exec(select(LoginAttempt).where(LoginAttempt.username == "sam")).all()
    assert len(attempts) == LOCKOUT_FAILURES + 2
    assert [a.succeeded for a in attempts][-1] is True


def test_failures_spread_over_more_than_the_window_do_not_pause(sam):
    spread = timedelta(minutes=LOCKOUT_WINDOW_MINUTES / (LOCKOUT_FAILURES - 1) + 1)
    for i in range(LOCKOUT_FAILURES):
        _fail("sam", T0 + i * spread)
    assert (
        auth.check_login("sam", TEST_PASSWORD, now=T0 + LOCKOUT_FAILURES * spread).actor is not None
    )


def test_four_failures_do_not_pause(sam):
    _fail("sam", T0, LOCKOUT_FAILURES - 1)
    assert auth.check_login("sam", TEST_PASSWORD, now=T0 + timedelta(minutes=1)).actor is not None


def test_paused_until_is_a_pure_function():
    assert auth.paused_until([]) is None
    burst = [T0 + timedelta(minutes=i) for i in range(LOCKOUT_FAILURES)]
    assert auth.paused_until(burst) == burst[-1] + timedelta(minutes=LOCKOUT_PAUSE_MINUTES)
    assert auth.paused_until(burst[:-1]) is None


def test_a_disabled_worker_cannot_log_in(sam):
    from db.store.engine import write_session

    with write_session() as session:
        worker = session.exec(select(Worker).where(Worker.username == "sam")).one()
        worker.is_active = False
    result = auth.check_login("sam", TEST_PASSWORD, now=T0)
    assert result.actor is None and result.message == auth.LOGIN_REFUSED
    assert auth.sessions_valid_after("sam") is None


# --- whether a session still stands (pure) ------------------------------------------------


def _problem(**changes):
    values = dict(
        authenticated_at=T0,
        last_active_at=T0,
        sessions_valid_after=T0 - timedelta(days=1),
        now=T0 + timedelta(minutes=5),
    )
    values.update(changes)
    return auth.session_problem(**values)


def test_a_fresh_session_stands():
    assert _problem() is None


def test_sessions_end_when_sessions_valid_after_moves():
    assert "signed out" in _problem(sessions_valid_after=T0 + timedelta(seconds=1))


def test_idle_timeout_and_its_exemption():
    idle = T0 + timedelta(minutes=IDLE_MINUTES, seconds=1)
    assert "away" in _problem(now=idle)
    assert _problem(now=idle, idle_exempt=True) is None
    assert _problem(now=T0 + timedelta(minutes=IDLE_MINUTES - 1)) is None


def test_absolute_limit_holds_even_when_exempt():
    late = T0 + timedelta(hours=ABSOLUTE_HOURS, seconds=1)
    assert "long time" in _problem(now=late, last_active_at=late, idle_exempt=True)


def test_logout_ends_sessions_everywhere_and_is_audited(sam):
    auth.end_sessions(sam, now=T0)
    assert auth.sessions_valid_after("sam") == T0
    # A session (or copied cookie) from before the logout no longer stands.
    assert (
        _problem(
            authenticated_at=T0 - timedelta(minutes=1),
            sessions_valid_after=auth.sessions_valid_after("sam"),
        )
        is not None
    )
    assert [r.username for r in _audit(Action.LOGOUT)] == ["sam"]


def test_changing_password_ends_other_sessions(sam):
    before = auth.sessions_valid_after("sam")
    assert auth.change_password(sam, "not my password", "a brand new password") is not None
    assert auth.change_password(sam, TEST_PASSWORD, "short") is not None
    assert auth.change_password(sam, TEST_PASSWORD, "a brand new password") is None
    assert auth.sessions_valid_after("sam") > before
    assert auth.check_login("sam", "a brand new password").actor is not None
    [row] = [r for r in _audit(Action.UPDATE) if r.record_type == "worker"]
    assert row.fields == "password"
    assert "brand" not in row.fields


def test_retrying_during_the_pause_does_not_stretch_it():
    burst = [T0 + timedelta(minutes=i) for i in range(LOCKOUT_FAILURES)]
    retries = [burst[-1] + timedelta(minutes=m) for m in (1, 5, 14)]
    assert auth.paused_until(burst + retries) == burst[-1] + timedelta(
        minutes=LOCKOUT_PAUSE_MINUTES
    )


def test_a_warning_comes_before_an_idle_logout_and_never_on_exempt_screens():
    now = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)

    def left(idle_minutes, exempt=False):
        return auth.idle_minutes_left(
            last_active_at=now - timedelta(minutes=idle_minutes), now=now, idle_exempt=exempt
        )

    from db.settings import IDLE_WARNING_MINUTES

    assert left(0) is None
    assert left(IDLE_MINUTES - IDLE_WARNING_MINUTES - 1) is None
    assert left(IDLE_MINUTES - 3) == pytest.approx(3)
    assert left(IDLE_MINUTES + 10) == 0
    assert left(IDLE_MINUTES - 3, exempt=True) is None
