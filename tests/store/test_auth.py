"""Logging in, pausing after repeated failures (with a frozen clock), and ending sessions."""

from __future__ import annotations

import threading
import time
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
from db.store.clock import utcnow
from db.store.engine import read_session
from db.store.models import AuditEvent, LoginAttempt, LoginOutcome, LoginSession, Role, Worker
from tests import audit
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


def test_right_password_logs_in_and_is_audited(sam):
    result = auth.check_login("  SAM ", TEST_PASSWORD, now=T0)
    assert result.actor is not None and result.actor.username == "sam"
    assert not result.must_change_password
    [row] = audit.audited(Action.LOGIN)
    assert (row.username, row.roles, row.fields) == ("sam", "practitioner", "")


def test_unknown_user_and_wrong_password_get_the_same_message(sam):
    unknown = auth.check_login("nobody", TEST_PASSWORD, now=T0)
    wrong = auth.check_login("sam", "not it", now=T0)
    assert unknown.actor is None and wrong.actor is None
    assert unknown.message == wrong.message == auth.LOGIN_REFUSED
    for word in ("username", "password"):  # no hint which of the two was wrong
        assert f"wrong {word}" not in unknown.message.lower()
        assert f"unknown {word}" not in unknown.message.lower()
    failed = audit.audited(Action.LOGIN_FAILED)
    assert sorted(r.username for r in failed) == sorted([auth.unknown_username("nobody"), "sam"])
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
    assert [a.outcome for a in attempts][-2:] == [LoginOutcome.paused, LoginOutcome.succeeded]


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
    assert [r.username for r in audit.audited(Action.LOGOUT)] == ["sam"]


def test_changing_password_ends_other_sessions(sam):
    before = auth.sessions_valid_after("sam")
    assert auth.change_password(sam, "not my password", "a brand new password") is not None
    assert auth.change_password(sam, TEST_PASSWORD, "short") is not None
    assert auth.change_password(sam, TEST_PASSWORD, "a brand new password") is None
    assert auth.sessions_valid_after("sam") > before
    assert auth.check_login("sam", "a brand new password").actor is not None
    [row] = [r for r in audit.audited(Action.UPDATE) if r.record_type == "worker"]
    assert row.fields == "password"
    assert "brand" not in row.fields


def test_the_current_password_on_changing_it_counts_like_a_login(sam):
    """A screen left logged in must not let someone try password after password: the current
    password asked for on Your account is a guess, counted, paused and audited like a login."""
    for _ in range(LOCKOUT_FAILURES):
        said = auth.change_password(sam, "a guess", "a brand new password")
        assert said == auth.CURRENT_PASSWORD_REFUSED
    assert auth.change_password(sam, TEST_PASSWORD, "a brand new password") == auth.PAUSED
    assert auth.check_login("sam", TEST_PASSWORD).message == auth.PAUSED
    guesses = [r for r in audit.audited(Action.LOGIN_FAILED) if r.record_type == "change_password"]
    assert len(guesses) == LOCKOUT_FAILURES + 1
    assert all(r.username == "sam" for r in guesses)
    assert auth.password_matches(TEST_PASSWORD, _password_hash("sam"))  # nothing changed
    # Nothing typed is asked for again, not counted.
    assert auth.change_password(sam, "", "a brand new password") == auth.PASSWORD_NEEDED


def _password_hash(username: str) -> str:
    with read_session() as session:
        worker = session.exec(select(Worker).where(Worker.username == username)).one()
        return worker.password_hash


def test_a_long_passphrase_is_asked_to_be_shorter_not_cut_or_crashed_on():
    """bcrypt reads at most 72 bytes: longer is refused in a sentence (an emoji is four)."""
    seventy_two = "my children are the best thing that ever happened to me and I love them!"
    assert len(seventy_two.encode()) == 72 and auth.password_problem(seventy_two) is None
    for too_long in (seventy_two + " all", "🌻" * 19):
        assert "at most 72 characters" in auth.password_problem(too_long)


