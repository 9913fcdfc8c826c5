"""Single sign-on: the organisation's OpenID Connect provider says who someone is, through
Streamlit's own st.login / st.user / st.logout (Authlib underneath; set up in
.streamlit/secrets.toml [auth]). It replaces only "who are you": the person is matched to a
worker by their verified email (db.auth.check_sso_login), and from then on the login session,
the re-login cookie, roles, teams, idle timeout and the audit are exactly the password path's.

The provider's word is used once per tab, while fresh: Streamlit keeps it in its own cookie
for weeks, so a tab that finds an old one (or one from before the worker's last logout) shows
the sign-in button instead of logging in. Ending a session (logout, idle, signed out elsewhere)
also calls st.logout, so the provider's word leaves the browser too.

Faults say so on the login screen, never as a stack trace: a misconfigured [auth] section
(checked before the button is drawn, and again on every run, so fixing secrets.toml is enough;
a client id or secret the provider refuses is found when the button is pressed), a provider
that can't be reached (checked when the button is pressed, before leaving the app),
and an account that matches no active worker (refused, audited as a failed login).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timezone
from urllib.parse import urlparse

import streamlit as st
from streamlit.errors import StreamlitAPIException

from components.auth import session
from components.i18n import _, said
from db import auth, settings

log = logging.getLogger("golden_thread")

SIGNED_IN_WITH = "signed_in_with"  # "oidc" for a tab signed in through the provider
_TRIED, _REFUSED, _PROBLEM = "sso_tried", "sso_refused", "sso_problem"

NOT_SET_UP = (
    "Single sign-on isn't set up correctly, so nobody can sign in that way yet. Please tell "
    "your admin: {detail}"
)
UNREACHABLE = (
    "The sign-in service can't be reached just now. Please try again in a few minutes; if it "
    "keeps happening, tell your admin."
)


def offered() -> bool:
    return settings.GOLDEN_THREAD_LOGIN in ("oidc", "both")


def passwords_offered() -> bool:
    return settings.GOLDEN_THREAD_LOGIN in ("password", "both")


def provider() -> str:
    return settings.OIDC_PROVIDER or "default"


# --- the [auth] section --------------------------------------------------------------------


def _auth_section() -> Mapping | None:
    try:
        section = st.secrets.get("auth")
    except Exception:  # an unreadable or malformed secrets.toml
        return None
    return section if isinstance(section, Mapping) else None


def _is_web_address(value: object) -> bool:
    if not isinstance(value, str):
        return False
    parsed = urlparse(value)
    return parsed.scheme in ("http", "https") and bool(parsed.netloc)


def setup_problem() -> str | None:
    """What is wrong with the [auth] section, naming the setting (never its value); None if
    it is complete."""
    from streamlit.auth_util import is_authlib_installed

    section = _auth_section()
    if section is None:
        return "secrets.toml has no [auth] section."
    redirect = section.get("redirect_uri")
    if not _is_web_address(redirect) or not str(redirect).endswith("/oauth2callback"):
        return "[auth] redirect_uri must be the app's address ending in /oauth2callback."
    cookie_secret = section.get("cookie_secret")
    if not isinstance(cookie_secret, str) or len(cookie_secret) < settings.MIN_COOKIE_KEY_LENGTH:
        return (
            f"[auth] cookie_secret must be at least {settings.MIN_COOKIE_KEY_LENGTH} random "
            f"characters."
        )
    name = provider()
    keys = section if name == "default" else section.get(name)
    where = "[auth]" if name == "default" else f"[auth.{name}]"
    if "_" in name or not isinstance(keys, Mapping):
        return f"{where} is missing (the OIDC_PROVIDER setting names it)."
    for key in ("client_id", "client_secret"):
        if not isinstance(keys.get(key), str) or not keys.get(key):
            return f"{where} {key} is missing."
    if not _is_web_address(keys.get("server_metadata_url")):
        return f"{where} server_metadata_url must be the provider's discovery address."
    if not is_authlib_installed():
        return "the Authlib package isn't installed."
    return None


def _provider_keys() -> Mapping:
    section = _auth_section() or {}
    keys = section if provider() == "default" else section.get(provider(), {})
    return keys if isinstance(keys, Mapping) else {}


def provider_problem() -> str | None:
    """Asked when the button is pressed, before the browser leaves for the provider (whose
    own error pages would leave the person stranded there): whether the provider answers, and
    whether it knows our client. A token request with a made-up code is refused either way;
    `invalid_client` means the id or secret is wrong, anything else that they are right."""
    import httpx  # only when the button is pressed: the login screen loads without it

    keys = _provider_keys()
    timeout = settings.OIDC_TIMEOUT_SECONDS
    try:
        answer = httpx.get(str(keys.get("server_metadata_url", "")), timeout=timeout)
        answer.raise_for_status()
        document = answer.json()
    except (httpx.HTTPError, ValueError) as problem:
        log.warning("single sign-on: the provider's discovery document failed: %s", problem)
        return UNREACHABLE
    if not isinstance(document, dict) or not all(
        _is_web_address(document.get(k)) for k in ("authorization_endpoint", "token_endpoint")
    ):
        return NOT_SET_UP.format(
            detail="server_metadata_url doesn't give an OpenID Connect discovery document."
        )
    try:
        answer = httpx.post(
            document["token_endpoint"],
            data={
                "grant_type": "authorization_code",
                "code": "golden-thread-set-up-check",
                "redirect_uri": str((_auth_section() or {}).get("redirect_uri", "")),
            },
            auth=(str(keys.get("client_id", "")), str(keys.get("client_secret", ""))),
            timeout=timeout,
        )
        refusal = answer.json().get("error") if answer.status_code >= 400 else None
    except httpx.HTTPError as problem:
        log.warning("single sign-on: the provider's token address failed: %s", problem)
        return UNREACHABLE
    except (ValueError, AttributeError):
        refusal = None
    if refusal == "invalid_client":
        return NOT_SET_UP.format(
            detail="the provider doesn't accept the client_id and client_secret in [auth]."
        )
    return None


# --- the provider's word, once per tab -------------------------------------------------------


def _identity() -> dict:
    try:
        user = st.user.to_dict()
    except Exception:  # no [auth] section or no script context: nobody signed in
        return {}
    return user if user.get("is_logged_in") else {}


def _issued_at(identity: dict) -> datetime | None:
    issued = identity.get("iat")
    if isinstance(issued, bool) or not isinstance(issued, (int, float)):
        return None
    try:
        return datetime.fromtimestamp(issued, timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


def sign_in_from_the_provider() -> None:
    """Run by sign_in while nobody is logged in in this tab: a fresh word from the provider
    starts a login session (the same as a password login), or is refused and audited. Tried
    once per tab and identity, so reruns don't count as attempts."""
    identity = _identity()
    if not identity:
        return
    tried = f"{identity.get('iss')}|{identity.get('sub')}|{identity.get('iat')}"
    if st.session_state.get(_TRIED) == tried:
        return
    st.session_state[_TRIED] = tried
    result = auth.check_sso_login(
        identity.get("email"),
        email_verified=identity.get("email_verified"),
        issued_at=_issued_at(identity),
        source=session.source(),
    )
    if result.stale:
        return  # an old word: the sign-in button asks the provider again
    if result.actor is None or result.started_at is None:
        st.session_state[_REFUSED] = result.message
        return
    session.start(
        result.actor, session_id=result.session_id, authenticated_at=result.started_at, via="oidc"
    )


