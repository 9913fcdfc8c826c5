"""What app.py runs first: the worker is back in from the re-login cookie, or still logged in,
or sees the login form. And logging out."""

from __future__ import annotations

import streamlit as st

from components.auth import cookie, session, single_sign_on
from components.config import cookie_key
from components.i18n import N_
from db import auth
from db.rules.access import Actor


def sign_in() -> Actor | None:
    if not st.session_state.get("authentication_status") and not st.session_state.get(
        "cookie_tried"
    ):
        _back_in_from_the_cookie()
    if not st.session_state.get("authentication_status") and single_sign_on.offered():
        single_sign_on.sign_in_from_the_provider()
    actor = session.current_actor()
    if actor is None:
        if st.session_state.get("forget_cookie"):
            # Drawn on every logged-out run, so the browser surely gets to delete it.
            cookie.BrowserCookies().forget()
        return None  # app.py's logged-out pages draw the login form
    if st.session_state.get("login_session_id"):
        # Written on every full run, not once: a page switch straight after login (the hop
        # from / to the first page, a deep link) removes the writing component before the
        # browser acts on it. One login session always gives the same token, so a run that
        # finds it written sends nothing new.
        cookie.BrowserCookies().write(
            cookie.CookieLogin(
                actor.username,
                st.session_state["login_session_id"],
                st.session_state["auth_at"],
                st.session_state.get("signed_in_with", "password"),
            )
        )
    return actor


def _back_in_from_the_cookie() -> None:
    """Once per tab: the cookie the browser connected with logs the worker in again, if its
    login session still stands. Any other cookie (ended, forged, malformed) is deleted."""
    st.session_state["cookie_tried"] = True
    sent = cookie.sent_by_the_browser()
    if sent is None:
        return
    login = cookie.read(sent, cookie_key())
    actor = (
        auth.resume_session(
            username=login.username, session_id=login.session_id, issued_at=login.issued_at
        )
        if login is not None
        else None
    )
    if actor is None or login is None:
        st.session_state["forget_cookie"] = True
        return
    # A family meeting screen this login has open shows again (shared_screen.now_open).
    session.start(
        actor, session_id=login.session_id, authenticated_at=login.issued_at, via=login.via
    )


def log_out(actor: Actor) -> None:
    """Ends this worker's sessions on every device and deletes this browser's cookie."""
    auth.end_sessions(actor)
    session.forget(N_("You've logged out."))  # said in the login form's language


def carry_on_after_password_change(actor: Actor) -> None:
    """A password change signs out every device; this one carries on with a new login
    session and a new cookie."""
    session_id, started_at = auth.start_session(actor)
    session.start(actor, session_id=session_id, authenticated_at=started_at)
    st.session_state["must_change_password"] = False
