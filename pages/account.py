"""Your account: plain-language suggestions, and changing your password (required after a
reset)."""

import streamlit as st

from components import hints
from components.auth import guard, session
from components.auth.sign_in import carry_on_after_password_change
from components.forms import show_problem
from components.i18n import _, language_choice, said
from components.ui import plain, stop_with
from db import auth
from db.store.models import Role

# Workers only: a family member's own space is the one page they have.
actor = guard(Role.practitioner, Role.manager, Role.admin, allow_password_change=True)

st.title(_("Your account"))
st.write(
    plain(_("You're logged in as {name} ({username}).", name=actor.name, username=actor.username))
)
if st.session_state.get("must_change_password"):
    st.warning(_("Your password was reset. Please choose a new one to carry on."))
else:
    hints.setting(actor)
    language = language_choice(
        _("The language of your screens (a family's screens speak the family's)"),
        current_value=actor.language,
        key="account_language",
    )
    if language != actor.language:
        with show_problem():
            auth.set_my_language(actor, language)
            st.rerun()
if st.session_state.get("signed_in_with") == "oidc":
    # Who they are is proved by the organisation's sign-in service: no password here.
    stop_with(
        st.caption,
        _("You signed in with single sign-on: your organisation looks after your password."),
    )
with st.form("account_password", clear_on_submit=True):
    current = st.text_input(_("Current password"), type="password", autocomplete="current-password")
    new = st.text_input(
        _("New password (at least 12 characters)"), type="password", autocomplete="new-password"
    )
    again = st.text_input(_("New password again"), type="password", autocomplete="new-password")
    submitted = st.form_submit_button(_("Change password"))
if submitted:
    problem = (
        _("The two new passwords don't match.")
        if new != again
        else auth.change_password(actor, current, new, source=session.source())
    )
    if problem:
        st.error(said(problem))
    else:
        # Other devices are signed out; this one carries on with a fresh session and cookie.
        was_forced = st.session_state.get("must_change_password")
        carry_on_after_password_change(actor)
        st.success(_("Your password has been changed. Other devices have been signed out."))
        if was_forced:
            st.rerun()  # the rest of Golden Thread opens up
