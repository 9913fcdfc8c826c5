"""Caseload continuity, for managers of the teams they lead: relationships' length, worker
changes and why, waiting times, families who came back, meetings outside 9-5, and oversight
notes. For allocation and supervision: workers are listed alphabetically, never ranked."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from components import continuity_charts as charts
from components.auth import guard
from components.export import export_button
from components.ui import friendly_date, plain
from db import continuity
from db.continuity import DEFINITIONS
from db.rules.access import NotAllowed
from db.store.engine import database_url
from db.store.models import Role

actor = guard(Role.manager)


@st.cache_resource(show_spinner=False, max_entries=64)
def _report(database: str, team_id: int, data_version: int, today: date) -> continuity.TeamReport:
    """Keyed by database, team and Team.data_version (bumped by every write): permission is
    checked before this is called, on every run. Held as one shared, read-only object:
    cache_data's fresh copy cost ~30 ms a call on a large council."""
    return continuity.build_team_report(team_id, today=today)


@st.cache_data(show_spinner=False, max_entries=256)
def _worker_families(
    database: str, team_id: int, data_version: int, today: date, worker_id: int
) -> pd.DataFrame:
    report = _report(database, team_id, data_version, today)
    return continuity.worker_families(report.relationships, report.families, worker_id, today=today)


@st.cache_data(show_spinner=False, max_entries=64)
def _chart_specs(database: str, team_id: int, data_version: int, today: date) -> dict[str, dict]:
    """Chart specs are cached too: building four Altair charts costs far more than drawing them."""
    report = _report(database, team_id, data_version, today)
    caseload = report.workers[["worker", "families_now"]].rename(
        columns={"families_now": "families"}
    )
    return {
        "monthly": charts.monthly_continuity_chart(
            report.monthly[charts.MONTHLY_COLUMNS]
        ).to_dict(),
        "spread": charts.relationship_spread_chart(report.spread[charts.SPREAD_COLUMNS]).to_dict(),
        "caseload": charts.caseload_chart(caseload[charts.CASELOAD_COLUMNS]).to_dict(),
        "waiting": charts.waiting_chart(report.waiting_monthly[charts.WAITING_COLUMNS]).to_dict(),
    }


def _yes_no(value) -> str:
    return "" if value is None or pd.isna(value) else ("Yes" if value else "No")


def _percent(value) -> str:
    return "–" if value is None or pd.isna(value) else f"{value:.0%}"


def _days(value) -> str:
    return "–" if value is None or pd.isna(value) else f"{int(round(value))} days"


def _link(frame: pd.DataFrame) -> pd.Series:
    return "/family?family=" + frame["family_id"].astype(str)


LINK = st.column_config.LinkColumn("Open", display_text="Open", help="Open the family's page")


def _families_shown(frame: pd.DataFrame) -> pd.DataFrame:
    """The per-family figures in staff words (numbers stay numbers so the table sorts)."""
    return pd.DataFrame(
        {
            "Open": _link(frame),
            "Family": frame["family"],
            "Where things are": frame["status_words"],
            "Main worker now": frame["lead_worker"],
            "Main workers, last 12 months": frame["lead_workers_12m"],
            "Main workers, ever": frame["lead_workers_ever"],
            "Days with main worker": frame["relationship_days"],
            "Handovers": frame["handovers"],
            "Why the worker changed": frame["handover_reasons"],
            "Chose their worker": frame["chose_worker"].map(_yes_no),
            "Days to first meeting": frame["days_to_first_meeting"],
            "Came back within 12 months": frame["came_back"].map(_yes_no),
            "Meetings, last 12 months": frame["meetings_12m"],
            "Outside 9–5": frame["outside_12m"],
            "Share outside 9–5": frame["outside_share"].map(_percent),
            "Waiting since": frame["waiting_since"].map(friendly_date),
            "Practical help, last 12 months": frame["help_given_12m"],
        }
    )


