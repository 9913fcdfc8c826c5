"""Single sign-on in a browser, through a real OpenID Connect provider on 127.0.0.1
(tests/oidc_provider.py: Authlib's provider pieces in a small Flask app) and Streamlit's own
st.login — nothing mocked. Its own Streamlit server runs with GOLDEN_THREAD_LOGIN=oidc and a
temporary secrets file holding the [auth] section.

A worker signs in through the provider and lands on the pages of their roles; logging out
ends the session; a disabled worker and an unknown email are refused with a clear message
and audited; a provider that can't be reached and a broken [auth] section each say so on
screen, and the app recovers — provider back, section fixed — without a restart.
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import (
    ARTIFACTS,
    IDLE,
    Server,
    _start,
    _stop,
    _wait_until_answering,
    fill_demo,
    main_text,
    page_paths,
    peek_into,
    settle,
    sidebar_titles,
    touched,
)
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider

LABEL = "the test council account"
SIGN_IN = f"Sign in with {LABEL}"
DISABLED = "worker1"


def _secrets(cookie_key: str, provider: Provider, *, broken: bool = False) -> str:
    lines = [
        f'cookie_key = "{cookie_key}"',
        "[auth]",
        'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"',
        f'cookie_secret = "{cookie_key}"',
        f'client_id = "{CLIENT_ID}"',
        f'server_metadata_url = "{provider.metadata_url}"',
    ]
    if not broken:
        lines.append(f'client_secret = "{CLIENT_SECRET}"')
    return "\n".join(lines) + "\n"


def _write(path: Path, text: str) -> None:
    """Replaced in one step, so the server's secrets watcher never reads half a file."""
    temporary = path.with_suffix(".new")
    temporary.write_text(text)
    temporary.chmod(0o600)
    os.replace(temporary, path)


@pytest.fixture(scope="module")
def provider():
    started = Provider().start()
    yield started
    started.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory, provider, request):
    """This module's own server (it replaces conftest's, which also visits every page cold)."""
    folder = tmp_path_factory.mktemp("sso")
    database_url = f"sqlite:///{folder / 'golden_thread.db'}"
    fill_demo(database_url)
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE worker SET is_active = false WHERE username = :u"), {"u": DISABLED}
        )
    engine.dispose()
    cookie_key = secrets.token_urlsafe(48)
    secrets_file = folder / "secrets.toml"
    _write(secrets_file, _secrets(cookie_key, provider))
    process, base, log = _start(
        folder,
        "sso",
        database_url,
        secrets_file,
        {"GOLDEN_THREAD_LOGIN": "oidc", "OIDC_LABEL": LABEL},
    )
    try:
        _wait_until_answering(base, process, log)
        provider.client.redirect_uri = f"{base}/oauth2callback"
        running = Server(
            base=base, database_url=database_url, cookie_key=cookie_key, log=log, process=process
        )
        running.secrets_file = secrets_file  # type: ignore[attr-defined]
        yield running
    finally:
        _stop(process)
        if request.session.testsfailed:
            ARTIFACTS.mkdir(exist_ok=True)
            (ARTIFACTS / "sso-server.log").write_text(log.read_text())


def _open(fresh, server):
    page = touched(fresh().new_page())
    page.goto(server.url(""))
    settle(page)
    return page


def _sign_in(page, provider: Provider, email: str) -> None:
    page.get_by_role("button", name=SIGN_IN).click()
    page.wait_for_url(f"{provider.issuer}/authorize**", timeout=30_000)
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(lambda url: not url.startswith(provider.issuer), timeout=30_000)
    page.wait_for_selector(IDLE, timeout=30_000)
    settle(page)


def _titles_for(roles: set[str]) -> list[str]:
    return [title for title, _url, allowed in page_paths() if roles & set(allowed)]


def _audit(peek, action: str) -> list:
    return peek("SELECT username, fields FROM auditevent WHERE action = :a ORDER BY id", a=action)


@pytest.fixture(scope="module")
def peek(server):
    """conftest's, for this module's own server."""
    with peek_into(server.database_url) as query:
        yield query


