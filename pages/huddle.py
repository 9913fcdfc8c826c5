"""The weekly huddle: the team's families by reason, so nothing is missed and good news is
celebrated. A wall view shows the same board in large type for a shared screen."""

import streamlit as st

from components import family_space_view, huddle_view
from components.auth import guard
from components.i18n import _
from components.pages import CASEWORK
from components.ui import plain, stop_with
from db import families as family_store
from db import huddle
from db.huddle import monday_of
from db.store.clock import today_in

actor = guard(*CASEWORK)

teams = family_store.teams_for(actor)
if teams.empty:
    stop_with(st.info, _("You aren't part of a team yet, so there is no huddle to show."))
wall = st.session_state.get("huddle_wall", False)
team_names = dict(zip(teams["team_id"], teams["team"]))
zones = dict(zip(teams["team_id"], teams["time_zone"]))
if not wall:
    st.title(_("Weekly huddle"))
    columns = st.columns(2)
    columns[0].selectbox(
        _("Team"), list(team_names), format_func=team_names.__getitem__, key="huddle_team"
    )
team_id = st.session_state.get("huddle_team") or next(iter(team_names))
today = today_in(zones[team_id])  # the chosen team's day, wherever the server is
if not wall:
    columns[1].date_input(
        _("Week of"), value=today, max_value=today, format="DD/MM/YYYY", key="huddle_week"
    )
week = monday_of(st.session_state.get("huddle_week") or today)
board = huddle.board(actor, team_id, week_start=week, today=today)
talked = huddle.talked_about_ids(actor, board.huddle_id)
# A new team (no open families yet) is told so, not shown six empty sections to huddle over.
no_families = _(
    "Your team has no families yet. Once a family is added, the huddle lists them here."
)

if wall:
    # A shared screen: no idle logout while it's shown, no sidebar, nothing but the board.
    st.session_state["idle_exempt"] = True
    st.html(huddle_view.WALL_STYLE)
    if st.button(_("Back to the huddle"), icon=":material/arrow_back:", key="huddle_wall_back"):
        st.session_state["huddle_wall"] = False
        st.rerun()
    st.title(plain(_("{team_name}: this week", team_name=board.team_name)))
    if not board.open_families:
        stop_with(st.info, no_families)
    huddle_view.sections(board, talked=talked, wall=True)
    family_space_view.heard_from_families(
        actor, team_id, *huddle_view.heard_window(board, zones[team_id])
    )
else:
    if not board.open_families:
        stop_with(st.info, no_families)
    if st.button(_("Show on the wall screen"), icon=":material/tv:", key="huddle_wall_open"):
        st.session_state["huddle_wall"] = True
        st.rerun()
    huddle_view.sections(board, talked=talked)
    family_space_view.heard_from_families(
        actor, team_id, *huddle_view.heard_window(board, zones[team_id])
    )
    huddle_view.talked_form(actor, board, family_store.team_members(actor, team_id), today)