FAMILY_HELP = {
    "Main workers, last 12 months": DEFINITIONS["lead_workers_12m"],
    "Main workers, ever": DEFINITIONS["lead_workers_ever"],
    "Days with main worker": DEFINITIONS["relationship_days"],
    "Handovers": DEFINITIONS["handovers"],
    "Chose their worker": DEFINITIONS["chose_worker"],
    "Days to first meeting": DEFINITIONS["days_to_first_meeting"],
    "Came back within 12 months": DEFINITIONS["came_back"],
    "Share outside 9–5": DEFINITIONS["outside_share"],
    "Practical help, last 12 months": DEFINITIONS["practical_help"],
}


def _family_table(frame: pd.DataFrame, key: str) -> None:
    shown = _families_shown(frame)
    config = {"Open": LINK} | {
        name: st.column_config.Column(name, help=text) for name, text in FAMILY_HELP.items()
    }
    st.dataframe(shown, hide_index=True, width="stretch", column_config=config, key=key)


# --- read ---------------------------------------------------------------------------------
teams = continuity.led_teams(actor)
st.title("Caseload continuity")
if teams.empty:
    st.info("You don't lead a team yet, so there are no figures to show. Please ask your admin.")
    st.stop()
names = dict(zip(teams["team_id"], teams["team"]))
zones = dict(zip(teams["team_id"], teams["time_zone"]))
team_id = st.selectbox("Team", list(names), format_func=names.__getitem__, key="continuity_team")
try:
    version = continuity.check_team(actor, team_id)
except NotAllowed:
    st.warning("This team isn't available to you.")
    st.stop()
today = continuity.team_today(zones[team_id])
report = _report(database_url(), team_id, version, today)
specs = _chart_specs(database_url(), team_id, version, today)
figures = report.figures
families = report.families

# --- show: the team -----------------------------------------------------------------------
st.caption(
    plain(
        f"{report.team_name}, as of {friendly_date(today)}. For allocation and "
        "supervision: workers are listed alphabetically, and nothing here is a ranking."
    )
)

st.header("The team")
TEAM_TILES = [
    (
        "median_relationship_days",
        "Time with main worker (median)",
        _days(figures.median_relationship_days),
    ),
    (
        "kept_one_worker",
        "Kept one main worker throughout",
        f"{_percent(figures.kept_one_worker_share)} "
        f"({figures.kept_one_worker} of {figures.with_lead})",
    ),
    (
        "chose_worker_share",
        "Chose their worker",
        f"{_percent(figures.chose_worker_share)} ({figures.chose_worker} of {figures.with_lead})",
    ),
    (
        "waiting",
        "Waiting to meet a worker",
        f"{figures.waiting} · median {_days(figures.median_wait_days)}"
        if figures.waiting
        else "None waiting",
    ),
    ("returns", "Came back after closing", f"{figures.returns}"),
    (
        "outside_9_5",
        "Meetings outside 9–5",
        f"{_percent(figures.outside_share)} ({figures.outside_12m} of {figures.meetings_12m})",
    ),
    (
        "practical_help",
        "Practical help given",
        f"{figures.help_given_12m} times · {figures.families_helped_12m} families",
    ),
]
LABELS = {key: label for key, label, _value in TEAM_TILES}
for row in (TEAM_TILES[:4], TEAM_TILES[4:]):
    for column, (key, label, value) in zip(st.columns(4), row):
        with column:
            st.metric(label, value)
            st.caption(DEFINITIONS[key])

st.subheader("The families behind a figure")
behind = st.selectbox(
    "Show the families behind",
    continuity.TEAM_FIGURES,
    format_func=LABELS.__getitem__,
    key="continuity_behind",
)
chosen = continuity.families_behind(families, behind, today=today)
st.caption(f"{LABELS[behind]}: {DEFINITIONS[behind]} {len(chosen)} families.")
if chosen.empty:
    st.info("No families are behind this figure right now.")
else:
    _family_table(chosen, key="continuity_behind_table")

team_table = pd.DataFrame(
    {
        "Figure": [label for _key, label, _value in TEAM_TILES],
        "Value": [value for _key, _label, value in TEAM_TILES],
        "What it means": [DEFINITIONS[key] for key, _label, _value in TEAM_TILES],
    }
)
export_button(
    actor,
    team_table,
    what="continuity_team",
    team_id=team_id,
    file_name="team-continuity.csv",
    key="continuity_export_team",
    label="Download the team's figures as CSV",
)

