"""Outcome figures as pure pandas functions of a few rows, so tests can check each one against
a hand-built score history. Nothing here ranks families or workers, and there is no figure per
worker: a worker's view is one kind of score, counted apart from the family's and children's.

Inputs (one row each):
- goals: goal_id, family_id, status (GoalStatus value), set_on (date);
- scores: score_id, goal_id, family_id, whose ("family", "child" or "worker"), scorer_key
  (one key per person or worker), scored_on (date), score (0-10);
- home_rounds: family_id, scored_on: rounds the family gave at home (ScoreRound.at_home).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from db.i18n import N_, words_column
from db.metrics import is_real_change, score_lines
from db.outcomes.definitions import (
    BY_WHOSE,
    DEFINITIONS,
    SHARES,
    SMALL_NUMBER,
    SMALL_WORDS,
    TITLES,
    WHOSE,
    WHOSE_WORDS,
    quarters,
)
from db.store.models import GoalStatus

GOAL_COLUMNS = ["goal_id", "family_id", "status", "set_on"]
SCORE_COLUMNS = ["score_id", "goal_id", "family_id", "whose", "scorer_key", "scored_on", "score"]
HOME_COLUMNS = ["family_id", "scored_on"]
# exportable: whether the figure may stand in an exported copy (see exportable()).
FIGURE_COLUMNS = ["figure", "whose", "count", "of", "value", "families", "exportable"]
BEHIND_COLUMNS = ["figure", "whose", "family_id", "goal_id"]
MOVE_COLUMNS = [
    "goal_id",
    "whose",
    "family_id",
    "people",
    "first_score",
    "latest_score",
    "change",
    "direction",
]
ANY = "any"  # "scored_twice" by anyone, as well as by each kind of score


@dataclass(frozen=True)
class Figures:
    figures: pd.DataFrame  # FIGURE_COLUMNS: one row a figure (and kind of score)
    behind: pd.DataFrame  # BEHIND_COLUMNS: the families (and goals) behind each figure


def _days(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series).dt.normalize()


def _direction(change: float) -> str:
    if not is_real_change(change):
        return "no_real_change"
    return "moved_up" if change > 0 else "moved_down"


def goal_moves(scores: pd.DataFrame, *, start: date, end: date) -> pd.DataFrame:
    """One row per goal and kind of score (whose) for the goals scored at least twice by one
    person by `end`, that person's latest score falling from `start`: the move from their first
    score to their latest. Several people giving the same kind of score to a goal (mum and dad
    both scoring the family's goal) are averaged, so each goal counts once per kind."""
    if scores.empty:
        return pd.DataFrame(columns=MOVE_COLUMNS)
    rows = scores.assign(day=_days(scores["scored_on"]))
    rows = rows[rows["day"] <= pd.Timestamp(end)]
    lines = score_lines(rows, on="day", carry=("family_id", "whose"))
    lines = lines[(lines["scores"] >= 2) & (lines["latest_on"] >= pd.Timestamp(start))]
    if lines.empty:
        return pd.DataFrame(columns=MOVE_COLUMNS)
    lines["change"] = (lines["latest_score"] - lines["first_score"]).astype(float)
    moves = (
        lines.groupby(["goal_id", "whose"], sort=True)
        .agg(
            family_id=("family_id", "first"),
            people=("scorer_key", "size"),
            first_score=("first_score", "mean"),
            latest_score=("latest_score", "mean"),
            change=("change", "mean"),
        )
        .reset_index()
    )
    moves["direction"] = moves["change"].map(_direction)
    moves["family_id"] = moves["family_id"].astype(int)
    return moves[MOVE_COLUMNS]


def outcome_figures(
    goals: pd.DataFrame, scores: pd.DataFrame, home_rounds: pd.DataFrame, *, start: date, end: date
) -> Figures:
    """Every outcome figure for the period from `start` to `end` (inclusive): see
    DEFINITIONS. Shares and averages with nothing to count are None, never 0."""
    s, e = pd.Timestamp(start), pd.Timestamp(end)
    rows: list[dict] = []
    behind: list[pd.DataFrame] = []

    def add(figure: str, whose: str, count: int, of, value, found: pd.DataFrame) -> None:
        ids = found[["family_id", "goal_id"]] if "goal_id" in found else found[["family_id"]]
        rows.append(
            {
                "figure": figure,
                "whose": whose,
                "count": int(count),
                "of": None if of is None else int(of),
                "value": None if value is None or pd.isna(value) else float(value),
                "families": int(ids["family_id"].nunique()),
            }
        )
        behind.append(ids.assign(figure=figure, whose=whose))

    set_on = _days(goals["set_on"])
    new = goals[(set_on >= s) & (set_on <= e)]
    add("goals_set", "", len(new), None, len(new), new)

    moves = goal_moves(scores, start=start, end=end)
    twice = moves.drop_duplicates("goal_id")
    add("scored_twice", ANY, len(twice), None, len(twice), twice)
    for whose in WHOSE:
        theirs = moves[moves["whose"] == whose]
        total = len(theirs)
        add("scored_twice", whose, total, None, total, theirs)
        for figure in SHARES:
            part = theirs[theirs["direction"] == figure]
            add(figure, whose, len(part), total, len(part) / total if total else None, part)
        add("distance", whose, total, None, theirs["change"].mean() if total else None, theirs)

    achieved = goals[goals["status"] == GoalStatus.achieved.value]
    scored = scores[scores["goal_id"].isin(achieved["goal_id"])]
    last_scored = _days(scored["scored_on"]).groupby(scored["goal_id"]).max().to_dict()
    last = pd.Series(
        [last_scored.get(goal_id, pd.NaT) for goal_id in achieved["goal_id"]],
        index=achieved.index,
        dtype="datetime64[ns]",
    )
    last = last.fillna(_days(achieved["set_on"]).astype("datetime64[ns]"))
    achieved = achieved[(last >= s) & (last <= e)]
    add("achieved", "", len(achieved), None, len(achieved), achieved)

    home_days = _days(home_rounds["scored_on"])
    home = home_rounds[(home_days >= s) & (home_days <= e)].drop_duplicates("family_id")
    add("at_home", "", len(home), None, len(home), home)

    found = pd.concat(behind, ignore_index=True) if behind else pd.DataFrame()
    found = found.reindex(columns=BEHIND_COLUMNS)
    found["family_id"] = found["family_id"].astype(int)
    found["goal_id"] = found["goal_id"].astype("Int64")
    figures = pd.DataFrame(rows, columns=FIGURE_COLUMNS[:-1])
    return Figures(figures.assign(exportable=exportable(figures)), found)


def exportable(figures: pd.DataFrame) -> pd.Series:
    """Which figures an exported copy may show: none with fewer than SMALL_NUMBER families
    behind it. The three shares of one kind of score add up to all of it, so when just one of
    them is hidden the next smallest is hidden too; otherwise the hidden one could be worked
    out from the other two."""
    shown = figures["families"] >= SMALL_NUMBER
    shares = figures[figures["figure"].isin(SHARES)]
    for _whose, group in shares.groupby("whose", sort=False):
        if (~shown[group.index]).sum() == 1:
            others = group[shown[group.index]]
            smallest = others.sort_values(["families", "count"], kind="stable").index[0]
            shown[smallest] = False
    return shown


def by_quarter(
    goals: pd.DataFrame, scores: pd.DataFrame, home_rounds: pd.DataFrame, *, start: date, end: date
) -> pd.DataFrame:
    """The same figures for each calendar quarter the period touches (cut to the period), so a
    trend shows: FIGURE_COLUMNS plus quarter, quarter_start and quarter_end."""
    frames = []
    for name, first, last in quarters(start, end):
        figures = outcome_figures(goals, scores, home_rounds, start=first, end=last).figures
        frames.append(figures.assign(quarter=name, quarter_start=first, quarter_end=last))
    columns = FIGURE_COLUMNS + ["quarter", "quarter_start", "quarter_end"]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]


