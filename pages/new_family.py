"""A new family asks for help: who they are and who is in the family, checked against the
families the worker's teams already know, then the new family's page."""

import streamlit as st

from components.auth import guard
from components.i18n import _
from components.intake_views import new_family_form
from components.pages import CASEWORK
from components.ui import stop_with
from db import families as family_store

actor = guard(*CASEWORK)

st.title(_("A new family asks for help"))
teams = family_store.teams_for(actor)
if teams.empty:
    stop_with(
        st.info,
        _("You aren't in a team yet, so there is no team to add a family to. Ask your admin."),
    )
st.caption(
    _(
        "They will be waiting to meet a worker until they have met the team and chosen one: "
        "record that on the family's page, under Working together."
    )
)
new_family_form(actor, teams)
