"""Workers and teams, requests about a family's records, and the retention review. Admins
only, and no case content: families appear by number, council reference and team."""

import streamlit as st

from components import admin_views, records_requests
from components.auth import guard
from components.i18n import _
from db import admin, subject_access
from db.store.models import Role

actor = guard(Role.admin)

workers, teams = admin.workers_and_teams(actor)
team_names = dict(zip(teams["team_id"], teams["team"]))
requests = subject_access.requests_for_admins(actor)
past_retention = subject_access.retention_report(actor)

st.title(_("Workers and teams"))
admin_views.notices()
workers_tab, teams_tab, requests_tab, retention_tab = st.tabs(
    [_("Workers"), _("Teams"), _("A family's records"), _("Keeping records")]
)

with workers_tab:
    admin_views.workers_table(workers)
    admin_views.add_worker(actor, team_names)
    chosen = admin_views.choose_worker(workers)
    if chosen is not None:
        admin_views.edit_worker(actor, admin.worker_details(actor, chosen), team_names)
        admin_views.handover_table(admin.handover(actor, chosen))

with teams_tab:
    admin_views.teams_table(teams)
    admin_views.add_team(actor)
    if words_for := admin_views.choose_team_for_words(team_names):
        team_id, language = words_for
        admin_views.team_words(actor, team_id, language, admin.team_terms(actor, team_id))

with requests_tab:
    found = admin_views.find_family(actor)
    if found:
        admin_views.family_found(found)
        records_requests.ask_form(actor, found)
        admin_views.erase_form(actor, found)
    records_requests.admin_list(actor, requests)

with retention_tab:
    admin_views.retention_table(past_retention)
