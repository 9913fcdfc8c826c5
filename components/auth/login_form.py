"""The login form. Our own (not the library's) so failed attempts can pause a username for a
place, and unknown usernames cost the same as wrong passwords (db.auth.check_login)."""

from __future__ import annotations

import streamlit as st

from components.auth import session
from db import auth


def show() -> None:
    from components.ui import demo_marker

    if "invite" in st.query_params:  # a family member taking up their invitation
        from components.family_space_view import accept_invitation

        accept_invitation(st.query_params["invite"])
        return
    st.title("Golden Thread")
    demo_marker()
    reason = st.session_state.get("signed_out_because", "")
    if reason:
        st.info(reason)
    with st.form("login_form"):
        st.header("Log in")
        username = st.text_input("Username", autocomplete="username")
        password = st.text_input("Password", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Log in", type="primary")
    if not submitted:
        return
    result = auth.check_login(username, password, source=session.source())
    if result.actor is None or result.started_at is None:
        st.error(result.message)
        return
    session.start(result.actor, session_id=result.session_id, authenticated_at=result.started_at)
    st.rerun()  # the cookie is written by sign_in on the runs that follow
