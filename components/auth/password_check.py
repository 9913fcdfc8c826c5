"""Asking the logged-in worker for their password again before a shared screen hands back
the worker's view (a family in the room must not reach the staff record in two clicks).
Counted and paused like a login, and audited, by db.auth.confirm_password."""

from __future__ import annotations

import streamlit as st

from components.auth import session
from components.i18n import _
from db import auth
from db.rules.access import Actor


def password_confirmed(actor: Actor, *, key: str, action: str, reason: str) -> bool:
    """Draws a one-field form; True in the run where the worker's password matched.

    A worker signed in through single sign-on has no password here: the button ends this
    browser's session instead (and the provider's word with it), so only the worker, signing
    in again, gets their view back."""
    if st.session_state.get("signed_in_with") == "oidc":
        st.caption(
            _("You signed in with single sign-on: this signs you out, and you sign in again.")
        )
        if st.button(action, key=key):
            session.end(auth.SIGN_IN_AGAIN)
            st.rerun()
        return False
    with st.form(f"{key}_form", clear_on_submit=True):
        password = st.text_input(
            _("Your password"),
            type="password",
            autocomplete="current-password",
            key=f"{key}_password",
        )
        submitted = st.form_submit_button(action, key=key)
    if not submitted:
        return False
    problem = auth.confirm_password(actor, password, reason=reason, source=session.source())
    if problem:
        st.error(problem)
        return False
    return True
