"""Single sign-on in the store: a person the identity provider vouches for is matched to a
worker by verified email, whatever its case; an unknown, unverified or disabled email is a
failed login, recorded and audited, with nothing else stored; an old word from the provider
(or one from before the worker's last logout) is no attempt at all. And the admin's email
field: stored lower-case, one worker per email whatever its case."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from db import admin, auth
from db.rules.access import load_actor
from db.rules.audit import Action
from db.rules.validation import Invalid
from db.settings import OIDC_FRESH_MINUTES
from db.store.clock import utcnow
from db.store.engine import read_session, write_session
from db.store.models import AuditEvent, LoginAttempt, LoginOutcome, LoginSession, Worker

PRACTITIONER = "practitioner@golden-thread.example"


def _counts() -> tuple[int, int, int]:
    with read_session() as session:
        return (
            session.exec(select(func.count()).select_from(LoginSession)).one(),
            session.exec(select(func.count()).select_from(LoginAttempt)).one(),
            session.exec(select(func.count()).select_from(AuditEvent)).one(),
        )


def _last_audit() -> AuditEvent:
    with read_session() as session:
        return session.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc())).first()


def _sso(email, *, verified=True, issued_at=None):
    now = utcnow()
    return auth.check_sso_login(
        email, email_verified=verified, issued_at=issued_at or now, source="10.0.0.7", now=now
    )


def test_a_verified_email_in_any_case_logs_in_the_same_way_as_a_password(demo_db):
    sessions, attempts, audits = _counts()
    result = _sso("  Practitioner@Golden-Thread.EXAMPLE ")
    assert result.actor is not None and result.actor.username == "practitioner"
    assert result.session_id and result.started_at and not result.stale
    assert _counts() == (sessions + 1, attempts + 1, audits + 1)
    with read_session() as session:
        login = session.get(LoginSession, result.session_id)
        assert login is not None and login.ended_at is None
        attempt = session.exec(select(LoginAttempt).order_by(col(LoginAttempt.id).desc())).first()
    assert (attempt.username, attempt.outcome, attempt.source) == (
        "practitioner",
        LoginOutcome.succeeded,
        "10.0.0.7",
    )
    event = _last_audit()
    assert (event.action, event.username, event.fields) == (
        Action.LOGIN,
        "practitioner",
        "single_sign_on",
    )
    # The session it starts is the password path's: a cookie for it resumes, a logout ends it.
    assert auth.resume_session(
        username="practitioner", session_id=result.session_id, issued_at=result.started_at
    )


@pytest.mark.parametrize(
    ("email", "verified", "message", "written_as"),
    [
        ("nobody@elsewhere.example", True, auth.SSO_UNKNOWN, "unknown:"),
        (PRACTITIONER, False, auth.SSO_NOT_VERIFIED, "practitioner"),
        (PRACTITIONER, "false", auth.SSO_NOT_VERIFIED, "practitioner"),
        (None, True, auth.SSO_UNKNOWN, "unknown:"),
        ("not an email\x00", True, auth.SSO_UNKNOWN, "unknown:"),
    ],
)
def test_an_unknown_or_unverified_email_is_a_failed_login_and_nothing_more(
    demo_db, email, verified, message, written_as
):
    sessions, attempts, audits = _counts()
    result = _sso(email, verified=verified)
    assert result.actor is None and result.message == message and not result.stale
    assert _counts() == (sessions, attempts + 1, audits + 1)  # no login session
    event = _last_audit()
    assert event.action == Action.LOGIN_FAILED and event.username.startswith(written_as)
    assert "@" not in event.username  # an unknown email is never written down as given


def test_a_disabled_worker_is_refused_and_audited(demo_db):
    with read_session() as session:
        admin_actor = load_actor(session, "admin")
        worker_id = session.exec(
            select(Worker.id).where(col(Worker.username) == "practitioner")
        ).one()
    admin.set_active(admin_actor, worker_id, False)
    sessions, attempts, audits = _counts()
    result = _sso(PRACTITIONER, issued_at=utcnow() + timedelta(seconds=1))
    assert result.actor is None and result.message == auth.ACCOUNT_NOT_ACTIVE
    assert _counts() == (sessions, attempts + 1, audits + 1)
    assert _last_audit().action == Action.LOGIN_FAILED


def test_an_old_word_from_the_provider_is_no_attempt(demo_db):
    before = _counts()
    old = utcnow() - timedelta(minutes=OIDC_FRESH_MINUTES + 1)
    for issued_at in (old, None, "yesterday", utcnow().replace(tzinfo=None)):
        result = auth.check_sso_login(PRACTITIONER, email_verified=True, issued_at=issued_at)
        assert result.stale and result.actor is None
    assert _counts() == before


def test_a_logout_ends_the_providers_word_given_before_it(demo_db):
    """Streamlit keeps the provider's word in a cookie: once the worker logs out (everywhere),
    a word given before that can't start a session again, even while still fresh."""
    given = utcnow() - timedelta(seconds=30)
    first = auth.check_sso_login(PRACTITIONER, email_verified=True, issued_at=given)
    assert first.actor is not None
    auth.end_sessions(first.actor)
    before = _counts()
    again = auth.check_sso_login(PRACTITIONER, email_verified=True, issued_at=given)
    assert again.stale and again.actor is None
    assert _counts() == before


