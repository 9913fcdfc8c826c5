"""Goal metrics against hand-computed cases."""

from datetime import date

import pandas as pd
import pytest

from db import metrics
from db.metrics import SCORE_COLUMNS

TODAY = date(2025, 6, 30)


def scores(*rows) -> pd.DataFrame:
    """rows: (goal, scorer_key, day, score); names follow the key; 'w:' keys are worker views."""
    return pd.DataFrame(
        [
            {
                "score_id": i,
                "goal_id": goal,
                "scorer_key": key,
                "scorer": {"p:1": "Mia", "p:2": "Dad", "w:9": "Sam (worker's view)"}[key],
                "is_worker_view": key.startswith("w:"),
                "scored_on": day,
                "score": score,
            }
            for i, (goal, key, day, score) in enumerate(rows, start=1)
        ],
        columns=SCORE_COLUMNS,
    )


def history(goal: int, key: str, *points: tuple[date, int]) -> list[tuple]:
    """One scorer's scores on one goal, as rows for scores(): points are (day, score), in the
    order they were entered."""
    return [(goal, key, day, score) for day, score in points]


def progress(*rows) -> pd.DataFrame:
    return metrics.progress(scores(*rows), TODAY)


def test_one_score_only_has_no_change():
    out = metrics.progress(scores((1, "p:1", date(2025, 3, 1), 4)), TODAY)
    row = out.iloc[0]
    assert (row.first_score, row.latest_score, row.change, row.scores) == (4, 4, 0, 1)
    assert not row.real_change and row.direction == "same"
    assert row.days_since_last == (TODAY - date(2025, 3, 1)).days


def test_a_move_of_exactly_two_is_not_a_real_change_and_three_is():
    out = progress(
        *history(1, "p:1", (date(2025, 1, 1), 3), (date(2025, 2, 1), 5)),
        *history(2, "p:1", (date(2025, 1, 1), 3), (date(2025, 2, 1), 6)),
    )
    assert out.set_index("goal_id")["real_change"].to_dict() == {1: False, 2: True}
    assert out.set_index("goal_id")["change"].to_dict() == {1: 2, 2: 3}


def test_a_fall_of_three_is_a_real_change_down():
    row = progress(*history(1, "p:1", (date(2025, 1, 1), 7), (date(2025, 2, 1), 4))).iloc[0]
    assert row.real_change and row.direction == "down" and row.change == -3


def test_ties_on_the_same_day_keep_the_order_they_were_entered():
    row = progress(*history(1, "p:1", (date(2025, 1, 1), 2), (date(2025, 1, 1), 6))).iloc[0]
    assert (row.first_score, row.latest_score) == (2, 6)


def test_gaps_use_first_and_latest_whatever_lies_between():
    row = progress(
        *history(1, "p:1", (date(2024, 1, 1), 5), (date(2024, 2, 1), 1), (date(2025, 6, 1), 6))
    ).iloc[0]
    assert (row.first_score, row.latest_score, row.change, row.scores) == (5, 6, 1, 3)
    assert row.days_since_last == 29


def test_two_scorers_disagreeing_are_kept_apart():
    out = progress(
        *history(1, "p:1", (date(2025, 1, 1), 2), (date(2025, 3, 1), 8)),
        *history(1, "p:2", (date(2025, 1, 1), 6), (date(2025, 3, 1), 3)),
    )
    by_scorer = out.set_index("scorer")
    assert by_scorer.loc["Mia", "change"] == 6 and by_scorer.loc["Dad", "change"] == -3
    assert by_scorer.loc["Mia", "real_change"] and by_scorer.loc["Dad", "real_change"]


def test_movement_counts_family_members_own_scores_not_worker_views():
    out = progress(
        *history(1, "p:1", (date(2025, 1, 1), 2), (date(2025, 3, 1), 5)),
        *history(1, "w:9", (date(2025, 1, 1), 9), (date(2025, 3, 1), 1)),
        *history(2, "p:1", (date(2025, 1, 1), 5), (date(2025, 3, 1), 5)),
        *history(3, "p:2", (date(2025, 1, 1), 5), (date(2025, 3, 1), 4)),
    )
    assert metrics.movement(out) == {"up": 1, "down": 1, "steady": 1}


def test_change_since_compares_with_the_last_score_before():
    frame = scores(
        *history(1, "p:1", (date(2025, 1, 1), 8), (date(2025, 6, 1), 7), (date(2025, 6, 20), 4)),
        *history(1, "w:9", (date(2025, 6, 20), 1)),
    )
    out = metrics.change_since(frame, date(2025, 6, 10))
    assert out[["before", "latest", "change", "real_change"]].iloc[0].tolist() == [7, 4, -3, True]
    assert len(out) == 1  # the worker's view is not a family member's own score


@pytest.mark.parametrize(
    "rows, expected",
    [
        ([], "Mia's goal 'feel calmer at bedtime' hasn't been scored yet."),
        (
            [(1, "p:1", date(2025, 3, 4), 3)],
            "Mia's goal 'feel calmer at bedtime': Mia's score was 3 in March 2025.",
        ),
        (
            [(1, "p:1", date(2025, 3, 4), 3), (1, "p:1", date(2025, 5, 1), 7)],
            "Mia's goal 'feel calmer at bedtime': Mia's score went from 3 to 7 since March 2025.",
        ),
        (
            [(1, "p:1", date(2025, 3, 4), 5), (1, "p:1", date(2025, 5, 1), 5)],
            "Mia's goal 'feel calmer at bedtime': Mia's score is at 5, the same as in March 2025.",
        ),
    ],
)
def test_goal_sentence(rows, expected):
    assert (
        metrics.goal_sentence(whose="Mia", wording="feel calmer at bedtime", points=scores(*rows))
        == expected
    )


def test_goal_sentence_follows_the_owner_not_the_worker():
    frame = scores(
        *history(1, "w:9", (date(2025, 1, 1), 1), (date(2025, 4, 1), 9)),
        *history(1, "p:1", (date(2025, 2, 1), 4), (date(2025, 4, 1), 6)),
    )
    assert "went from 4 to 6 since February 2025" in metrics.goal_sentence(
        whose="Mia", wording="x", points=frame
    )


def test_each_voice_is_named_and_none_speaks_for_another():
    """The family's goal went 1 to 7 in the worker's view while Mia's own went 2 to 8, and
    Dad began later: each says whose score it is, the worker's view last."""
    frame = scores(
        (1, "w:9", date(2025, 1, 1), 1),
        (1, "p:2", date(2025, 2, 1), 5),
        (1, "p:1", date(2025, 3, 1), 2),
        (1, "w:9", date(2025, 5, 1), 7),
        (1, "p:1", date(2025, 5, 1), 8),
    )
    lines = metrics.goal_sentences(whose="", wording="a calmer home", points=frame)
    assert lines == [
        "The family's goal 'a calmer home': Dad's score was 5 in February 2025.",
        "Mia's score went from 2 to 8 since March 2025.",
        "Sam (worker's view) went from 1 to 7 since January 2025.",
    ]
    owned = metrics.goal_sentences(whose="Mia", wording="a calmer home", points=frame)
    assert owned[0] == "Mia's goal 'a calmer home': Mia's score went from 2 to 8 since March 2025."
