"""The login form. Our own (not the library's) so failed attempts can pause a username for a
place, and unknown usernames cost the same as wrong passwords (db.auth.check_login)."""

from __future__ import annotations

import streamlit as st

from components.auth import session, single_sign_on
from components.i18n import _
from db import auth


def show() -> None:
    from components.ui import demo_marker

    st.title(_("Golden Thread"))
    demo_marker()
    reason = st.session_state.get("signed_out_because", "")
    if reason:
        st.info(reason)
    if single_sign_on.offered():
        single_sign_on.show()
        if not single_sign_on.passwords_offered():
            return
    with st.form("login_form"):
        st.header(_("Log in"))
        username = st.text_input(_("Username"), autocomplete="username")
        password = st.text_input(_("Password"), type="password", autocomplete="current-password")
        submitted = st.form_submit_button(_("Log in"), type="primary")
    if not submitted:
        return
    result = auth.check_login(username, password, source=session.source())
    if result.actor is None or result.started_at is None:
        st.error(result.message)
        return
    session.start(result.actor, session_id=result.session_id, authenticated_at=result.started_at)
    st.rerun()  # the cookie is written by sign_in on the runs that follow