def _clean(row: dict) -> dict:
    missing = {key for key in ("of", "value") if row[key] is None or pd.isna(row[key])}
    return {
        **row,
        "count": int(row["count"]),
        "families": int(row["families"]),
        "exportable": bool(row["exportable"]),
        "of": None if "of" in missing else int(row["of"]),
        "value": None if "value" in missing else float(row["value"]),
    }


def figure(figures: pd.DataFrame, name: str, whose: str = "") -> dict:
    """One figure's row as a dict (count, of, value, families)."""
    found = figures[(figures["figure"] == name) & (figures["whose"] == whose)]
    if found.empty:
        raise KeyError((name, whose))
    return _clean(found.iloc[0].to_dict())


def lookup(figures: pd.DataFrame) -> dict[tuple[str, str], dict]:
    """Every figure's row by (figure, whose), for drawing many cells at once."""
    return {(row["figure"], row["whose"]): _clean(row) for row in figures.to_dict("records")}


def value_words(row: dict) -> str:
    """A figure as a manager reads it on screen: a count, a share with its "n of m", or an
    average in points (a sign shows which way)."""
    name, value, count, of = row["figure"], row["value"], row["count"], row["of"]
    if name in SHARES:
        if value is None or pd.isna(value):
            return "–"
        return N_("{share} ({count} of {of})", share=f"{value:.0%}", count=count, of=of)
    if name == "distance":
        return "–" if value is None or pd.isna(value) else f"{value:+.1f}"
    return str(int(count))


def exported_words(row: dict) -> str:
    """value_words, except that a figure an exported copy may not show (exportable()) is
    "fewer than 5": an exported copy must not let anyone pick out a family."""
    return value_words(row) if row["exportable"] else SMALL_WORDS


def label(row: dict) -> str:
    title = TITLES[row["figure"]]
    whose = row["whose"]
    if whose and whose != ANY:
        return f"{title}: {WHOSE_WORDS[whose].lower()}"
    return title


# The headings of the figures' table and its CSV, said in the reader's language on download.
FIGURES_TABLE_COLUMNS = [
    N_("Figure"),
    N_("Whose scores"),
    N_("Value"),
    N_("Families behind it"),
    N_("What it means"),
]


def figures_table(figures: pd.DataFrame, *, exported: bool) -> pd.DataFrame:
    """The figures as a table in plain words: figure, whose scores, value, families behind it,
    what it means. Exported, small numbers are hidden (and so is the count of families)."""
    rows = []
    for row in figures.to_dict("records"):
        whose = row["whose"]
        families = int(row["families"])
        rows.append(
            {
                "Figure": TITLES[row["figure"]],
                "Whose scores": WHOSE_WORDS.get(whose, N_("Anyone's") if whose == ANY else ""),
                "Value": exported_words(row) if exported else value_words(row),
                "Families behind it": (
                    SMALL_WORDS if exported and not row["exportable"] else str(families)
                ),
                "What it means": DEFINITIONS[row["figure"]],
            }
        )
    table = pd.DataFrame(rows, columns=FIGURES_TABLE_COLUMNS)
    for column in FIGURES_TABLE_COLUMNS:  # Words stay Words, said in the reader's language
        table[column] = words_column((row[column] for row in rows), table.index)
    return table


def is_by_whose(name: str) -> bool:
    return name in BY_WHOSE
