"""The printable board report of "What changed for families": one A4 HTML page, rendered with
the family copy's Jinja2 environment (autoescaped: a team's or family's name shows exactly as
typed, never as HTML), the trend drawn as SVG, each figure's definition beside it, and every
figure with fewer than 5 families behind it shown as "fewer than 5"."""

from __future__ import annotations

from datetime import date

import pandas as pd

from components.family_copy import TEMPLATES
from components.outcomes_charts import describe_trend, trend, trend_svg
from db.outcomes import (
    BY_WHOSE,
    DEFINITIONS,
    SMALL_NUMBER,
    SMALL_WORDS,
    TITLES,
    WHOSE,
    WHOSE_DEFINITIONS,
    WHOSE_WORDS,
    OutcomesReport,
    exported_words,
    figure,
    quarter_part,
)
from db.settings import REAL_CHANGE_POINTS

SUMMARY = ("goals_set", "scored_twice", "achieved", "at_home")
QUARTER_FIGURES = ("goals_set", "achieved", "at_home")


def _long(day: date) -> str:
    return f"{day:%-d %B %Y}"


def printable_trend(quarterly: pd.DataFrame, name: str = "moved_up") -> pd.DataFrame:
    """The trend with any quarter's point hidden when fewer than 5 families are behind it."""
    hidden = quarterly.assign(value=quarterly["value"].where(quarterly["exportable"]))
    return trend(hidden, name)


TREND_WHAT = "that moved up by a real change"


def trend_sentence(quarterly: pd.DataFrame, shown: pd.DataFrame) -> str:
    """The printed trend in words. A quarter's point hidden for its small number is said to
    be hidden: never "no goal was scored twice" when goals were, only too few to show."""
    everything = trend(quarterly)
    hidden = everything["share"].notna() & shown["share"].isna()
    if not hidden.any():
        return describe_trend(shown, what=TREND_WHAT)
    if shown["share"].isna().all():
        return (
            f"Fewer than {SMALL_NUMBER} families are behind the share of goals {TREND_WHAT} "
            "in each quarter, so no point is drawn."
        )
    return (
        f"{describe_trend(shown, what=TREND_WHAT)} A quarter with fewer than {SMALL_NUMBER} "
        "families behind its share has no point."
    )


def render(report: OutcomesReport, *, made_on: date) -> str:
    figures = report.figures
    summary = [
        {
            "title": TITLES[name],
            "value": exported_words(figure(figures, name, "any" if name == "scored_twice" else "")),
            "means": DEFINITIONS[name],
        }
        for name in SUMMARY
    ]
    by_whose = [
        {
            "title": TITLES[name],
            "cells": [exported_words(figure(figures, name, whose)) for whose in WHOSE],
            "means": DEFINITIONS[name],
        }
        for name in BY_WHOSE
    ]
    quarterly = report.quarterly
    quarter_rows = []
    for _name, rows in quarterly.groupby("quarter", sort=False):
        quarter_rows.append(
            {
                "quarter": str(
                    quarter_part(rows["quarter_start"].iloc[0], rows["quarter_end"].iloc[0])
                ),
                "cells": [exported_words(figure(rows, n, "")) for n in QUARTER_FIGURES]
                + [exported_words(figure(rows, "moved_up", whose)) for whose in WHOSE],
            }
        )
    shown = printable_trend(quarterly)
    return TEMPLATES.get_template("board_report.html").render(
        language="en",  # a report for the board, in the service's language
        direction="ltr",
        teams=", ".join(report.team_names),
        period=f"{_long(report.start)} to {_long(report.end)}",
        made_on=_long(made_on),
        real_change=f"{REAL_CHANGE_POINTS:g}",
        small_words=SMALL_WORDS,
        small_number=SMALL_NUMBER,
        summary=summary,
        whose_names=[WHOSE_WORDS[w] for w in WHOSE],
        whose_means=[{"name": WHOSE_WORDS[w], "means": WHOSE_DEFINITIONS[w]} for w in WHOSE],
        by_whose=by_whose,
        quarter_headings=[TITLES[n] for n in QUARTER_FIGURES]
        + [f"{TITLES['moved_up']}: {WHOSE_WORDS[w].lower()}" for w in WHOSE],
        quarters=quarter_rows,
        chart=trend_svg(shown, height=140),
        chart_sentence=trend_sentence(quarterly, shown),
    )