def sign_out_of_the_provider() -> None:
    """The provider's word leaves the browser too (Streamlit deletes its cookie and, where the
    provider offers it, ends the provider's own session)."""
    if _identity():
        st.logout()


# --- the login screen's part -----------------------------------------------------------------


def show() -> None:
    """The sign-in button, or why it can't be used."""
    problem = setup_problem()
    if problem:
        log.error("single sign-on: %s", problem)
        st.error(NOT_SET_UP.format(detail=problem))
        return
    from components.ui import plain

    refused = st.session_state.get(_REFUSED)
    if refused:
        st.error(said(refused))
        email = _identity().get("email")
        if isinstance(email, str):
            st.caption(plain(_("You signed in as {email}.", email=email)))
        if st.button(_("Sign in with another account"), key="sso_another_account"):
            st.logout()
        return
    problem = st.session_state.pop(_PROBLEM, None)
    if problem:
        st.error(problem)
    st.button(
        _("Sign in with {provider}", provider=settings.OIDC_LABEL),
        key="sso_sign_in",
        type="primary",
        icon=":material/login:",
        on_click=_go_to_the_provider,
    )


def _go_to_the_provider() -> None:
    """Runs as the button's callback, before the script body: a rerun that lands while the body
    runs can't swallow the click (the same reason the password form logs in in its callback).
    A problem is left for the body, which shows it above the button in this same run."""
    st.session_state.pop(_REFUSED, None)
    problem = provider_problem()
    if problem:
        st.session_state[_PROBLEM] = problem
        return
    try:
        st.login(provider())
    except StreamlitAPIException as problem:  # StreamlitAuthError: the section didn't pass
        log.error("single sign-on: st.login refused the set-up: %s", problem)
        st.session_state[_PROBLEM] = NOT_SET_UP.format(
            detail="the [auth] section didn't pass Streamlit's check (see the server log)."
        )
