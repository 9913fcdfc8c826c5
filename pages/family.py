"""A family's page: who they are, their goals and scores, who works with them, their story."""
import streamlit as st

from components import family_view, goals
from components.auth import guard
from components.pages import CASEWORK
from components.ui import query_family_id
from db import queries
from db.access import NotAllowed

actor = guard(*CASEWORK)

family_id = query_family_id() or family_view.choose_family(actor)
if family_id is None:
    st.stop()

try:
    summary = queries.family_summary(actor, family_id)
    family_view.record_view_once(actor, family_id)
    people = queries.family_people(actor, family_id)
    workers = queries.family_workers(actor, family_id)
    meetings = queries.family_meetings(actor, family_id)
    goal_data = queries.goal_data(actor, family_id)
except NotAllowed:
    st.warning("This family isn't available to you.")
    st.stop()

family_view.header(summary, workers)
goals_tab, people_tab, workers_tab, timeline_tab = st.tabs(
    ["Goals", "People", "Who works with them", "Timeline"])
with goals_tab:
    with st.expander("Record a round of scores", icon=":material/edit_note:"):
        goals.score_round_form(actor, family_id)
    goals.goal_cards(family_id, goal_data, staff=True)
    with st.expander("Add a goal", icon=":material/add:"):
        goals.add_goal_form(actor, family_id, people)
    for _, goal in goal_data.goals.iterrows():
        with st.expander(f"Change the goal: {goal['wording']}", icon=":material/edit:"):
            goals.edit_goal_form(actor, goal, people)
with people_tab:
    family_view.people(people)
with workers_tab:
    family_view.workers(workers)
with timeline_tab:
    family_view.meetings(meetings, summary.time_zone)
