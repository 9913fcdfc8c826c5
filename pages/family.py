"""A family's page: who they are, their goals and scores, meetings, plan, conversations,
the people around them, who works with them, and their story so far."""

import streamlit as st

from components import family_space_view, family_view, goals, hints, meeting_views, world_views
from components.audit_view import who_looked
from components.auth import guard
from components.i18n import N_, _
from components.pages import CASEWORK
from components.ui import one_at_a_time, query_family_id, stop_with
from db import families as family_store
from db import goals as goal_store
from db import meetings
from db.rules.access import NotAllowed
from db.store.clock import today_in
from db.store.models import FamilyStatus

SECTIONS = [
    N_("Goals"),
    N_("Meetings"),
    N_("Plan"),
    N_("What's going well"),
    N_("People"),
    N_("Working together"),
    N_("Timeline"),
]

actor = guard(*CASEWORK)

family_id = query_family_id()
if family_id is None:
    family_view.choose_family(actor)
    st.stop()

try:
    summary = family_store.family_summary(actor, family_id)
    family_view.record_view_once(actor, family_id)
    people = family_store.family_people(actor, family_id)
    workers = family_store.family_workers(actor, family_id)
    goal_data = goal_store.goal_data(actor, family_id)
except NotAllowed:
    stop_with(st.warning, _("This family isn't available to you."))

if summary.erased:
    stop_with(
        st.info,
        _("This record was erased at the family's request: only an anonymised shell remains."),
    )
# Dates the forms offer are the family's team's, wherever the server is.
today = today_in(summary.time_zone)
family_view.header(summary, workers)
family_space_view.messages(actor, family_id, summary.time_zone)
family_view.conference_link(family_id)
hints.show_pending()
# A family waiting to meet a worker opens where they choose one.
first = "Working together" if summary.status == FamilyStatus.waiting else SECTIONS[0]
section = one_at_a_time(_("Show"), SECTIONS, words=_, key="family_section", first=first)
# Only the chosen section runs: the page stays quick however much a family has recorded.
if section == "Goals":
    goals.staff_goals(actor, family_id, goal_data, people, today)
elif section == "Meetings":
    with st.expander(_("Record a meeting"), icon=":material/event:"):
        meeting_views.record_meeting(actor, summary, people)
    meeting_views.meeting_list(
        actor, family_store.family_meetings(actor, family_id), summary.time_zone
    )
elif section == "Plan":
    plan = meetings.plan(actor, family_id)
    meeting_views.plan_view(plan)
    meeting_views.plan_forms(actor, family_id, plan)
elif section == "What's going well":
    meeting_views.conversation_board(
        actor, family_id, meetings.conversations(actor, family_id), people
    )
    with st.expander(_("Record a conversation"), icon=":material/forum:"):
        meeting_views.conversation_form(actor, family_id, people, today)
elif section == "People":
    family_view.people(people)
    with st.expander(_("Add someone"), icon=":material/person_add:"):
        world_views.add_person_form(actor, family_id)
    if not people.empty:
        with st.expander(_("Correct someone's details"), icon=":material/edit:"):
            world_views.edit_person_form(actor, family_id, people)
elif section == "Working together":
    family_view.workers(workers)
    world_views.working_together(actor, summary, workers)
    family_space_view.logins_and_invitations(actor, family_id, people)
    st.header(_("What the family agreed to"))
    world_views.agreements(actor, family_id)
    st.header(_("Keeping safe"))
    world_views.keeping_safe(actor, family_id)
    world_views.help_and_worries(actor, family_id, today)
    who_looked(actor, family_id, summary.time_zone)
else:
    world_views.story(actor, family_id)