def _admin():
    with read_session() as session:
        return load_actor(session, "admin")


def test_the_admin_sets_an_email_stored_lower_case_and_one_per_worker(demo_db):
    actor = _admin()
    worker_id, _password = admin.add_worker(
        actor,
        name="Jo Lane",
        username="jo.lane",
        roles=["admin"],
        email=" Jo.Lane@Council.Example ",
    )
    assert admin.worker_details(actor, worker_id)["email"] == "jo.lane@council.example"
    with pytest.raises(Invalid, match="already linked"):
        admin.add_worker(
            actor,
            name="Jo Again",
            username="jo.again",
            roles=["admin"],
            email="JO.LANE@council.example",
        )
    with pytest.raises(Invalid, match="work email"):
        admin.add_worker(actor, name="Jo Again", username="jo.again", roles=["admin"], email="jo@")
    details = admin.worker_details(actor, worker_id)
    admin.update_worker(
        actor, worker_id, seen_version=details["version"], name="Jo Lane", roles=["admin"], email=""
    )
    assert admin.worker_details(actor, worker_id)["email"] == ""
    assert _last_audit().fields == "email"
    # Leaving the email out of an edit leaves it as it is.
    details = admin.worker_details(actor, worker_id)
    admin.update_worker(
        actor, worker_id, seen_version=details["version"], name="Jo Lane Smith", roles=["admin"]
    )
    assert admin.worker_details(actor, worker_id)["email"] == ""


def test_the_database_keeps_emails_lower_case_and_unique(demo_db):
    with pytest.raises(IntegrityError):
        with write_session() as session:
            worker = session.exec(select(Worker).where(col(Worker.username) == "manager")).one()
            worker.email = "Manager@Golden-Thread.example"
            session.add(worker)
    with pytest.raises(IntegrityError):
        with write_session() as session:
            worker = session.exec(select(Worker).where(col(Worker.username) == "manager")).one()
            worker.email = PRACTITIONER
            session.add(worker)


def test_the_first_admin_can_be_given_an_email_for_single_sign_on(empty_db):
    from db.ops import admin as admin_cli

    answers = iter(["Alex Admin", "alex"])
    secrets_ = iter(["a long enough password", "a long enough password"])
    assert (
        admin_cli.main(
            ["create-admin", "--email", "Alex@Council.example"],
            ask=lambda _: next(answers),
            ask_secret=lambda _: next(secrets_),
        )
        == 0
    )
    result = _sso("alex@council.example")
    assert result.actor is not None and result.actor.username == "alex"


def test_with_single_sign_on_only_no_worker_is_left_without_an_email(demo_db, monkeypatch):
    """Clearing it would leave them no way in (the last admin among them: nobody at all)."""
    from db import settings

    monkeypatch.setattr(settings, "GOLDEN_THREAD_LOGIN", "oidc")
    worker_id, _password = admin.add_worker(
        _admin(), name="Has Mail", username="has.mail", roles=["admin"], email="has@c.example"
    )
    with read_session() as session:
        version = session.get_one(Worker, worker_id).version
    with pytest.raises(Invalid, match="work email"):
        admin.update_worker(
            _admin(), worker_id, seen_version=version, name="Has Mail", roles=["admin"], email=""
        )
    with read_session() as session:
        assert session.get_one(Worker, worker_id).email == "has@c.example"
    admin.update_worker(  # leaving the email as it is stays fine
        _admin(), worker_id, seen_version=version, name="Has Mail Too", roles=["admin"]
    )


def test_with_single_sign_on_only_a_new_worker_needs_an_email(demo_db, monkeypatch):
    from db import settings

    monkeypatch.setattr(settings, "GOLDEN_THREAD_LOGIN", "oidc")
    with pytest.raises(Invalid, match="work email"):
        admin.add_worker(_admin(), name="No Mail", username="no.mail", roles=["admin"])
    admin.add_worker(
        _admin(), name="Has Mail", username="has.mail", roles=["admin"], email="has@c.example"
    )
