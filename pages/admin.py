"""Workers and teams, for admins."""
import streamlit as st

from components.auth import guard
from db import queries
from db.models import Role

actor = guard(Role.admin)

st.title("Workers and teams")
workers, teams = queries.workers_and_teams(actor)
st.subheader("Workers")
st.dataframe(workers.drop(columns="worker_id"), hide_index=True, width="stretch", column_config={
    "name": "Name", "username": "Username", "roles": "Roles", "teams": "Teams",
    "active": st.column_config.CheckboxColumn("Active")})
st.subheader("Teams")
st.dataframe(teams.drop(columns="team_id"), hide_index=True, width="stretch", column_config={
    "team": "Team", "community": "Community", "time_zone": "Time zone",
    "open_families": "Families we work with"})
