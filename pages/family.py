"""A family's page: who they are, who works with them, and their story so far."""
import streamlit as st

from components import family_view
from components.auth import guard
from components.pages import CASEWORK
from components.ui import query_family_id
from db import queries
from db.access import NotAllowed

actor = guard(*CASEWORK)

family_id = query_family_id()
if family_id is None:
    family_id = family_view.choose_family(actor)
    if family_id is None:
        st.stop()

try:
    summary = queries.family_summary(actor, family_id)
    family_view.record_view_once(actor, family_id)
    people = queries.family_people(actor, family_id)
    workers = queries.family_workers(actor, family_id)
    meetings = queries.family_meetings(actor, family_id)
except NotAllowed:
    st.warning("This family isn't available to you.")
    st.stop()

family_view.header(summary, workers)
people_tab, workers_tab, timeline_tab = st.tabs(["People", "Who works with them", "Timeline"])
with people_tab:
    family_view.people(people)
with workers_tab:
    family_view.workers(workers)
with timeline_tab:
    family_view.meetings(meetings, summary.time_zone)