# --- show: over time ----------------------------------------------------------------------
st.header("Over time")
CHARTS = [
    ("monthly", "monthly_continuity", charts.describe_monthly(report.monthly), report.monthly),
    ("spread", "relationship_spread", charts.describe_spread(report.spread), report.spread),
    (
        "caseload",
        "caseload_per_worker",
        charts.describe_caseload(
            report.workers[["worker", "families_now"]].rename(columns={"families_now": "families"})
        ),
        report.workers[["worker", "families_now"]],
    ),
    (
        "waiting",
        "waiting_over_time",
        charts.describe_waiting(report.waiting_monthly),
        report.waiting_monthly,
    ),
]
# One chart at a time: drawing each costs ~17 ms a rerun, and a manager reads them one by one.
chart_names = {
    definition: LABELS.get(definition, definition.replace("_", " ").capitalize())
    for _name, definition, _sentence, _table in CHARTS
}
shown = (
    st.segmented_control(
        "Which chart",
        list(chart_names),
        format_func=chart_names.__getitem__,
        default=CHARTS[0][1],
        key="continuity_chart",
        label_visibility="collapsed",
    )
    or CHARTS[0][1]
)
name, definition, sentence, table = next(c for c in CHARTS if c[1] == shown)
st.vega_lite_chart(specs[name], width="stretch", alt=sentence, key=f"continuity_chart_{name}")
st.caption(DEFINITIONS[definition])
st.caption(sentence)
with st.expander("The figures as a table"):
    st.dataframe(table, hide_index=True, width="stretch")

# --- show: the workers --------------------------------------------------------------------
st.header("Workers")
st.caption(
    "For allocation and supervision, in alphabetical order — not a ranking. Sickness and "
    "team changes are not the worker's doing."
)
workers = report.workers
worker_table = pd.DataFrame(
    {
        "Worker": workers["worker"],
        "Families now": workers["families_now"],
        "As main worker": workers["as_main_worker"],
        "Families, last 12 months": workers["caseload_12m"],
        "Known more than 6 months": workers["known_over_6m"],
        "Handed to them": workers["handovers_in"],
        "Why (to them)": workers["reasons_in"],
        "Handed on by them": workers["handovers_out"],
        "Why (from them)": workers["reasons_out"],
        "Not their doing": workers["not_their_doing"],
    }
)
st.dataframe(
    worker_table,
    hide_index=True,
    width="stretch",
    key="continuity_workers",
    column_config={
        "Families now": st.column_config.Column(help=DEFINITIONS["families_now"]),
        "Families, last 12 months": st.column_config.Column(help=DEFINITIONS["caseload_12m"]),
        "Known more than 6 months": st.column_config.Column(help=DEFINITIONS["known_over_6m"]),
        "Handed to them": st.column_config.Column(help=DEFINITIONS["handovers_in"]),
        "Handed on by them": st.column_config.Column(help=DEFINITIONS["handovers_out"]),
        "Not their doing": st.column_config.Column(help=DEFINITIONS["not_their_doing"]),
    },
)
for key in (
    "families_now",
    "caseload_12m",
    "known_over_6m",
    "handovers_in",
    "handovers_out",
    "not_their_doing",
):
    st.caption(DEFINITIONS[key])
export_button(
    actor,
    worker_table,
    what="continuity_workers",
    team_id=team_id,
    file_name="workers-continuity.csv",
    key="continuity_export_workers",
    label="Download the workers' table as CSV",
)

