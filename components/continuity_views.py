"""The pieces of the continuity page: the team's tiles and the families behind them, the charts
over time, the workers' and families' tables, and a manager's oversight note.

Caching follows the Family page: the report is cached in db (keyed by Team.data_version) and
the chart specs here (keyed the same way), so every write shows at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st

from components import continuity_charts as charts
from components.export import export_button
from components.family_list import family_rows
from components.i18n import N_, _, current, ngettext, said
from components.led_teams import team_names, today_for
from components.spec_cache import spec_cache
from components.ui import friendly_date, one_at_a_time, plain, table
from db import continuity
from db.continuity import DEFINITIONS, TeamReport
from db.family_world import add_note
from db.i18n import month_and_year
from db.rules.access import Actor, NotAllowed
from db.store.engine import database_url
from db.store.models import NoteKind


def choose_team(teams: pd.DataFrame) -> tuple[int, date]:
    """The team to show (a manager may lead several), and today in that team's time zone."""
    names = team_names(teams)
    team_id = st.selectbox(
        _("Team"), list(names), format_func=names.__getitem__, key="continuity_team"
    )
    team_id = team_id if team_id is not None else next(iter(names))
    return team_id, today_for(teams, team_id)


def _download(
    actor: Actor, report: TeamReport, table_name: str, frame: pd.DataFrame, label: str
) -> None:
    """The page's table `table_name` as a CSV, audited as continuity_<table_name>."""
    export_button(
        actor,
        frame,
        what=f"continuity_{table_name}",
        team_id=report.team_id,
        file_name=f"{table_name}-continuity.csv",
        key=f"continuity_export_{table_name}",
        label=label,
    )


def intro(report: TeamReport) -> None:
    st.caption(
        plain(
            _(
                "{team}, as of {day}. For allocation and supervision: workers "
                "are listed alphabetically, and nothing here is a ranking.",
                team=report.team_name,
                day=friendly_date(report.today),
            )
        )
    )


# --- cells in plain words ----------------------------------------------------------------


def _missing(value) -> bool:
    return value is None or bool(pd.isna(value))


def _yes_no(value) -> str:
    return "" if _missing(value) else (_("Yes") if value else _("No"))


def _percent(value) -> str:
    return "–" if _missing(value) else f"{value:.0%}"


def _days(value) -> str:
    return "–" if _missing(value) else ngettext("{n} day", "{n} days", int(round(value)))


def _number_or(words: str):
    """A count that may be missing: the number, or a plain word instead of "None"."""
    return lambda value: words if _missing(value) else str(int(value))


def _text(series: pd.Series) -> pd.Series:
    """Names as they are, and the store's Words (a status, reasons) in the reader's language."""
    return series.map(lambda value: "" if _missing(value) else said(value))


# --- the team's tiles ----------------------------------------------------------------------


@dataclass(frozen=True)
class Tile:
    key: str  # the figure's name in DEFINITIONS
    label: str  # at most 24 characters: a tile's label is cut off beyond that
    value: str  # short enough never to be cut off on a tile
    detail: str = ""  # the "of how many", under the tile


def team_tiles(figures: continuity.TeamFigures) -> list[Tile]:
    f = figures
    return [
        Tile(
            "median_relationship_days",
            _("Time with main worker"),
            _days(f.median_relationship_days),
            _("The middle (median) of families now"),
        ),
        Tile(
            "kept_one_worker",
            _("Kept one main worker"),
            _percent(f.kept_one_worker_share),
            _("{count} of {total} families", count=f.kept_one_worker, total=f.with_lead),
        ),
        Tile(
            "chose_worker_share",
            _("Chose their worker"),
            _percent(f.chose_worker_share),
            _("{count} of {total} families", count=f.chose_worker, total=f.with_lead),
        ),
        Tile(
            "waiting",
            _("Waiting to meet a worker"),
            str(f.waiting),
            _("Waited {days} so far (median)", days=_days(f.median_wait_days))
            if f.waiting
            else _("None waiting"),
        ),
        Tile("returns", _("Came back after closing"), str(f.returns)),
        Tile(
            "outside_9_5",
            _("Meetings outside 9–5"),
            _percent(f.outside_share),
            _("{count} of {total} meetings", count=f.outside_12m, total=f.meetings_12m),
        ),
        Tile(
            "practical_help",
            _("Practical help given"),
            ngettext("{n} time", "{n} times", f.help_given_12m),
            _("to {count} families", count=f.families_helped_12m),
        ),
    ]


def tiles(tiles: list[Tile]) -> None:
    for row in (tiles[:4], tiles[4:]):
        for column, tile in zip(st.columns(4), row):
            with column:
                # No help icon: it would take the room the label needs (the definition is
                # written underneath anyway).
                st.metric(tile.label, tile.value, border=True)
                if tile.detail:
                    st.caption(tile.detail)
                st.caption(said(DEFINITIONS[tile.key]))