def test_a_long_passphrase_is_refused_when_taking_up_an_invitation(demo_db):
    from db.family_space import accept_invitation, invite_family_member
    from db.rules.validation import Invalid

    team = make.team("Invitation team")
    worker = make.worker("inviter", Role.practitioner, teams=(team,))
    family = make.family(team)
    code = invite_family_member(
        worker, family_id=family, person_id=make.person(family, "Dana", "parent")
    )
    with pytest.raises(Invalid, match="at most 72 characters"):
        accept_invitation(code, username="dana", password="we love our kids " * 6)
    accept_invitation(code, username="dana", password="we love our kids " * 4)  # still usable


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


# --- a typed password never lands in the records --------------------------------------------


def test_a_password_typed_into_the_username_box_is_stored_nowhere(sam):
    typed = "Sunflower-Kitchen-42"  # someone typed their password where the username goes
    auth.check_login(typed, "", now=T0)
    with read_session() as session:
        audit_names = session.exec(select(AuditEvent.username)).all()
        attempt_names = session.exec(select(LoginAttempt.username)).all()
    for stored in (*audit_names, *attempt_names):
        assert typed.lower() not in stored.lower()
        assert typed[:6].lower() not in stored.lower()
    assert auth.unknown_username(typed.lower()) in audit_names


# --- pausing per place, and for everyone only from many places --------------------------------


def test_failures_from_one_place_pause_that_place_only(sam):
    _fail_from("sam", "203.0.113.9", T0, LOCKOUT_FAILURES)
    soon = T0 + timedelta(minutes=1)
    paused = auth.check_login("sam", TEST_PASSWORD, source="203.0.113.9", now=soon)
    assert paused.actor is None and paused.message == auth.PAUSED
    # Sam, from the office, is not locked out by someone else's guessing.
    office = auth.check_login("sam", TEST_PASSWORD, source="198.51.100.7", now=soon)
    assert office.actor is not None


