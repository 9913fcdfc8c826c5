"""The login screen with single sign-on (AppTest): which forms GOLDEN_THREAD_LOGIN shows; what
st.user (the provider's word, seeded through AppTest.user) starts or refuses; and the faults —
a broken [auth] section, a provider that can't be reached — said on screen, with no stack
trace, nothing stored, and recovery on the next run once fixed. The browser journey through a
real provider is tests/e2e/test_single_sign_on.py."""

from __future__ import annotations

import socket

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from components.auth import single_sign_on
from db import auth
from db import settings as db_settings
from db.rules.audit import Action
from db.store.clock import utcnow
from db.store.engine import read_session, write_session
from db.store.models import AuditEvent, LoginSession, Worker
from tests.apptest import all_text, new_app

BUTTON = f"Sign in with {db_settings.OIDC_LABEL}"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _auth(**changes) -> dict:
    section = {
        "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
        "cookie_secret": "c" * 40,
        "client_id": "golden-thread",
        "client_secret": "a-secret",
        "server_metadata_url": f"http://127.0.0.1:{_closed_port()}/.well-known/openid-configuration",
    }
    section.update(changes)
    return {k: v for k, v in section.items() if v is not None}


@pytest.fixture
def login_with(monkeypatch):
    def choose(methods: str) -> None:
        monkeypatch.setattr(db_settings, "GOLDEN_THREAD_LOGIN", methods)

    return choose


def _app(auth_section: dict | None = None, user: dict | None = None):
    at = new_app()
    if auth_section is not None:
        at.secrets["auth"] = auth_section
    if user is not None:
        at.user = user
    return at


def _word(email: str, **changes) -> dict:
    word = {
        "is_logged_in": True,
        "iss": "http://127.0.0.1:1",
        "sub": "sub-" + email.lower(),
        "email": email,
        "email_verified": True,
        "iat": int(utcnow().timestamp()),
    }
    word.update(changes)
    return word


def _buttons(at) -> list[str]:
    return [b.label for b in at.button]


def _count(model, *where) -> int:
    with read_session() as session:
        return session.exec(select(func.count()).select_from(model).where(*where)).one()


def test_password_stays_the_default(demo_db):
    at = new_app().run()
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    assert BUTTON not in _buttons(at)


def test_single_sign_on_alone_shows_no_password_form(demo_db, login_with):
    login_with("oidc")
    at = _app(_auth()).run()
    assert not at.exception
    assert list(at.text_input) == []
    assert BUTTON in _buttons(at)


def test_both_shows_the_button_and_the_form(demo_db, login_with):
    login_with("both")
    at = _app(_auth()).run()
    assert not at.exception
    assert BUTTON in _buttons(at)
    assert [t.label for t in at.text_input] == ["Username", "Password"]


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"client_secret": None}, "client_secret is missing"),
        ({"client_id": ""}, "client_id is missing"),
        ({"cookie_secret": "short"}, "cookie_secret must be at least"),
        ({"redirect_uri": "http://127.0.0.1:8501/"}, "redirect_uri must be"),
        ({"server_metadata_url": "not an address"}, "server_metadata_url must be"),
    ],
)
def test_a_broken_auth_section_says_which_setting_and_recovers_once_fixed(
    demo_db, login_with, changes, named
):
    login_with("oidc")
    at = _app(_auth(**changes)).run()
    assert not at.exception
    [error] = [e.value for e in at.error]
    assert "Single sign-on isn't set up correctly" in error and named in error
    assert BUTTON not in _buttons(at)
    at.secrets["auth"] = _auth()  # fixed, no restart
    at.run()
    assert not at.exception and not at.error
    assert BUTTON in _buttons(at)


def test_no_auth_section_at_all_says_so(demo_db, login_with):
    login_with("oidc")
    at = _app().run()
    assert not at.exception
    assert "no [auth] section" in at.error[0].value


def test_an_unreachable_provider_says_so_and_stores_nothing(demo_db, login_with):
    login_with("oidc")
    at = _app(_auth()).run()
    before = (_count(LoginSession), _count(AuditEvent))
    at.button(key="sso_sign_in").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == [single_sign_on.UNREACHABLE]
    assert BUTTON in _buttons(at)  # try again when it's back
    assert (_count(LoginSession), _count(AuditEvent)) == before