def team_figures(actor: Actor, report: TeamReport) -> None:
    """The tiles, the families behind a chosen figure, and the figures as a CSV."""
    shown = team_tiles(report.figures)
    labels = {tile.key: tile.label for tile in shown}
    st.header(_("The team"))
    tiles(shown)
    st.subheader(_("The families behind a figure"))
    behind = (
        st.selectbox(
            _("Show the families behind"),
            list(continuity.TEAM_FIGURES),
            format_func=lambda key: labels[key],
            key="continuity_behind",
        )
        or continuity.TEAM_FIGURES[0]
    )
    chosen = continuity.families_behind(report.families, behind, today=report.today)
    st.caption(
        _(
            "{figure}: {definition} {count} families.",
            figure=labels[behind],
            definition=said(DEFINITIONS[behind]),
            count=len(chosen),
        )
    )
    if chosen.empty:
        st.info(_("No families are behind this figure right now."))
    else:
        family_table(chosen, key="continuity_behind_table")
    _download(
        actor,
        report,
        "team",
        pd.DataFrame(
            {
                "Figure": [tile.label for tile in shown],
                "Value": [
                    f"{tile.value} ({tile.detail})" if tile.detail else tile.value for tile in shown
                ],
                "What it means": [said(DEFINITIONS[tile.key]) for tile in shown],
            }
        ),
        N_("Download the team's figures as CSV"),
    )


# --- the families' table -------------------------------------------------------------------

FAMILY_HELP = {
    N_("Main workers, last 12 months"): DEFINITIONS["lead_workers_12m"],
    N_("Main workers, ever"): DEFINITIONS["lead_workers_ever"],
    N_("Days with main worker"): DEFINITIONS["relationship_days"],
    N_("Handovers"): DEFINITIONS["handovers"],
    N_("Chose their worker"): DEFINITIONS["chose_worker"],
    N_("Days to first meeting"): DEFINITIONS["days_to_first_meeting"],
    N_("Came back within 12 months"): DEFINITIONS["came_back"],
    N_("Share outside 9–5"): DEFINITIONS["outside_share"],
    N_("Practical help, last 12 months"): DEFINITIONS["practical_help"],
}


def families_shown(frame: pd.DataFrame) -> pd.DataFrame:
    """The per-family figures in staff words; a missing figure is a plain word or blank,
    never "None"."""
    return pd.DataFrame(
        {
            _("Family"): frame["family"],
            _("Where things are"): _text(frame["status_words"]),
            _("Main worker now"): _text(frame["lead_worker"]),
            _("Main workers, last 12 months"): frame["lead_workers_12m"],
            _("Main workers, ever"): frame["lead_workers_ever"],
            _("Days with main worker"): frame["relationship_days"].map(
                _number_or(_("No main worker yet"))
            ),
            _("Handovers"): frame["handovers"],
            _("Why the worker changed"): _text(frame["handover_reasons"]),
            _("Chose their worker"): frame["chose_worker"].map(_yes_no),
            _("Days to first meeting"): frame["days_to_first_meeting"].map(
                _number_or(_("Not met yet"))
            ),
            _("Came back within 12 months"): frame["came_back"].map(_yes_no),
            _("Meetings, last 12 months"): frame["meetings_12m"],
            _("Outside 9–5"): frame["outside_12m"],
            _("Share outside 9–5"): frame["outside_share"].map(_percent),
            _("Waiting since"): frame["waiting_since"].map(friendly_date),
            _("Practical help, last 12 months"): frame["help_given_12m"],
        }
    )


def family_table(frame: pd.DataFrame, key: str) -> None:
    config = {
        _(name): st.column_config.Column(_(name), help=said(text))
        for name, text in FAMILY_HELP.items()
    }
    family_rows(families_shown(frame), frame["family_id"], key=key, column_config=config)


def families(actor: Actor, report: TeamReport) -> None:
    st.header(_("Families"))
    st.caption(
        _(
            "Families we worked with at some time in the last 12 months, alphabetical. Hover a "
            "column heading for what it means."
        )
    )
    for key in (
        "lead_workers_12m",
        "relationship_days",
        "handovers",
        "days_to_first_meeting",
        "came_back",
        "outside_share",
    ):
        st.caption(said(DEFINITIONS[key]))
    family_table(report.families, key="continuity_families")
    _download(
        actor,
        report,
        "families",
        families_shown(report.families),
        N_("Download the families' table as CSV"),
    )


# --- over time -----------------------------------------------------------------------------

