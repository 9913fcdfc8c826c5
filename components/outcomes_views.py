"""The pieces of "What changed for families": the team and period choice, the figures with
their one-sentence definitions, the figures by whose score (shown apart, never blended), the
trend by quarter, the families behind a figure (the manager's drill-down), and the two audited
downloads: the figures as a CSV and the printable board report.

There is nothing per worker here, and nothing is ranked: families behind a figure are listed
alphabetically. Chart specs are cached like the continuity page's, keyed by each team's
Team.data_version and the period."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from components import board_report
from components import outcomes_charts as charts
from components.export import download_button
from components.family_list import family_rows
from components.forms import pick_many
from components.i18n import N_, _, current, ngettext, quarter_name, said, said_table, speaking
from components.led_teams import team_names
from components.ui import friendly_date, one_at_a_time, plain, table
from db import outcomes
from db.export import to_csv
from db.i18n import SOURCE_LANGUAGE, Words
from db.outcomes import (
    BY_WHOSE,
    DEFINITIONS,
    TITLES,
    WHOSE,
    WHOSE_DEFINITIONS,
    WHOSE_WORDS,
    OutcomesReport,
    lookup,
    value_words,
)
from db.rules.access import Actor
from db.store.engine import database_url

CUSTOM = N_("Dates I choose")
# The periods' names come from db/outcomes/definitions.py (English keys), shown through _().
PERIOD_WORDS = (
    N_("The last 12 months"),
    N_("This financial year so far"),
    N_("Last financial year"),
    N_("The last 2 years"),
)


def choose_teams(teams: pd.DataFrame) -> tuple[int, ...]:
    """The teams to count together (all the teams the manager leads, to begin with)."""
    names = team_names(teams)
    if len(names) == 1:
        return tuple(names)
    chosen = pick_many(_("Teams"), names, default=list(names), key="outcomes_teams")
    return tuple(sorted(chosen))


def choose_period(today: date) -> tuple[date, date]:
    """A named period (the last 12 months to begin with) or two dates."""
    choices = outcomes.periods(today)
    names = list(choices) + [CUSTOM]
    name = st.selectbox(_("Period"), names, format_func=_, key="outcomes_period") or names[0]
    if name != CUSTOM:
        return choices[name]
    start_default = choices[names[0]][0]
    first, last = st.columns(2)
    start = first.date_input(
        _("From"), value=start_default, max_value=today, format="DD/MM/YYYY", key="outcomes_from"
    )
    end = last.date_input(
        _("To"), value=today, max_value=today, format="DD/MM/YYYY", key="outcomes_to"
    )
    if not isinstance(start, date) or not isinstance(end, date):  # a date box left empty
        return choices[names[0]]
    return start, end


def intro(report: OutcomesReport) -> None:
    st.caption(
        plain(
            _(
                "{teams}: {start} to {end}. What changed for families, in "
                "their own goals and scores. Nothing here ranks families or workers, and "
                "there are no figures for any one worker.",
                teams=", ".join(report.team_names),
                start=friendly_date(report.start),
                end=friendly_date(report.end),
            )
        )
    )


SUMMARY = (("goals_set", ""), ("scored_twice", "any"), ("achieved", ""), ("at_home", ""))
TRENDS = {
    "moved_up": N_("moved up by a real change"),
    "no_real_change": N_("with no real change"),
    "moved_down": N_("moved down by a real change"),
}


@st.cache_data(show_spinner=False, max_entries=64)
def shown_figures(
    database: str,
    versions: tuple[tuple[int, int], ...],
    start: date,
    end: date,
    language: str,
    _report: OutcomesReport,
) -> dict:
    """Everything the page draws from the figures, in words, with the trend charts' specs.
    Keyed by database, each team's data version, the period (the report they determine
    is passed unhashed) and the reader's language, which the tables' words are in: building
    the tables and charts costs far more than drawing them."""
    cells = lookup(_report.figures)
    by_whose = pd.DataFrame(
        {
            _("Figure"): [said(TITLES[name]) for name in BY_WHOSE],
            **{
                said(WHOSE_WORDS[whose]): [
                    said(value_words(cells[(name, whose)])) for name in BY_WHOSE
                ]
                for whose in WHOSE
            },
        }
    )
    rows = []
    for _quarter, part in _report.quarterly.groupby("quarter", sort=False):
        in_quarter = lookup(part)
        row = {_("Quarter"): said(_quarter_of(part))}
        for name in ("goals_set", "achieved", "at_home"):
            row[said(TITLES[name])] = said(value_words(in_quarter[(name, "")]))
        for whose in WHOSE:
            for name in ("moved_up", "distance"):
                row[f"{said(TITLES[name])}: {said(WHOSE_WORDS[whose].small())}"] = said(
                    value_words(in_quarter[(name, whose)])
                )
        rows.append(row)
    quarter_words = {
        quarter: _quarter_words(part, quarter)
        for quarter, part in _report.quarterly.groupby("quarter", sort=False)
    }
    trends = {
        name: charts.trend(_report.quarterly, name).assign(
            quarter=lambda frame: frame["quarter"].map(quarter_words).astype(str)
        )
        for name in TRENDS
    }
    return {
        "summary": [
            (
                said(TITLES[name]),
                said(value_words(cells[(name, whose)])),
                cells[(name, whose)]["families"],
            )
            for name, whose in SUMMARY
        ],
        "by_whose": by_whose,
        "quarters": pd.DataFrame(rows),
        "specs": {
            name: charts.trend_chart(
                frame, title=_("Goals {what}, by quarter", what=_(TRENDS[name]))
            ).to_dict()
            for name, frame in trends.items()
        },
        "sentences": {
            name: charts.describe_trend(frame, what=_(TRENDS[name]))
            for name, frame in trends.items()
        },
    }


def _quarter_of(part: pd.DataFrame) -> Words:
    """The quarter with any days it was cut to, for the table: its counts cover only those."""
    return outcomes.quarter_part(
        pd.Timestamp(part["quarter_start"].iloc[0]).date(),
        pd.Timestamp(part["quarter_end"].iloc[0]).date(),
    )


def _quarter_words(part: pd.DataFrame, quarter: str) -> str:
    """The quarter's name in the reader's language ('Ion–Maw 2026'), from its first and last
    days; the figures are keyed by the English name."""
    if part.empty or "quarter_start" not in part:
        return quarter
    day = pd.Timestamp(part["quarter_end"].iloc[0]).date()  # the quarter, cut to the period
    first_month = 3 * ((day.month - 1) // 3) + 1
    return quarter_name(date(day.year, first_month, 1), date(day.year, first_month + 2, 1))


def _shown(report: OutcomesReport) -> dict:
    return shown_figures(
        database_url(), report.data_versions, report.start, report.end, current(), report
    )


def summary(report: OutcomesReport) -> None:
    st.header(_("In the period"))
    shown = _shown(report)["summary"]
    for column, (name, _whose), (title, value, families) in zip(
        st.columns(len(SUMMARY)), SUMMARY, shown
    ):
        with column:
            st.metric(title, value, border=True)
            st.caption(ngettext("{n:,} family", "{n:,} families", families))
            st.caption(said(DEFINITIONS[name]))


def by_whose(report: OutcomesReport) -> None:
    st.header(_("How goals moved, by whose score"))
    st.caption(_("Each kind of score is shown apart and never blended into one figure."))
    table(
        _shown(report)["by_whose"],
        {
            said(WHOSE_WORDS[whose]): st.column_config.Column(help=said(WHOSE_DEFINITIONS[whose]))
            for whose in WHOSE
        },
        key="outcomes_by_whose",
    )
    for name in BY_WHOSE:
        st.caption(f"{said(TITLES[name])}: {said(DEFINITIONS[name])}")
    for whose in WHOSE:
        st.caption(f"{said(WHOSE_WORDS[whose])}: {said(WHOSE_DEFINITIONS[whose])}")


def by_quarter(report: OutcomesReport) -> None:
    st.header(_("Quarter by quarter"))
    drawn = _shown(report)
    shown = one_at_a_time(
        _("Which trend"), TRENDS, words=lambda key: said(TITLES[key]), key="outcomes_trend"
    )
    sentence = drawn["sentences"][shown]
    st.vega_lite_chart(
        drawn["specs"][shown], width="stretch", alt=sentence, key=f"outcomes_chart_{shown}"
    )
    st.caption(said(DEFINITIONS[shown]))
    st.caption(sentence)
    with st.expander(_("The figures by quarter, as a table")):
        table(drawn["quarters"])


def _figure_choices() -> list[tuple[str, str]]:
    return (
        [("goals_set", ""), ("scored_twice", "any")]
        + [(name, whose) for whose in WHOSE for name in BY_WHOSE]
        + [("achieved", ""), ("at_home", "")]
    )


def _choice_words(choice: tuple[str, str]) -> str:
    name, whose = choice
    if whose in WHOSE:
        return f"{said(TITLES[name])} ({said(WHOSE_WORDS[whose].small())})"
    return said(TITLES[name])


@st.cache_data(show_spinner=False, max_entries=256)
def _behind(
    database: str,
    versions: tuple[tuple[int, int], ...],
    start: date,
    end: date,
    name: str,
    whose: str,
    _report: OutcomesReport,
) -> pd.DataFrame:
    """The families behind one figure, keyed like shown_figures and by the figure. The
    manager's check has already run: the report is only reached through outcomes_report."""
    return outcomes.families_behind(_report, name, whose)


