"""Continuity, for managers of the teams they lead: relationships' length, worker
changes and why, waiting times, families who came back, meetings outside 9-5, and oversight
notes. For allocation and supervision: workers are listed alphabetically, never ranked."""

import streamlit as st

from components import continuity_views as views
from components import family_space_view
from components.auth import guard
from components.i18n import _
from components.led_teams import led_teams_or_stop
from components.ui import stop_with
from db import continuity
from db.rules.access import NotAllowed
from db.store.models import Role

actor = guard(Role.manager)

st.title(_("Continuity"))
teams = led_teams_or_stop(actor)
team_id, today = views.choose_team(teams)
try:
    report = continuity.cached_team_report(actor, team_id, today=today)
except NotAllowed:
    stop_with(st.warning, _("This team isn't available to you."))

views.intro(report)
views.team_figures(actor, report)
family_space_view.space_use(actor, team_id)
views.over_time(report)
views.workers(actor, report)
views.families(actor, report)
views.oversight_note_form(actor, report)
