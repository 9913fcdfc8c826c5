"""Login, the session check and the guard every page calls first.

streamlit-authenticator keeps the re-login cookie (a signed JWT) and its cookie component;
the form is our own so failed attempts can pause a username for a while, and unknown usernames
cost the same as wrong passwords. Whether a session still stands is decided in db.auth.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import streamlit as st
import streamlit_authenticator as stauth

from components.config import cookie_key
from db import auth
from db.access import Actor, load_actor
from db.engine import read_session
from db.models import Role
from db.settings import ABSOLUTE_HOURS, COOKIE_NAME
from db.types import utcnow

COOKIE_DAYS = ABSOLUTE_HOURS / 24
_LIBRARY_KEYS = ("authentication_status", "username", "name", "roles", "email")


def _authenticator() -> stauth.Authenticate:
    # One per run: its cookie component has a fixed key.
    return stauth.Authenticate({"usernames": {}}, COOKIE_NAME, cookie_key(), COOKIE_DAYS,
                               auto_hash=False, login_sleep_time=0)


def _start_session(actor: Actor, authenticated_at: datetime) -> None:
    st.session_state.update({
        "authentication_status": True, "username": actor.username, "name": actor.name,
        "roles": sorted(actor.roles), "logout": None,
        "auth_at": authenticated_at, "last_active_at": utcnow(),
    })


def _end_session(message: str = "") -> None:
    for key in (*_LIBRARY_KEYS, "auth_at", "last_active_at", "actor", "must_change_password"):
        st.session_state.pop(key, None)
    st.session_state["logout"] = True
    if message:
        st.session_state["signed_out_because"] = message


def current_actor() -> Actor | None:
    """The logged-in worker if their session still stands; None otherwise. Reads the database
    every run, so logout elsewhere, a password change or a disabled account take effect now."""
    if not st.session_state.get("authentication_status") or not st.session_state.get("username"):
        return None
    now = utcnow()
    st.session_state.setdefault("auth_at", now)
    st.session_state.setdefault("last_active_at", now)
    valid_after = auth.sessions_valid_after(st.session_state["username"])
    problem = "Your account is not active. Please ask your admin." if valid_after is None else \
        auth.session_problem(authenticated_at=st.session_state["auth_at"],
                             last_active_at=st.session_state["last_active_at"],
                             sessions_valid_after=valid_after, now=now,
                             idle_exempt=st.session_state.get("idle_exempt", False))
    if problem:
        _end_session(problem)
        return None
    st.session_state["last_active_at"] = now
    with read_session() as session:
        return load_actor(session, st.session_state["username"])


def _restore_from_cookie(authenticator: stauth.Authenticate) -> None:
    """A returning browser with a valid cookie logs in again, unless its sessions were ended."""
    if not isinstance(st.context.cookies.get(COOKIE_NAME), str):
        return  # no cookie (under AppTest the cookie jar is a stand-in object)
    token = authenticator.cookie_controller.get_cookie()
    if not token or not isinstance(token.get("username"), str):
        return
    issued_at = datetime.fromtimestamp(token["exp_date"], timezone.utc) - timedelta(days=COOKIE_DAYS)
    valid_after = auth.sessions_valid_after(token["username"])
    if valid_after is None or issued_at < valid_after:
        authenticator.cookie_controller.delete_cookie()
        return
    with read_session() as session:
        actor = load_actor(session, token["username"])
    if actor is not None:
        _start_session(actor, issued_at)


def sign_in() -> Actor | None:
    """Run by app.py: restores a session from the cookie or shows the login form."""
    authenticator = _authenticator()
    st.session_state.setdefault("logout", None)
    if not st.session_state.get("authentication_status") and not st.session_state.get("logout"):
        _restore_from_cookie(authenticator)
    actor = current_actor()
    if actor is None:
        _login_form(authenticator)
        return None
    st.session_state["_authenticator"] = authenticator
    return actor


def _login_form(authenticator: stauth.Authenticate) -> None:
    st.title("Golden Thread")
    reason = st.session_state.pop("signed_out_because", "")
    if reason:
        st.info(reason)
    with st.form("login_form"):
        st.subheader("Log in")
        username = st.text_input("Username", autocomplete="username")
        password = st.text_input("Password", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Log in", type="primary")
    if not submitted:
        return
    result = auth.check_login(username, password)
    if result.actor is None:
        st.error(result.message)
        return
    _start_session(result.actor, utcnow())
    st.session_state["must_change_password"] = result.must_change_password
    st.session_state["logout"] = None
    authenticator.cookie_controller.set_cookie()
    st.rerun()


def log_out(actor: Actor) -> None:
    """Ends this worker's sessions on every device and forgets this browser's cookie."""
    auth.end_sessions(actor)
    authenticator = st.session_state.pop("_authenticator", None)
    if authenticator is not None:
        authenticator.cookie_controller.delete_cookie()
    _end_session("You've logged out.")
    st.session_state.pop("idle_exempt", None)


def guard(*roles: Role, allow_password_change: bool = False) -> Actor:
    """First line of every page: draws nothing of the page unless a valid session holds one of
    the roles. Pages are served directly on a fresh server, so they cannot rely on app.py."""
    actor = current_actor()
    if actor is None:
        st.info("Please log in to see this page.")
        st.stop()
    if roles and not any(actor.has(role) for role in roles):
        st.warning("This page isn't available to you.")
        st.stop()
    if st.session_state.get("must_change_password") and not allow_password_change:
        st.warning("Please choose a new password before going on (Your account page).")
        st.stop()
    return actor