def test_a_worker_signs_in_through_the_provider_sees_their_pages_and_logs_out(
    server, provider, fresh, peek
):
    page = _open(fresh, server)
    # Single sign-on only: no password form.
    assert page.get_by_role("textbox", name="Password").count() == 0
    assert page.get_by_role("textbox", name="Username").count() == 0
    _sign_in(page, provider, "Practitioner@Golden-Thread.EXAMPLE")  # any case
    page.get_by_role("button", name="Log out").wait_for(timeout=30_000)
    assert sidebar_titles(page) == _titles_for({"practitioner"})
    assert page.locator("[data-testid='stException']").count() == 0
    assert ("practitioner", "single_sign_on") in _audit(peek, "login")

    page.get_by_role("button", name="Log out").click()
    page.get_by_role("button", name=SIGN_IN).wait_for(timeout=30_000)
    settle(page)
    assert page.get_by_role("button", name="Log out").count() == 0
    assert ("practitioner", "") in _audit(peek, "logout")
    open_sessions = peek(
        "SELECT count(*) FROM loginsession JOIN worker ON worker.id = loginsession.worker_id "
        "WHERE worker.username = 'practitioner' AND loginsession.ended_at IS NULL"
    )
    assert open_sessions == [(0,)]
    # Streamlit's identity cookie went with the logout: a reload stays logged out.
    page.reload()
    settle(page)
    assert page.get_by_role("button", name="Log out").count() == 0


def test_a_manager_lands_on_a_managers_pages(server, provider, fresh):
    page = _open(fresh, server)
    _sign_in(page, provider, "manager@golden-thread.example")
    page.get_by_role("button", name="Log out").wait_for(timeout=30_000)
    assert sidebar_titles(page) == _titles_for({"manager"})


@pytest.mark.parametrize(
    ("email", "message"),
    [
        (f"{DISABLED}@golden-thread.example", "Your account is not active"),
        ("stranger@elsewhere.example", "isn't linked to anyone in Golden Thread"),
    ],
)
def test_a_disabled_or_unknown_account_is_refused_clearly_and_audited(
    server, provider, fresh, peek, email, message
):
    failed_before = len(_audit(peek, "login_failed"))
    page = _open(fresh, server)
    _sign_in(page, provider, email)
    assert message in main_text(page)
    assert page.get_by_role("button", name="Log out").count() == 0
    assert page.locator("[data-testid='stException']").count() == 0
    assert len(_audit(peek, "login_failed")) == failed_before + 1
    # Another account can be tried straight away.
    page.get_by_role("button", name="Sign in with another account").click()
    page.get_by_role("button", name=SIGN_IN).wait_for(timeout=30_000)


def test_an_unreachable_provider_says_so_and_the_app_recovers_when_it_is_back(
    server, provider, fresh
):
    page = _open(fresh, server)
    provider.stop()
    try:
        page.get_by_role("button", name=SIGN_IN).click()
        page.get_by_text("The sign-in service can't be reached").wait_for(timeout=30_000)
        assert page.url.startswith(server.base)
        assert page.locator("[data-testid='stException']").count() == 0
    finally:
        provider.start()
    _sign_in(page, provider, "admin@golden-thread.example")
    page.get_by_role("button", name="Log out").wait_for(timeout=30_000)
    assert "Workers and teams" in sidebar_titles(page)


def _reload_until(page, text: str, timeout_s: float = 20) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        page.reload()
        settle(page)
        if text in main_text(page):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{text!r} never appeared: {main_text(page)[:300]}")
        page.wait_for_timeout(500)


def test_a_broken_auth_section_says_so_and_fixing_it_needs_no_restart(server, provider, fresh):
    secrets_file = server.secrets_file  # type: ignore[attr-defined]
    good = secrets_file.read_text()
    page = _open(fresh, server)
    try:
        _write(secrets_file, _secrets(server.cookie_key, provider, broken=True))
        _reload_until(page, "Single sign-on isn't set up correctly")
        assert "client_secret is missing" in main_text(page)
        assert page.get_by_role("button", name=SIGN_IN).count() == 0
        assert page.locator("[data-testid='stException']").count() == 0
    finally:
        _write(secrets_file, good)
    deadline = time.monotonic() + 20
    while page.get_by_role("button", name=SIGN_IN).count() == 0:
        assert time.monotonic() < deadline, main_text(page)[:300]
        page.wait_for_timeout(500)
        page.reload()
        settle(page)
    _sign_in(page, provider, "practitioner@golden-thread.example")
    page.get_by_role("button", name="Log out").wait_for(timeout=30_000)