if not workers.empty:
    worker_names = dict(zip(workers["worker_id"], workers["worker"]))
    worker_id = st.selectbox(
        "Show a worker's families",
        list(worker_names),
        format_func=worker_names.__getitem__,
        key="continuity_worker",
    )
    theirs = _worker_families(database_url(), team_id, version, today, worker_id)
    if theirs.empty:
        st.info(
            plain(
                f"{worker_names[worker_id]} hasn't worked with a family of this team in "
                "the last 12 months."
            )
        )
    else:
        st.dataframe(
            pd.DataFrame(
                {
                    "Open": _link(theirs),
                    "Family": theirs["family"],
                    "Role": theirs["role"],
                    "Working with them now": theirs["now"].map(_yes_no),
                    "Known since": theirs["known_since"].map(friendly_date),
                    "Known more than 6 months": theirs["known_over_6m"].map(_yes_no),
                }
            ),
            hide_index=True,
            width="stretch",
            column_config={"Open": LINK},
            key="continuity_worker_families",
        )
    moves = report.handovers
    moves = moves[(moves["from_worker_id"] == worker_id) | (moves["to_worker_id"] == worker_id)]
    if not moves.empty:
        family_names = dict(zip(families["family_id"], families["family"]))
        st.dataframe(
            pd.DataFrame(
                {
                    "Open": _link(moves),
                    "Family": moves["family_id"].map(family_names),
                    "On": moves["on"].map(friendly_date),
                    "From": moves["from_worker"],
                    "To": moves["to_worker"],
                    "Why": moves["reason_words"],
                }
            ),
            hide_index=True,
            width="stretch",
            column_config={"Open": LINK},
            key="continuity_worker_handovers",
        )

# --- show: the families -------------------------------------------------------------------
st.header("Families")
st.caption(
    "Families we worked with at some time in the last 12 months, alphabetical. Hover a "
    "column heading for what it means."
)
for key in (
    "lead_workers_12m",
    "relationship_days",
    "handovers",
    "days_to_first_meeting",
    "came_back",
    "outside_share",
):
    st.caption(DEFINITIONS[key])
_family_table(families, key="continuity_families")
export_button(
    actor,
    _families_shown(families).drop(columns="Open"),
    what="continuity_families",
    team_id=team_id,
    file_name="families-continuity.csv",
    key="continuity_export_families",
    label="Download the families' table as CSV",
)

# --- act: a manager's oversight note ------------------------------------------------------
st.header("Add an oversight note")
st.caption(
    "A dated decision or oversight note on a family's record. Staff only: families never "
    "see these notes."
)
if families.empty:
    st.info("There are no families to write about yet.")
else:
    family_names = dict(zip(families["family_id"], families["family"]))

    def _save_note() -> None:
        """Runs before the rerun, so the form can be emptied only when the note is stored."""
        from db.rules.validation import Invalid

        state = st.session_state
        chosen_family = state.get("continuity_note_family")
        if chosen_family is None:
            state["continuity_note_result"] = ("error", "Choose the family the note is about.")
            return
        try:
            continuity.add_oversight_note(
                actor,
                family_id=chosen_family,
                words=state.get("continuity_note_words", ""),
                written_on=state.get("continuity_note_on"),
                next_steps=state.get("continuity_note_next", ""),
                today=today,
            )
        except Invalid as problem:
            state["continuity_note_result"] = ("error", str(problem))
        except NotAllowed:
            state["continuity_note_result"] = ("error", "This family isn't available to you.")
        else:
            state["continuity_note_result"] = (
                "success",
                f"Saved to {family_names.get(chosen_family, 'the family')}'s record.",
            )
            state["continuity_note_words"] = ""
            state["continuity_note_next"] = ""

    with st.form("continuity_note"):
        st.selectbox(
            "Family",
            list(family_names),
            format_func=family_names.__getitem__,
            index=None,
            placeholder="Choose a family",
            key="continuity_note_family",
        )
        st.date_input(
            "Date of the decision",
            value=today,
            max_value=today,
            format="DD/MM/YYYY",
            key="continuity_note_on",
        )
        st.text_area("Decision or note", max_chars=continuity.NOTE_MAX, key="continuity_note_words")
        st.text_area("Next steps (optional)", max_chars=1000, key="continuity_note_next")
        st.form_submit_button("Save the note", type="primary", on_click=_save_note)
    result = st.session_state.pop("continuity_note_result", None)
    if result is not None:
        kind, message = result
        (st.success if kind == "success" else st.error)(plain(message))