CHART_TITLES = {
    "monthly_continuity": N_("Kept the same main worker, month by month"),
    "relationship_spread": N_("Time with main worker"),
    "caseload_per_worker": N_("Families each worker has now"),
    "waiting_over_time": N_("Waiting to meet a worker, month by month"),
}


def _caseload(report: TeamReport) -> pd.DataFrame:
    """Each worker's families now: by id, as the chart draws them (two may share a name)."""
    return report.workers[["worker_id", "worker", "families_now"]].rename(
        columns={"families_now": "families"}
    )


def _chart_tables(report: TeamReport) -> dict[str, pd.DataFrame]:
    """Each chart's figures as a table in the reader's words: headings as the charts name
    them, months by name, and the lengths of time (Words in the catalogue) said."""

    def months(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.assign(month=frame["month"].map(lambda m: month_and_year(m.to_pydatetime())))

    return {
        "monthly_continuity": months(report.monthly).rename(
            columns={
                "month": _("Month"),
                "share": _("Kept the same main worker"),
                "families": _("Families counted"),
            }
        ),
        "relationship_spread": report.spread.assign(length=report.spread["length"].map(_)).rename(
            columns={"length": _("Time with main worker"), "families": _("Families")}
        ),
        "caseload_per_worker": _caseload(report)
        .drop(columns="worker_id")
        .rename(columns={"worker": _("Worker"), "families": _("Families now")}),
        "waiting_over_time": months(report.waiting_monthly).rename(
            columns={"month": _("Month"), "waiting": _("Families waiting")}
        ),
    }


@spec_cache(max_entries=64)
def chart_specs(
    database: str, team_id: int, data_version: int, today: date, language: str, _report: TeamReport
) -> dict[str, dict]:
    """Keyed by database, team, Team.data_version, day and the language of the charts' words
    (the report those determine is passed unhashed): building four Altair charts costs far
    more than drawing them."""
    return {
        "monthly_continuity": charts.monthly_continuity_chart(
            _report.monthly[charts.MONTHLY_COLUMNS]
        ).to_dict(),
        "relationship_spread": charts.relationship_spread_chart(
            _report.spread[charts.SPREAD_COLUMNS]
        ).to_dict(),
        "caseload_per_worker": charts.caseload_chart(
            _caseload(_report)[charts.CASELOAD_COLUMNS]
        ).to_dict(),
        "waiting_over_time": charts.waiting_chart(
            _report.waiting_monthly[charts.WAITING_COLUMNS]
        ).to_dict(),
    }


def over_time(report: TeamReport) -> None:
    """One chart at a time: drawing each costs ~17 ms a rerun, and a manager reads them one
    by one."""
    st.header(_("Over time"))
    specs = chart_specs(
        database_url(), report.team_id, report.data_version, report.today, current(), report
    )
    tables = _chart_tables(report)
    sentences = {
        "monthly_continuity": charts.describe_monthly(report.monthly),
        "relationship_spread": charts.describe_spread(report.spread),
        "caseload_per_worker": charts.describe_caseload(_caseload(report)),
        "waiting_over_time": charts.describe_waiting(report.waiting_monthly),
    }
    shown = one_at_a_time(
        _("Which chart"),
        CHART_TITLES,
        words=lambda key: _(CHART_TITLES[key]),
        key="continuity_chart",
    )
    st.vega_lite_chart(
        specs[shown], width="stretch", alt=sentences[shown], key=f"continuity_chart_{shown}"
    )
    st.caption(said(DEFINITIONS[shown]))
    st.caption(plain(sentences[shown]))  # sentences name workers: typed text
    with st.expander(_("The figures as a table")):
        table(tables[shown])


# --- the workers ---------------------------------------------------------------------------

WORKER_HELP = {
    N_("Families now"): "families_now",
    N_("Families, last 12 months"): "caseload_12m",
    N_("Known more than 6 months"): "known_over_6m",
    N_("Handed to them"): "handovers_in",
    N_("Handed on by them"): "handovers_out",
    N_("Not their doing"): "not_their_doing",
}


def workers(actor: Actor, report: TeamReport) -> None:
    st.header(_("Workers"))
    st.caption(
        _(
            "For allocation and supervision, in alphabetical order — not a ranking. Sickness and "
            "team changes are not the worker's doing."
        )
    )
    frame = report.workers
    shown = pd.DataFrame(
        {
            _("Worker"): frame["worker"],
            _("Families now"): frame["families_now"],
            _("As main worker"): frame["as_main_worker"],
            _("Families, last 12 months"): frame["caseload_12m"],
            _("Known more than 6 months"): frame["known_over_6m"],
            _("Handed to them"): frame["handovers_in"],
            _("Why (to them)"): _text(frame["reasons_in"]),
            _("Handed on by them"): frame["handovers_out"],
            _("Why (from them)"): _text(frame["reasons_out"]),
            _("Not their doing"): frame["not_their_doing"],
        }
    )
    table(
        shown,
        {
            _(name): st.column_config.Column(help=said(DEFINITIONS[key]))
            for name, key in WORKER_HELP.items()
        },
        key="continuity_workers",
    )
    for key in WORKER_HELP.values():
        st.caption(said(DEFINITIONS[key]))
    _download(actor, report, "workers", shown, N_("Download the workers' table as CSV"))
    if not frame.empty:
        _one_workers_families(report)


def _one_workers_families(report: TeamReport) -> None:
    names = dict(zip(report.workers["worker_id"], report.workers["worker"]))
    worker_id = st.selectbox(
        _("Show a worker's families"),
        list(names),
        format_func=lambda i: names[i],
        key="continuity_worker",
    )
    if worker_id is None:
        return
    theirs = continuity.worker_families(
        report.relationships, report.families, worker_id, today=report.today
    )
    if theirs.empty:
        st.info(
            plain(
                _(
                    "{name} hasn't worked with a family of this team in the last 12 months.",
                    name=names[worker_id],
                )
            )
        )
    else:
        family_rows(
            pd.DataFrame(
                {
                    _("Family"): theirs["family"],
                    _("Role"): theirs["role"].map(_),
                    _("Working with them now"): theirs["now"].map(_yes_no),
                    _("Known since"): theirs["known_since"].map(friendly_date),
                    _("Known more than 6 months"): theirs["known_over_6m"].map(_yes_no),
                }
            ),
            theirs["family_id"],
            key="continuity_worker_families",
        )
    moves = report.handovers
    moves = moves[(moves["from_worker_id"] == worker_id) | (moves["to_worker_id"] == worker_id)]
    if not moves.empty:
        family_names = dict(zip(report.families["family_id"], report.families["family"]))
        family_rows(
            pd.DataFrame(
                {
                    _("Family"): _text(moves["family_id"].map(family_names)),
                    _("On"): moves["on"].map(friendly_date),
                    _("From"): moves["from_worker"],
                    _("To"): moves["to_worker"],
                    _("Why"): _text(moves["reason_words"]),
                }
            ),
            moves["family_id"],
            key="continuity_worker_handovers",
        )


# --- act: a manager's oversight note -------------------------------------------------------


def oversight_note_form(actor: Actor, report: TeamReport) -> None:
    st.header(_("Add an oversight note"))
    st.caption(
        _(
            "A dated decision or oversight note on a family's record. Staff only: families never "
            "see these notes."
        )
    )
    if report.families.empty:
        st.info(_("There are no families to write about yet."))
        return
    family_names = dict(zip(report.families["family_id"], report.families["family"]))
    with st.form("continuity_note"):
        st.selectbox(
            _("Family"),
            list(family_names),
            format_func=lambda i: family_names[i],
            index=None,
            placeholder=_("Choose a family"),
            key="continuity_note_family",
        )
        st.date_input(
            _("Date of the decision"),
            value=report.today,
            max_value=report.today,
            format="DD/MM/YYYY",
            key="continuity_note_on",
        )
        st.text_area(_("Decision or note"), key="continuity_note_words")
        st.text_area(_("Next steps (optional)"), key="continuity_note_next")
        st.form_submit_button(
            _("Save the note"),
            type="primary",
            on_click=_save_note,
            args=(actor, family_names, report.today),
        )
    result = st.session_state.pop("continuity_note_result", None)
    if result is not None:
        kind, message = result
        (st.success if kind == "success" else st.error)(plain(message))


def _save_note(actor: Actor, family_names: dict[int, str], today: date) -> None:
    """Runs before the rerun, so the form can be emptied only when the note is stored."""
    from db.rules.validation import Invalid

    state = st.session_state
    chosen = state.get("continuity_note_family")
    if chosen is None:
        state["continuity_note_result"] = ("error", _("Choose the family the note is about."))
        return
    try:
        add_note(
            actor,
            family_id=chosen,
            kind=NoteKind.oversight,
            words=state.get("continuity_note_words", ""),
            written_on=state.get("continuity_note_on"),
            next_steps=state.get("continuity_note_next", ""),
        )
    except Invalid as problem:
        state["continuity_note_result"] = ("error", said(problem))
    except NotAllowed:
        state["continuity_note_result"] = ("error", _("This family isn't available to you."))
    else:
        state["continuity_note_result"] = (
            "success",
            _("Saved to {family}'s record.", family=family_names[chosen])
            if chosen in family_names
            else _("Saved to the family's record."),
        )
        state["continuity_note_words"] = ""
        state["continuity_note_next"] = ""
