"""The one place every outcome figure is defined: whose scores count, the periods a manager
can choose, the quarters of the trend, and the one-sentence definition shown beside each
figure. A real change is db.settings.REAL_CHANGE_POINTS (tested by db.metrics.is_real_change):
it is used here, never restated."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from db.settings import REAL_CHANGE_POINTS

# Whose score: shown apart, never blended into one figure.
WHOSE = ("family", "child", "worker")
WHOSE_WORDS = {
    "family": "The family's own scores",
    "child": "Children's scores",
    "worker": "Workers' views",
}
# Fewer families than this behind a figure: "fewer than 5" in anything exported.
SMALL_NUMBER = 5
SMALL_WORDS = f"fewer than {SMALL_NUMBER}"

_REAL = f"{REAL_CHANGE_POINTS:g}"

DEFINITIONS: dict[str, str] = {
    "goals_set": "Goals families set in the period (not counting goals withdrawn as recorded "
    "by mistake).",
    "scored_twice": "Goals with at least two scores from the same person by the end of the "
    "period, the latest of them in the period.",
    "moved_up": f"Of the goals scored at least twice, the share whose latest score is at "
    f"least {_REAL} points above the first (a real change); when several people give this "
    f"kind of score to one goal, their moves are averaged.",
    "no_real_change": f"Of the goals scored at least twice, the share whose latest score is "
    f"less than {_REAL} points away from the first, either way.",
    "moved_down": f"Of the goals scored at least twice, the share whose latest score is at "
    f"least {_REAL} points below the first.",
    "distance": "The average move, in points on the 0 to 10 scale, from each goal's first "
    "score to its latest score by the end of the period (goals scored at least twice).",
    "achieved": "Goals marked achieved whose latest score (or, if never scored, the day they "
    "were set) falls in the period.",
    "at_home": "Families who gave a round of scores themselves at home, away from a meeting, "
    "in the period.",
}
WHOSE_DEFINITIONS = {
    "family": "Scores the family's grown-ups and other family members give (not the "
    "children's, and never a worker's).",
    "child": "Scores given by the family's children themselves.",
    "worker": "A worker's own view of how a goal is going, recorded openly with the family. "
    "It is never mixed with the family's scores.",
}
TITLES = {
    "goals_set": "Goals set",
    "scored_twice": "Goals scored at least twice",
    "moved_up": "Moved up by a real change",
    "no_real_change": "No real change",
    "moved_down": "Moved down by a real change",
    "distance": "Distance travelled (points)",
    "achieved": "Goals achieved",
    "at_home": "Families who scored at home",
}
# Figures given separately for each kind of score.
BY_WHOSE = ("scored_twice", "moved_up", "no_real_change", "moved_down", "distance")
SHARES = ("moved_up", "no_real_change", "moved_down")


# --- periods -----------------------------------------------------------------------------


def _financial_year_start(day: date) -> date:
    """Councils report by financial year, from 1 April."""
    return date(day.year if day.month >= 4 else day.year - 1, 4, 1)


def periods(today: date) -> dict[str, tuple[date, date]]:
    """The periods a manager can choose from, by name: (first day, last day), inclusive."""
    this_year = _financial_year_start(today)
    last_year = date(this_year.year - 1, 4, 1)
    twelve = (pd.Timestamp(today) - pd.DateOffset(months=12)).date() + timedelta(days=1)
    two_years = (pd.Timestamp(today) - pd.DateOffset(months=24)).date() + timedelta(days=1)
    return {
        "The last 12 months": (twelve, today),
        "This financial year so far": (this_year, today),
        "Last financial year": (last_year, this_year - timedelta(days=1)),
        "The last 2 years": (two_years, today),
    }


def quarters(start: date, end: date) -> list[tuple[str, date, date]]:
    """The calendar quarters the period touches, oldest first, each cut to the period:
    (name, first day, last day)."""
    out = []
    first = date(start.year, 3 * ((start.month - 1) // 3) + 1, 1)
    while first <= end:
        following = (pd.Timestamp(first) + pd.DateOffset(months=3)).date()
        name = f"{first:%b}–{following - timedelta(days=1):%b} {first.year}"
        out.append((name, max(first, start), min(following - timedelta(days=1), end)))
        first = following
    return out
