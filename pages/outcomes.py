"""What changed for families, for managers of the teams they lead: goals set, goals that moved
by a real change by whose score, distance travelled, goals achieved, families who scored at
home, quarter by quarter, with the families behind every figure and an audited board report.
Outcomes belong to families: nothing is ranked, and there are no figures per worker."""

import streamlit as st

from components import outcomes_views as views
from components.auth import guard
from components.i18n import _, said
from db import continuity, outcomes
from db.rules.access import NotAllowed
from db.rules.validation import Invalid
from db.store.clock import today_in
from db.store.models import Role

actor = guard(Role.manager)

st.title(_("What changed for families"))
teams = continuity.led_teams(actor)
if teams.empty:
    st.info(_("You don't lead a team yet, so there are no figures to show. Please ask your admin."))
    st.stop()
team_ids = views.choose_teams(teams)
if not team_ids:
    st.info(_("Choose at least one team to see its figures."))
    st.stop()
zones = dict(zip(teams["team_id"], teams["time_zone"]))
today = today_in(zones[team_ids[0]])
start, end = views.choose_period(today)
try:
    report = outcomes.outcomes_report(actor, team_ids, start_on=start, end_on=end)
except NotAllowed:
    st.warning(_("These teams aren't available to you."))
    st.stop()
except Invalid as problem:
    st.warning(said(problem))
    st.stop()

views.intro(report)
views.summary(report)
views.by_whose(report)
views.by_quarter(report)
views.families_behind(report)
views.downloads(actor, report, today=today)
