"""This tab's login: what st.session_state holds about it, the check every run makes, and
ending it.

Every run reads the worker from the database, so a logout elsewhere, a password change or a
disabled account take effect at once. A session that ends for any reason is ended in the
database too (db.auth.end_session, or end_sessions for a logout), so the re-login cookie can't
bring it back, and the cookie is deleted on the next full run (see sign_in).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import streamlit as st

from db import auth
from db.rules.access import Actor, load_actor
from db.settings import FAMILY_IDLE_MINUTES, IDLE_MINUTES
from db.store.clock import utcnow
from db.store.engine import read_session
from db.store.models import Role

ACTIVITY_SAVED_EVERY = timedelta(minutes=1)

# What this tab keeps when its session ends; everything else in st.session_state goes (the
# login, what the pages held: a prepared copy, a family found, typed values), so nothing of one
# login reaches the next on the same tab, whoever it is. A key added later is forgotten unless
# it is named here.
_KEPT_AFTER_LOGOUT = frozenset(
    {
        "cookie_tried",  # the re-login cookie was tried once for this tab (it is being deleted)
        "sso_tried",  # the provider's word already tried, so it can't log the tab in again
    }
)


def source() -> str | None:
    """Where this tab connects from, for counting failed logins per place. Behind a proxy this
    is the proxy's address; Streamlit gives None for localhost."""
    address = st.context.ip_address
    return address if isinstance(address, str) else None


def start(
    actor: Actor, *, session_id: str | None, authenticated_at: datetime, via: str = "password"
) -> None:
    """`via`: "password", or "oidc" for single sign-on (whose workers have no password to
    change, and sign in again where others type their password)."""
    st.session_state.update(
        {
            "authentication_status": True,
            "username": actor.username,
            "name": actor.name,
            "roles": sorted(actor.roles),
            "auth_at": authenticated_at,
            "last_active_at": utcnow(),
            "login_session_id": session_id,
            "must_change_password": actor.must_change_password and via != "oidc",
            "signed_in_with": via,
        }
    )
    st.session_state.pop("forget_cookie", None)
    st.session_state.pop("signed_out_because", None)


def _logged_in_as() -> str | None:
    if not st.session_state.get("authentication_status"):
        return None
    username = st.session_state.get("username")
    return username if isinstance(username, str) and username else None


def _problem(username: str, now: datetime) -> str | None:
    valid_after = auth.sessions_valid_after(username)
    if valid_after is None:
        family = Role.family_member in st.session_state.get("roles", ())
        return auth.FAMILY_LOGIN_PAUSED if family else auth.ACCOUNT_NOT_ACTIVE
    return auth.session_problem(
        authenticated_at=st.session_state.get("auth_at", now),
        last_active_at=st.session_state.get("last_active_at", now),
        sessions_valid_after=valid_after,
        now=now,
        idle_exempt=st.session_state.get("idle_exempt", False),
        idle_minutes=idle_minutes(),
    )


def idle_minutes() -> float:
    """A family member's space logs out sooner than a worker's screens."""
    return (
        FAMILY_IDLE_MINUTES
        if Role.family_member in st.session_state.get("roles", ())
        else IDLE_MINUTES
    )


def current_actor() -> Actor | None:
    """The logged-in worker if their session still stands; None otherwise. A run counts as
    activity."""
    username = _logged_in_as()
    if username is None:
        return None
    now = utcnow()
    st.session_state.setdefault("auth_at", now)
    st.session_state.setdefault("last_active_at", now)
    problem = _problem(username, now)
    if problem:
        end(problem)
        return None
    mark_active(now)
    with read_session() as session:
        actor = load_actor(session, username)
    # From the database, not only from the login form: a session restored from the cookie
    # (e.g. after a reload) must not skip a password change that is due.
    st.session_state["must_change_password"] = bool(
        actor and actor.must_change_password and st.session_state.get("signed_in_with") != "oidc"
    )
    return actor


def mark_active(now: datetime) -> None:
    """This tab was used just now; the login session in the database hears of it at most once
    a minute (what a re-login cookie is checked against once the tab has gone)."""
    st.session_state["last_active_at"] = now
    saved = st.session_state.get("activity_saved_at")
    if saved is None or now - saved >= ACTIVITY_SAVED_EVERY:
        auth.note_activity(st.session_state.get("login_session_id"), now=now)
        st.session_state["activity_saved_at"] = now


def has_lapsed() -> bool:
    """Whether the session would be refused now, without counting this check as activity."""
    username = _logged_in_as()
    return username is not None and _problem(username, utcnow()) is not None


def end(because: str) -> None:
    """Ends this tab's session for a reason other than logging out (idle, too long, ended
    elsewhere, account disabled): in the database too, so a reload can't bring it back."""
    auth.end_session(
        st.session_state.get("login_session_id"),
        username=st.session_state.get("username", ""),
        because=because,
    )
    forget(because)


def forget(message: str) -> None:
    """This tab forgets its login and everything its pages held (all but _KEPT_AFTER_LOGOUT),
    says why on the login form, and deletes the cookie (and single sign-on's word, which takes
    the browser through Streamlit's logout address)."""
    from components.auth import single_sign_on

    single_sign_on.sign_out_of_the_provider()
    for key in [key for key in st.session_state if key not in _KEPT_AFTER_LOGOUT]:
        st.session_state.pop(key, None)
    st.session_state["signed_out_because"] = message
    st.session_state["forget_cookie"] = True