def test_failures_from_many_places_pause_the_username_for_everyone(sam):
    from db.settings import LOCKOUT_USERNAME_FAILURES

    places = -(-LOCKOUT_USERNAME_FAILURES // LOCKOUT_FAILURES)  # ceil: one place can't do it
    assert places > 1
    for place in range(places):
        _fail_from("sam", f"192.0.2.{place}", T0 + timedelta(seconds=place * 10), LOCKOUT_FAILURES)
    office = auth.check_login(
        "sam", TEST_PASSWORD, source="198.51.100.7", now=T0 + timedelta(minutes=2)
    )
    assert office.actor is None and office.message == auth.PAUSED


def _fail_from(username: str, source: str, at: datetime, times: int) -> None:
    for i in range(times):
        result = auth.check_login(
            username, "wrong password", source=source, now=at + timedelta(seconds=i)
        )
        assert result.actor is None


# --- attempts at the same moment --------------------------------------------------------------


def _counting_slow_checks(monkeypatch, seconds: float = 0.3) -> list[tuple[str, str]]:
    """Makes each password check slow (as bcrypt at a real cost is) and records it."""
    checks: list[tuple[str, str]] = []
    real = auth.password_matches

    def slow(password: str, password_hash: str) -> bool:
        checks.append((password, password_hash))
        time.sleep(seconds)
        return real(password, password_hash)

    monkeypatch.setattr(auth, "password_matches", slow)
    return checks


def test_attempts_at_the_same_moment_check_at_most_the_limit_of_passwords(sam, monkeypatch):
    checks = _counting_slow_checks(monkeypatch)
    passwords = ["wrong password"] * 11 + [TEST_PASSWORD]
    start = threading.Barrier(len(passwords))
    results: dict[int, auth.LoginResult] = {}

    def attempt(index: int) -> None:
        start.wait()
        results[index] = auth.check_login("sam", passwords[index], source="203.0.113.9")

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(len(passwords))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == len(passwords)
    against_the_real_password = [pw for pw, hashed in checks if hashed != auth._DUMMY_HASH]
    assert len(against_the_real_password) <= LOCKOUT_FAILURES
    right = results[len(passwords) - 1]
    if TEST_PASSWORD in against_the_real_password:
        assert right.actor is not None  # it was among the first attempts, before the pause
    else:
        assert right.actor is None and right.message == auth.PAUSED
    assert sum(result.actor is not None for result in results.values()) <= 1
    with read_session() as session:
        outcomes = session.exec(select(LoginAttempt.outcome)).all()
    assert outcomes.count(LoginOutcome.paused) >= len(passwords) - LOCKOUT_FAILURES
    assert LoginOutcome.checking not in outcomes


def test_a_password_check_holds_no_lock_over_other_writers(sam, monkeypatch):
    from db.store.engine import write_session

    checking, finish = threading.Event(), threading.Event()
    real = auth.password_matches

    def held(password: str, password_hash: str) -> bool:
        checking.set()
        finish.wait(30)
        return real(password, password_hash)

    monkeypatch.setattr(auth, "password_matches", held)
    login = threading.Thread(target=auth.check_login, args=("sam", TEST_PASSWORD))
    login.start()
    try:
        assert checking.wait(10)
        wrote = threading.Event()

        def another_write() -> None:
            with write_session() as session:
                worker = session.exec(select(Worker).where(Worker.username == "sam")).one()
                worker.plain_language_hints = not worker.plain_language_hints
                session.add(worker)
            wrote.set()

        writer = threading.Thread(target=another_write)
        writer.start()
        assert wrote.wait(3), "a write waited for a password check"
    finally:
        finish.set()
        login.join(30)
        writer.join(30)


# --- login sessions: the cookie's other half ---------------------------------------------------


def test_a_login_starts_a_session_that_a_cookie_can_resume(sam):
    t0 = utcnow()  # after the worker was made: their sessions stand from then
    result = auth.check_login("sam", TEST_PASSWORD, now=t0)
    assert result.session_id and result.started_at == t0
    # An hour on, used a moment ago (another tab of this login is still open).
    auth.note_activity(result.session_id, now=t0 + timedelta(minutes=59))
    resumed = auth.resume_session(
        username="sam", session_id=result.session_id, issued_at=t0, now=t0 + timedelta(hours=1)
    )
    assert resumed is not None and resumed.username == "sam"
    # Another worker's name with this session's id, or a made-up id: nobody.
    make.worker("kim", Role.practitioner)
    assert auth.resume_session(username="kim", session_id=result.session_id, issued_at=t0) is None
    assert auth.resume_session(username="sam", session_id="made-up", issued_at=t0) is None


def test_an_idle_end_refuses_that_cookie_but_not_the_workers_other_devices(sam):
    t0 = utcnow()  # after the worker was made: their sessions stand from then
    laptop = auth.check_login("sam", TEST_PASSWORD, now=t0)
    phone = auth.check_login("sam", TEST_PASSWORD, now=t0 + timedelta(seconds=5))
    later = t0 + timedelta(minutes=IDLE_MINUTES + 1)
    auth.note_activity(phone.session_id, now=later - timedelta(minutes=1))  # still in use
    auth.end_session(laptop.session_id, username="sam", because=auth.AWAY_TOO_LONG, now=later)
    assert (
        auth.resume_session(username="sam", session_id=laptop.session_id, issued_at=t0, now=later)
        is None
    )
    assert (
        auth.resume_session(
            username="sam", session_id=phone.session_id, issued_at=phone.started_at, now=later
        )
        is not None
    )
    [ended] = audit.audited(Action.SESSION_ENDED)
    assert (ended.username, ended.fields) == ("sam", "idle")


def test_a_cookie_left_behind_by_a_closed_idle_tab_does_not_log_in(sam):
    """A tab closed while idle can't end its own session: the cookie is checked against when
    the login was last used, and a family member's idle limit is the shorter one."""
    t0 = utcnow()  # after the worker was made: their sessions stand from then
    login = auth.check_login("sam", TEST_PASSWORD, now=t0)
    auth.note_activity(login.session_id, now=t0 + timedelta(minutes=10))
    just_in_time = t0 + timedelta(minutes=10 + IDLE_MINUTES - 1)
    too_late = t0 + timedelta(minutes=10 + IDLE_MINUTES + 1)
    for now, resumes in ((just_in_time, True), (too_late, False)):
        resumed = auth.resume_session(
            username="sam", session_id=login.session_id, issued_at=t0, now=now
        )
        assert (resumed is not None) is resumes

    from db.settings import FAMILY_IDLE_MINUTES

    family = make.family(make.team("Home team"))
    member = make.family_member(family, make.person(family, "Dana", "parent"), "dana.home")
    t1 = utcnow()
    home_login, _started = auth.start_session(member, now=t1)
    between = t1 + timedelta(minutes=(FAMILY_IDLE_MINUTES + IDLE_MINUTES) / 2)
    assert FAMILY_IDLE_MINUTES < IDLE_MINUTES
    assert (
        auth.resume_session(username="dana.home", session_id=home_login, issued_at=t1, now=between)
        is None
    )


def test_a_session_past_the_absolute_limit_is_not_resumed(sam):
    t0 = utcnow()  # after the worker was made: their sessions stand from then
    result = auth.check_login("sam", TEST_PASSWORD, now=t0)
    late = t0 + timedelta(hours=ABSOLUTE_HOURS, minutes=1)
    assert (
        auth.resume_session(username="sam", session_id=result.session_id, issued_at=t0, now=late)
        is None
    )


def test_logout_ends_every_login_session_of_the_worker(sam):
    t0 = utcnow()  # after the worker was made: their sessions stand from then
    first = auth.check_login("sam", TEST_PASSWORD, now=t0)
    second = auth.check_login("sam", TEST_PASSWORD, now=t0 + timedelta(seconds=1))
    auth.end_sessions(sam, now=t0 + timedelta(minutes=1))
    with read_session() as session:
        rows = session.exec(select(LoginSession)).all()
    assert {row.id for row in rows} == {first.session_id, second.session_id}
    assert all(row.ended_at is not None for row in rows)


# --- the password asked for again ---------------------------------------------------------------


def test_asking_for_the_password_again_is_audited_and_counts_like_a_login(sam):
    assert auth.confirm_password(sam, TEST_PASSWORD, reason="leave_family_meeting_screen") is None
    [confirmed] = audit.audited(Action.PASSWORD_CONFIRMED)
    assert (confirmed.username, confirmed.record_type) == ("sam", "leave_family_meeting_screen")
    # The check that matched keeps its place in the count (see db.auth.is_paused).
    for _ in range(LOCKOUT_FAILURES - 1):
        refused = auth.confirm_password(sam, "not it", reason="leave_family_meeting_screen")
        assert refused == auth.PASSWORD_REFUSED
    assert (
        auth.confirm_password(sam, TEST_PASSWORD, reason="leave_family_meeting_screen")
        == auth.PAUSED
    )
    assert auth.check_login("sam", TEST_PASSWORD).message == auth.PAUSED
    assert len(audit.audited(Action.LOGIN_FAILED)) == LOCKOUT_FAILURES + 1


def test_leaving_with_nothing_typed_asks_for_the_password_and_counts_no_guess(sam):
    said = auth.confirm_password(sam, "", reason="leave_family_meeting_screen")
    assert said == auth.PASSWORD_NEEDED
    assert audit.audited(Action.LOGIN_FAILED) == []


def test_a_new_sqlite_database_file_is_readable_by_its_owner_only(tmp_path):
    import stat

    from sqlalchemy import text

    from db.store.engine import get_engine

    path = tmp_path / "fresh" / "golden_thread.db"
    engine = get_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
        connection.execute(text("INSERT INTO t VALUES (1)"))
    try:
        for made in [path, *path.parent.glob("golden_thread.db-*")]:
            assert stat.S_IMODE(made.stat().st_mode) == 0o600, made.name
    finally:
        engine.dispose()
