"""The one place every outcome figure is defined: whose scores count, the periods a manager
can choose, the quarters of the trend, and the one-sentence definition shown beside each
figure. A real change is db.settings.REAL_CHANGE_POINTS (tested by db.metrics.is_real_change):
it is used here, never restated."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from db.i18n import N_, SOURCE_LANGUAGE, Words, quarter_name, quarter_words, short_day
from db.settings import REAL_CHANGE_POINTS

# Whose score: shown apart, never blended into one figure.
WHOSE = ("family", "child", "worker")
WHOSE_WORDS = {
    "family": N_("The family's own scores"),
    "child": N_("Children's scores"),
    "worker": N_("Workers' views"),
}
# Fewer families than this behind a figure: "fewer than 5" in anything exported.
SMALL_NUMBER = 5
SMALL_WORDS = N_("fewer than {n}", n=SMALL_NUMBER)

_REAL = f"{REAL_CHANGE_POINTS:g}"

# Each figure's name and one-sentence definition: Words, said in the reader's language where
# shown (the cached report keeps them as they are, the same for every language).
DEFINITIONS: dict[str, Words] = {
    "goals_set": N_(
        "Goals families set in the period (not counting goals withdrawn as recorded by mistake)."
    ),
    "scored_twice": N_(
        "Goals with at least two scores from the same person by the end of the period, the "
        "latest of them in the period."
    ),
    "moved_up": N_(
        "Of the goals scored at least twice, the share whose latest score is at least "
        "{points} points above the first (a real change); when several people give this kind "
        "of score to one goal, their moves are averaged.",
        points=_REAL,
    ),
    "no_real_change": N_(
        "Of the goals scored at least twice, the share whose latest score is less than "
        "{points} points away from the first, either way.",
        points=_REAL,
    ),
    "moved_down": N_(
        "Of the goals scored at least twice, the share whose latest score is at least "
        "{points} points below the first.",
        points=_REAL,
    ),
    "distance": N_(
        "The average move, in points on the 0 to 10 scale, from each goal's first score to its "
        "latest score by the end of the period (goals scored at least twice)."
    ),
    "achieved": N_(
        "Goals marked achieved whose latest score (or, if never scored, the day they were set) "
        "falls in the period."
    ),
    "at_home": N_(
        "Families who gave a round of scores themselves at home, away from a meeting, in the "
        "period."
    ),
}
WHOSE_DEFINITIONS = {
    "family": N_(
        "Scores the family's grown-ups and other family members give (not the children's, and "
        "never a worker's)."
    ),
    "child": N_("Scores given by the family's children themselves."),
    "worker": N_(
        "A worker's own view of how a goal is going, recorded openly with the family. It is "
        "never mixed with the family's scores."
    ),
}
TITLES = {
    "goals_set": N_("Goals set"),
    "scored_twice": N_("Goals scored at least twice"),
    "moved_up": N_("Moved up by a real change"),
    "no_real_change": N_("No real change"),
    "moved_down": N_("Moved down by a real change"),
    "distance": N_("Distance travelled (points)"),
    "achieved": N_("Goals achieved"),
    "at_home": N_("Families who scored at home"),
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
        name = quarter_name(first, following - timedelta(days=1), SOURCE_LANGUAGE)  # the key
        out.append((name, max(first, start), min(following - timedelta(days=1), end)))
        first = following
    return out


def quarter_part(first: date, last: date) -> Words:
    """A quarter of the figures by its months ('Oct–Dec 2025'), with the days it was cut to
    when the period starts or ends inside it ('Oct–Dec 2025 (from 8 Dec 2025)'): a cut
    quarter's counts cover only those days, so it must never read as a whole quarter."""
    opening = date(first.year, 3 * ((first.month - 1) // 3) + 1, 1)
    closing = (pd.Timestamp(opening) + pd.DateOffset(months=3)).date() - timedelta(days=1)
    whole = quarter_words(opening, date(opening.year, opening.month + 2, 1))
    if first == last and (first > opening or last < closing):
        return N_("{quarter} ({day} only)", quarter=whole, day=short_day(first))
    if first > opening and last < closing:
        return N_(
            "{quarter} ({first} to {last})",
            quarter=whole,
            first=short_day(first),
            last=short_day(last),
        )
    if first > opening:
        return N_("{quarter} (from {day})", quarter=whole, day=short_day(first))
    if last < closing:
        return N_("{quarter} (to {day})", quarter=whole, day=short_day(last))
    return whole