def test_the_providers_word_logs_in_once_per_tab_whatever_the_emails_case(demo_db, login_with):
    login_with("oidc")
    at = _app(_auth(), _word("PRACTITIONER@Golden-Thread.example")).run()
    assert not at.exception
    assert at.session_state["authentication_status"] is True
    assert at.session_state["username"] == "practitioner"
    assert at.session_state["signed_in_with"] == "oidc"
    assert "Sam Carter" in all_text(at)
    at.run()
    assert _count(AuditEvent, col(AuditEvent.action) == Action.LOGIN) == 1


def test_an_unknown_email_is_refused_on_screen_audited_once_and_stores_no_session(
    demo_db, login_with
):
    login_with("oidc")
    sessions = _count(LoginSession)
    at = _app(_auth(), _word("stranger@elsewhere.example")).run()
    assert not at.exception
    assert auth.SSO_UNKNOWN in [e.value for e in at.error]
    assert "Sign in with another account" in _buttons(at)
    assert not at.session_state.get("authentication_status")
    at.run()  # a rerun is not another attempt
    assert _count(AuditEvent, col(AuditEvent.action) == Action.LOGIN_FAILED) == 1
    assert _count(LoginSession) == sessions


def test_an_old_word_from_the_provider_shows_the_button_and_records_nothing(demo_db, login_with):
    login_with("oidc")
    old = int(utcnow().timestamp()) - 24 * 3600
    at = _app(_auth(), _word("practitioner@golden-thread.example", iat=old)).run()
    assert not at.exception
    assert BUTTON in _buttons(at)
    assert _count(AuditEvent) == 0 and _count(LoginSession) == 0


def test_a_single_sign_on_worker_is_never_asked_to_change_a_password(demo_db, login_with):
    login_with("oidc")
    with write_session() as session:
        worker = session.exec(select(Worker).where(col(Worker.username) == "practitioner")).one()
        worker.must_change_password = True
        session.add(worker)
    at = _app(_auth(), _word("practitioner@golden-thread.example")).run()
    assert not at.exception
    assert not at.session_state["must_change_password"]
    assert "Please choose a new password" not in all_text(at)


def test_logging_out_also_signs_out_of_the_provider(demo_db, login_with):
    login_with("oidc")
    at = _app(_auth(), _word("practitioner@golden-thread.example")).run()
    at.sidebar.button(key="sidebar_log_out").click().run()
    assert not at.exception
    assert at.user.get("is_logged_in") is False  # st.logout ran: Streamlit's word is gone
    assert BUTTON in _buttons(at)
    assert _count(LoginSession, col(LoginSession.ended_at).is_(None)) == 0


def test_a_single_sign_on_worker_has_no_password_form_on_their_account(demo_db, login_with):
    login_with("oidc")
    at = _app(_auth(), _word("practitioner@golden-thread.example")).run()
    at.switch_page("pages/account.py").run()
    assert not at.exception
    assert "Change password" not in _buttons(at)
    assert "organisation looks after your password" in all_text(at)


def test_a_client_secret_the_provider_refuses_is_said_before_leaving_the_app(demo_db, login_with):
    from tests.oidc_provider import CLIENT_SECRET, Provider

    login_with("oidc")
    provider = Provider("http://127.0.0.1:8501/oauth2callback").start()
    try:
        at = _app(
            _auth(server_metadata_url=provider.metadata_url, client_secret="not-the-secret")
        ).run()
        at.button(key="sso_sign_in").click().run()
        assert not at.exception
        [error] = [e.value for e in at.error]
        assert "doesn't accept the client_id and client_secret" in error
        # Fixed in secrets.toml: the next run offers the button again, with no message.
        at.secrets["auth"] = _auth(
            server_metadata_url=provider.metadata_url, client_secret=CLIENT_SECRET
        )
        at.run()
        assert not at.error and BUTTON in _buttons(at)
    finally:
        provider.stop()


def test_an_idle_end_also_signs_out_of_the_provider_and_the_word_cannot_come_back(
    demo_db, login_with
):
    from datetime import timedelta

    login_with("oidc")
    at = _app(_auth(), _word("practitioner@golden-thread.example")).run()
    assert at.session_state["authentication_status"] is True
    at.session_state["last_active_at"] = utcnow() - timedelta(minutes=db_settings.IDLE_MINUTES + 1)
    at.run()
    assert not at.exception
    assert "authentication_status" not in at.session_state
    assert at.user.get("is_logged_in") is False  # st.logout ran
    assert _count(LoginSession, col(LoginSession.ended_at).is_(None)) == 0
    assert _count(AuditEvent, col(AuditEvent.action) == Action.SESSION_ENDED) == 1
