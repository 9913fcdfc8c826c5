"""The huddle board: fixed sections by reason, each family once per reason, sparklines of
their goals. The same board serves the team's screen and the wall view."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from components.family_list import family_rows
from components.forms import form_prefix, redraw_after_save, save_button
from components.i18n import _, said_column
from components.ui import friendly_date, table
from db import huddle
from db.huddle import SECTIONS, SPARK_LINES, HuddleBoard
from db.rules.access import Actor


def sections(board: HuddleBoard, *, talked: set[int], wall: bool = False) -> None:
    st.caption(
        _(
            "Since the last huddle on {since} · the week of {week}. "
            "Families are listed by reason, A to Z: never a ranking.",
            since=friendly_date(board.since),
            week=friendly_date(board.week_start),
        )
    )
    _follow_up(board, wall)
    for key, title in SECTIONS:
        rows = board.rows[board.rows["section"] == key]
        if key == "worker_gone" and rows.empty:
            continue  # only when a worker has left or moved team: not a weekly heading
        st.header(_("{section} ({count})", section=_(title), count=len(rows)))
        if rows.empty:
            st.caption(
                _("Nobody here this week.")
                if key != "good_news"
                else _("No new good news yet: there will be.")
            )
            continue
        _table(rows, talked, wall, key=f"huddle_{key}")


def heard_window(board: HuddleBoard, zone: str) -> tuple[datetime, datetime]:
    """From the last huddle to the end of the board's week, in the team's time."""
    tz = ZoneInfo(zone)
    since = datetime.combine(board.since, time(0), tz).astimezone(timezone.utc)
    until = datetime.combine(board.week_start + timedelta(days=7), time(0), tz)
    return since, until.astimezone(timezone.utc)


def _follow_up(board: HuddleBoard, wall: bool) -> None:
    """The actions agreed at the last huddle come back first, so none is forgotten."""
    actions = board.follow_up
    st.header(_("Actions from the last huddle ({count})", count=len(actions)))
    if actions.empty:
        st.caption(_("No actions were agreed at the last huddle."))
        return
    shown = pd.DataFrame(
        {
            _("Family"): actions["family"].values,
            _("Action"): actions["action"].values,
            _("Who"): actions["who"].values,
            _("By when"): actions["by_when"].map(friendly_date).values,
            _("Past its date"): [_("Yes") if late else "" for late in actions["past_its_date"]],
        }
    )
    if wall:
        table(shown, row_height=48)
    else:
        family_rows(shown, actions["family_id"], key="huddle_follow_up")


def _table(rows: pd.DataFrame, talked: set[int], wall: bool, key: str) -> None:
    shown = pd.DataFrame(
        {
            _("Family"): rows["family"].values,
            _("Worker"): said_column(rows["workers"]).values,
            _("Why"): said_column(rows["why"]).values,
        }
    )
    # One line per family member per goal, so whose each line is is said beside them.
    shown[_("Whose scores")] = said_column(rows["spark_who"]).values
    config = {}
    for n in range(SPARK_LINES):
        column = _("Scores {number}", number=n + 1)
        shown[column] = [lines[n] if len(lines) > n else None for lines in rows["sparklines"]]
        config[column] = st.column_config.LineChartColumn(
            column,
            y_min=0,
            y_max=10,
            width="small",
            help=_(
                "Recent scores from 0 to 10: one small chart for each person named under "
                "“Whose scores”, in that order."
            ),
        )
    if wall:
        table(shown, config, row_height=48)
        return
    talked_about = _("Talked about")
    shown[talked_about] = [fid in talked for fid in rows["family_id"]]
    config[talked_about] = st.column_config.CheckboxColumn(talked_about, width="small")
    family_rows(shown, rows["family_id"], key=key, column_config=config)


def talked_form(actor: Actor, board: HuddleBoard, team_workers: pd.DataFrame, today: date) -> None:
    """What the huddle talked about and the actions agreed; `today` is the team's today."""
    if board.huddle_id is None and board.week_start < huddle.monday_of(today):
        st.info(_("No huddle was recorded that week."))
        return
    if board.huddle_id is None:
        st.info(_("Start the huddle to mark families as talked about and agree actions."))
        if st.button(_("Start this week's huddle"), type="primary", key="huddle_start"):
            huddle.hold(actor, board.team_id)
            st.rerun()
        return
    families = board.rows.drop_duplicates("family_id")
    names = dict(zip(families["family_id"], families["family"]))
    if not names:  # only families the board lists can be marked (the others need no word)
        st.caption(_("Nobody is listed this week, so there is no family to mark as talked about."))
        return
    workers = {None: _("No action"), **dict(zip(team_workers["worker_id"], team_workers["name"]))}
    # Empty again after a save; a refused save keeps what was typed, the message next to Save.
    form = "huddle_talked"
    prefix = form_prefix(form)
    with st.form(form):
        st.markdown(_("**We talked about…**"))
        family_id = st.selectbox(
            _("Family"), list(names), format_func=names.__getitem__, key=f"{prefix}_family"
        )
        note = st.text_area(_("Huddle note (staff only)"), key=f"{prefix}_note")
        columns = st.columns([3, 2, 2])
        action = columns[0].text_input(_("Action agreed"), key=f"{prefix}_action")
        who = columns[1].selectbox(
            _("Who"), list(workers), format_func=workers.__getitem__, key=f"{prefix}_who"
        )
        by = columns[2].date_input(
            _("By when"), value=None, min_value=today, format="DD/MM/YYYY", key=f"{prefix}_by"
        )
        save = save_button(_("Save"), type="primary")
    if save.clicked:
        with redraw_after_save(save.problem_place, form=form, notice=_("Saved.")):
            huddle.talked_about(
                actor,
                huddle_id=board.huddle_id,
                family_id=family_id,
                note=note,
                action=action,
                action_worker_id=who,
                action_by=by,
            )


WALL_STYLE = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header { display: none; }
.stApp { font-size: 1.35rem; }
.stApp h1 { font-size: 3rem; } .stApp h3 { font-size: 2rem; }
</style>
"""