def families_behind(report: OutcomesReport) -> None:
    """The manager's drill-down: the families behind a chosen figure, alphabetical."""
    st.header(_("The families behind a figure"))
    choices = _figure_choices()
    choice = (
        st.selectbox(
            _("Show the families behind"), choices, format_func=_choice_words, key="outcomes_behind"
        )
        or choices[0]
    )
    name, whose = choice
    found = _behind(
        database_url(), report.data_versions, report.start, report.end, name, whose, report
    )
    st.caption(
        ngettext(
            "{figure}: {definition} {n:,} family.",
            "{figure}: {definition} {n:,} families.",
            len(found),
            figure=_choice_words(choice),
            definition=said(DEFINITIONS[name]),
        )
    )
    if found.empty:
        st.info(_("No families are behind this figure in this period."))
        return
    shown = pd.DataFrame({_("Family"): found["family"], _("Team"): found["team"]})
    if name != "at_home":
        shown[_("Goals counted")] = found["goals"].astype(int)
    family_rows(shown, found["family_id"], key="outcomes_behind_table")


def downloads(actor: Actor, report: OutcomesReport, *, today: date) -> None:
    """The figures as a CSV and the printable board report: small numbers hidden in both, and
    each download audited when it is made (on click)."""
    st.header(_("For the board"))
    st.caption(
        _(
            "Both copies show any figure with fewer than 5 families behind it as "
            '"fewer than 5", so no family can be picked out. Every download is recorded.'
        )
    )
    teams, start, end = report.team_ids, report.start, report.end

    def csv() -> bytes:
        # Audited with the headings in English; downloaded in the reader's words.
        return to_csv(said_table(outcomes.export_figures(actor, teams, start_on=start, end_on=end)))

    def printable() -> str:
        checked = outcomes.board_report(actor, teams, start_on=start, end_on=end)
        with speaking(SOURCE_LANGUAGE):  # a formal record, kept in one language (README)
            return board_report.render(checked, made_on=today)

    left, right = st.columns(2)
    download_button(
        _("Download the figures as CSV"),
        csv,
        file_name=f"what-changed-for-families-{start:%Y-%m-%d}-to-{end:%Y-%m-%d}.csv",
        key="outcomes_csv",
        help=_("A spreadsheet copy of the figures and what each one means."),
        place=left,
    )
    download_button(
        _("Download the board report (to print)"),
        printable,
        file_name=f"board-report-{start:%Y-%m-%d}-to-{end:%Y-%m-%d}.html",
        key="outcomes_board",
        help=_("One page for A4, with the charts and what each figure means."),
        place=right,
    )
