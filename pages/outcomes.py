"""What changed for families, for managers of the teams they lead: goals set, goals that moved
by a real change by whose score, distance travelled, goals achieved, families who scored at
home, quarter by quarter, with the families behind every figure and an audited board report.
Outcomes belong to families: nothing is ranked, and there are no figures per worker."""

import streamlit as st

from components import outcomes_views as views
from components.auth import guard
from components.i18n import _, said
from components.led_teams import led_teams_or_stop, today_for
from components.ui import stop_with
from db import outcomes
from db.rules.access import NotAllowed
from db.rules.validation import Invalid
from db.store.models import Role

actor = guard(Role.manager)

st.title(_("What changed for families"))
teams = led_teams_or_stop(actor)
team_ids = views.choose_teams(teams)
if not team_ids:
    stop_with(st.info, _("Choose at least one team to see its figures."))
today = today_for(teams, team_ids[0])
start, end = views.choose_period(today)
try:
    report = outcomes.outcomes_report(actor, team_ids, start_on=start, end_on=end)
except NotAllowed:
    stop_with(st.warning, _("These teams aren't available to you."))
except Invalid as problem:
    stop_with(st.warning, said(problem))

views.intro(report)
views.summary(report)
views.by_whose(report)
views.by_quarter(report)
views.families_behind(report)
views.downloads(actor, report, today=today)
