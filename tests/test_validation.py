"""Each rule stated once: the input models hold the limits, and pydantic's errors become one
plain sentence naming the field. Pure: no database."""

from datetime import date

import pytest
from pydantic import ValidationError

from db.goals import GoalIn, ScoreIn
from db.rules.validation import Invalid, max_chars
from db.settings import Settings
from db.store.models import Goal


@pytest.mark.parametrize(
    "values, sentence",
    [
        ({"wording": "   "}, "Please write something for the goal, in their own words."),
        ({"wording": "x" * 301}, "The goal is too long: please keep it under 300 characters."),
        ({"wording": "Calm\x00er"}, "The goal has a hidden character in it"),
        ({"wording": "Calm \ud83d"}, "The goal has a broken character in it"),
        ({"wording": 42}, "Please write the goal in words."),
        (
            {"wording": "x", "visibility": "street"},
            "Please choose one of the options for who can see it.",
        ),
        ({"wording": "x", "person_id": 10**20}, "Please choose whose goal it is again"),
        ({"wording": "x", "set_on": date(9999, 1, 1)}, "The day the goal was set can't be later"),
        (
            {"wording": "x", "set_on": date(1, 1, 1)},
            "The day the goal was set can't be before 1900.",
        ),
    ],
)
def test_a_bad_goal_is_one_sentence_naming_the_field(values, sentence):
    with pytest.raises(Invalid) as raised:
        GoalIn(**values)
    assert str(raised.value).startswith(sentence)
    assert "pydantic" not in str(raised.value) and "String should" not in str(raised.value)


@pytest.mark.parametrize("score", [11, -1, 4.5, "seven", None, True])
def test_a_score_outside_0_to_10_says_the_range_once(score):
    with pytest.raises(Invalid, match="^The score should be a whole number from 0 to 10.$"):
        ScoreIn(1, score, 2)


def test_the_goal_limit_is_the_tables_and_the_form_reads_it():
    assert max_chars(GoalIn, "wording") == Goal.__table__.c.wording.type.length == 300
    assert GoalIn("x" * 300).wording == "x" * 300


def test_inputs_take_the_positions_they_always_had():
    goal = GoalIn("  Calmer bedtimes ", 7)
    assert (goal.wording, goal.person_id) == ("Calmer bedtimes", 7)
    assert ScoreIn.check({"goal_id": 1, "score": "7", "person_id": 2}).score == 7
    with pytest.raises(Invalid, match="Please check the form"):
        ScoreIn.check("not a score")


def test_settings_come_from_environment_variables_of_the_same_name(monkeypatch):
    monkeypatch.setenv("IDLE_MINUTES", "12")
    monkeypatch.setenv("RETENTION_YEARS", "8")
    settings = Settings()
    assert (settings.IDLE_MINUTES, settings.RETENTION_YEARS) == (12, 8)
    monkeypatch.setenv("RETENTION_YEARS", "a while")
    with pytest.raises(ValidationError, match="RETENTION_YEARS"):
        Settings()
