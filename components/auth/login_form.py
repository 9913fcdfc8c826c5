"""The login form. Our own (not the library's) so failed attempts can pause a username for a
place, and unknown usernames cost the same as wrong passwords (db.auth.check_login)."""

from __future__ import annotations

import streamlit as st

from components.auth import session, single_sign_on
from components.i18n import _, said, speak_as_browser
from db import auth


def show() -> None:
    from components.ui import demo_marker, page_title

    speak_as_browser()
    page_title(_("Log in"))
    if "invite" in st.query_params:  # a family member taking up their invitation
        from components.family_space_view import accept_invitation

        accept_invitation(st.query_params["invite"])
        return
    st.title(_("Golden Thread"))
    demo_marker()
    reason = st.session_state.get("signed_out_because", "")
    if reason:
        st.info(said(reason))
    if single_sign_on.offered():
        single_sign_on.show()
        if not single_sign_on.passwords_offered():
            return
    with st.form("login_form"):
        st.header(_("Log in"))
        st.text_input(_("Username"), autocomplete="username", key="login_username")
        st.text_input(
            _("Password"), type="password", autocomplete="current-password", key="login_password"
        )
        st.form_submit_button(_("Log in"), type="primary", on_click=_try_login)
    problem = st.session_state.pop("login_problem", None)
    if problem:
        st.error(said(problem))


def _try_login() -> None:
    """Runs as the submit's callback: before the script body, with the boxes' values from the
    same message as the click. A rerun asked for while the body runs (a component's frame
    loading, a second click) ends that body early and starts again without the click; done
    here, the login has already happened by then, so a first login can't be lost that way."""
    username = st.session_state.get("login_username", "")
    password = st.session_state.pop("login_password", "")  # never kept after it is checked
    result = auth.check_login(username, password, source=session.source())
    if result.actor is None or result.started_at is None:
        st.session_state["login_problem"] = result.message
        return
    session.start(result.actor, session_id=result.session_id, authenticated_at=result.started_at)
