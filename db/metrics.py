"""Pure functions over goal scores (no Streamlit, no database): easy to test by hand.

A score frame has one row per score: goal_id, scorer_key ("p:<person id>" for a family member,
"w:<worker id>" for a worker's view), scorer (a name), is_worker_view, scored_on (date), score
and score_id (entry order, which breaks ties on the same day).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from db.i18n import _, month_and_year
from db.settings import REAL_CHANGE_POINTS

SCORE_COLUMNS = [
    "score_id",
    "goal_id",
    "scorer_key",
    "scorer",
    "is_worker_view",
    "scored_on",
    "score",
    "at_home",  # scored by the family in their own space, away from a meeting
]
PROGRESS_COLUMNS = [
    "goal_id",
    "scorer_key",
    "scorer",
    "is_worker_view",
    "first_on",
    "first_score",
    "latest_on",
    "latest_score",
    "scores",
    "change",
    "real_change",
    "direction",
    "days_since_last",
]


def is_real_change(change: float, points: float = REAL_CHANGE_POINTS) -> bool:
    """A move of at least REAL_CHANGE_POINTS (3 on whole-number scores) either way."""
    return abs(change) >= points


def score_lines(scores: pd.DataFrame, *, on: str, carry: tuple[str, ...]) -> pd.DataFrame:
    """One row per goal and scorer, their scores taken in order (by the day in column `on`,
    then as entered): first and latest score and day, and how many scores; with the `carry`
    columns, which are the same on every score of one scorer's line."""
    ordered = scores.sort_values(["goal_id", "scorer_key", on, "score_id"])
    return (
        ordered.groupby(["goal_id", "scorer_key"], sort=True)
        .agg(
            **{column: (column, "first") for column in carry},
            first_on=(on, "first"),
            first_score=("score", "first"),
            latest_on=(on, "last"),
            latest_score=("score", "last"),
            scores=("score", "size"),
        )
        .reset_index()
    )


def progress(scores: pd.DataFrame, today: date) -> pd.DataFrame:
    """One row per goal and scorer: first and latest score, change, real change, direction."""
    if scores.empty:
        return pd.DataFrame(columns=PROGRESS_COLUMNS)
    out = score_lines(scores, on="scored_on", carry=("scorer", "is_worker_view"))
    out["change"] = out["latest_score"] - out["first_score"]
    out["real_change"] = out["change"].map(is_real_change)
    out["direction"] = out["change"].map(lambda c: "up" if c > 0 else "down" if c < 0 else "same")
    out["days_since_last"] = out["latest_on"].map(lambda d: (today - pd.Timestamp(d).date()).days)
    return out[PROGRESS_COLUMNS]


def movement(progress_frame: pd.DataFrame) -> dict[str, int]:
    """How many goals moved up, down or stayed steady, by family members' own scores
    (a worker's view never decides how a family's goal is going)."""
    own = progress_frame[~progress_frame["is_worker_view"].astype(bool)]
    counts = {"up": 0, "down": 0, "steady": 0}
    for _goal, rows in own.groupby("goal_id"):
        change = rows["change"].mean()
        counts["up" if change > 0 else "down" if change < 0 else "steady"] += 1
    return counts


def change_since(scores: pd.DataFrame, since: date) -> pd.DataFrame:
    """Per goal and family-member scorer: the move from the last score before `since` (or the
    first after it) to the latest. Used by the huddle for 'since the last huddle'."""
    columns = ["goal_id", "scorer_key", "scorer", "before", "latest", "change", "real_change"]
    own = scores[~scores["is_worker_view"].astype(bool)] if not scores.empty else scores
    if own.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    for (goal_id, scorer_key), group in own.sort_values(["scored_on", "score_id"]).groupby(
        ["goal_id", "scorer_key"]
    ):
        dates = group["scored_on"].map(lambda d: pd.Timestamp(d).date())
        recent = group[dates >= since]
        if recent.empty:
            continue
        earlier = group[dates < since]
        before = earlier["score"].iloc[-1] if not earlier.empty else recent["score"].iloc[0]
        latest = recent["score"].iloc[-1]
        rows.append(
            {
                "goal_id": goal_id,
                "scorer_key": scorer_key,
                "scorer": group["scorer"].iloc[0],
                "before": int(before),
                "latest": int(latest),
                "change": int(latest - before),
                "real_change": is_real_change(latest - before),
            }
        )
    return pd.DataFrame(rows, columns=columns)


def _movement(who: str, series: pd.DataFrame) -> str:
    series = series.sort_values(["scored_on", "score_id"])
    first, latest = series.iloc[0], series.iloc[-1]
    month = month_and_year(pd.Timestamp(first["scored_on"]).date())
    if len(series) == 1:
        return _("{who} was {score} in {month}.", who=who, score=int(first["score"]), month=month)
    if first["score"] == latest["score"]:
        return _(
            "{who} is at {score}, the same as in {month}.",
            who=who,
            score=int(latest["score"]),
            month=month,
        )
    return _(
        "{who} went from {first} to {latest} since {month}.",
        who=who,
        first=int(first["score"]),
        latest=int(latest["score"]),
        month=month,
    )


def goal_sentences(*, whose: str, wording: str, points: pd.DataFrame) -> list[str]:
    """One line per person who scores the goal, each naming whose score it is, so no voice
    speaks for another: "Mia's goal 'feel calmer at bedtime': Mia's score went from 3 to 7
    since March 2025." then "Dad's score …", and a worker's view last, named as such. The
    goal's owner speaks first; then other family members in the order they began scoring."""
    owner = _("{name}'s goal", name=whose) if whose else _("The family's goal")
    if points.empty:
        return [_("{owner} '{wording}' hasn't been scored yet.", owner=owner, wording=wording)]
    ordered = points.sort_values(["scored_on", "score_id"])
    voices = ordered.drop_duplicates("scorer_key").assign(
        order=lambda f: [
            (bool(worker), scorer != whose, n)
            for n, (worker, scorer) in enumerate(zip(f["is_worker_view"], f["scorer"]))
        ]
    )
    lines = []
    for voice in sorted(voices.itertuples(), key=lambda v: v.order):
        series = ordered[ordered["scorer_key"] == voice.scorer_key]
        who = voice.scorer if voice.is_worker_view else _("{name}'s score", name=voice.scorer)
        lines.append(_movement(who, series))
    lines[0] = _("{owner} '{wording}': {line}", owner=owner, wording=wording, line=lines[0])
    return lines


def goal_sentence(*, whose: str, wording: str, points: pd.DataFrame) -> str:
    """goal_sentences as one text, a line each (a Markdown line break between them)."""
    return "  \n".join(goal_sentences(whose=whose, wording=wording, points=points))
