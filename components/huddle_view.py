"""The huddle board: fixed sections by reason, each family once per reason, sparklines of
their goals. The same board serves the team's screen and the wall view."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from components.forms import show_problem
from components.ui import friendly_date
from db import huddle
from db.huddle import SECTIONS, HuddleBoard
from db.rules.access import Actor

SPARK_COLUMNS = 3


def sections(board: HuddleBoard, *, talked: set[int], wall: bool = False) -> None:
    st.caption(
        f"Since the last huddle on {friendly_date(board.since)} · the week of "
        f"{friendly_date(board.week_start)}. Families are listed by reason, A to Z: "
        f"never a ranking."
    )
    for key, title in SECTIONS:
        rows = board.rows[board.rows["section"] == key]
        st.header(f"{title} ({len(rows)})")
        if rows.empty:
            st.caption(
                "Nobody here this week."
                if key != "good_news"
                else "No new good news yet: there will be."
            )
            continue
        _table(rows, talked, wall)


def _table(rows: pd.DataFrame, talked: set[int], wall: bool) -> None:
    shown = pd.DataFrame(
        {
            "Family": rows["family"].values,
            "Worker": rows["workers"].values,
            "Why": rows["why"].values,
        }
    )
    config = {}
    for n in range(SPARK_COLUMNS):
        column = f"Goal {n + 1}"
        shown[column] = [lines[n] if len(lines) > n else None for lines in rows["sparklines"]]
        config[column] = st.column_config.LineChartColumn(column, y_min=0, y_max=10, width="small")
    if not wall:
        shown.insert(0, "Open", ("/family?family=" + rows["family_id"].astype(str)).values)
        config["Open"] = st.column_config.LinkColumn("Open", display_text="Open", width="small")
        shown["Talked about"] = [fid in talked for fid in rows["family_id"]]
        config["Talked about"] = st.column_config.CheckboxColumn("Talked about", width="small")
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        column_config=config,
        row_height=48 if wall else None,
    )


def talked_form(actor: Actor, board: HuddleBoard, team_workers: pd.DataFrame) -> None:
    if board.huddle_id is None:
        st.info("Start the huddle to mark families as talked about and agree actions.")
        if st.button("Start this week's huddle", type="primary", key="huddle_start"):
            huddle.hold(actor, board.team_id)
            st.rerun()
        return
    families = board.rows.drop_duplicates("family_id")
    names = dict(zip(families["family_id"], families["family"]))
    workers = {None: "No action", **dict(zip(team_workers["worker_id"], team_workers["name"]))}
    with st.form("huddle_talked", clear_on_submit=True):
        st.markdown("**We talked about…**")
        family_id = st.selectbox(
            "Family", list(names), format_func=names.__getitem__, key="huddle_family"
        )
        note = st.text_area("Huddle note (staff only)", max_chars=2000, key="huddle_note")
        columns = st.columns([3, 2, 2])
        action = columns[0].text_input("Action agreed", key="huddle_action")
        who = columns[1].selectbox(
            "Who", list(workers), format_func=workers.__getitem__, key="huddle_who"
        )
        by = columns[2].date_input(
            "By when", value=None, min_value=date.today(), format="DD/MM/YYYY", key="huddle_by"
        )
        submitted = st.form_submit_button("Save", type="primary")
    if submitted:
        with show_problem():
            huddle.talked_about(
                actor,
                huddle_id=board.huddle_id,
                family_id=family_id,
                note=note,
                action=action,
                action_worker_id=who,
                action_by=by,
            )
            st.toast("Saved.")
            st.rerun()


WALL_STYLE = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header { display: none; }
.stApp { font-size: 1.35rem; }
.stApp h1 { font-size: 3rem; } .stApp h3 { font-size: 2rem; }
</style>
"""
