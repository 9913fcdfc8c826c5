"""A family's goal charts keep each goal and each person apart, and speak the reader's
language whoever drew them first; the latest conversation is the latest one said."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from components.goals import goal_spec, overview_spec
from db import goals, i18n, meetings
from db.goals import GoalIn, ScoreIn
from db.meetings import ItemIn
from db.store.models import Relationship
from tests import factories as make

DAYS_AGO = [date.today() - timedelta(days=n) for n in (20, 10)]


@pytest.fixture
def family(empty_db):
    team = make.team()
    worker = make.practitioner("charts.worker", team)
    family_id = make.family(team, first_came_on=date(2024, 1, 1))
    return worker, family_id


def _rows(spec: dict) -> list[dict]:
    return [row for rows in spec["datasets"].values() for row in rows]


def _score(worker, family_id, token, on, *scores: ScoreIn) -> None:
    goals.record_scores(worker, family_id=family_id, token=token, scored_on=on, scores=scores)


def test_two_childrens_goals_in_the_same_words_are_two_panels(family):
    worker, family_id = family
    set_on = date.today() - timedelta(days=30)
    ids = [
        goals.add_goal(
            worker,
            family_id=family_id,
            goal=GoalIn(wording="Get to school on time", person_id=child, set_on=set_on),
        )
        for child in (make.person(family_id, "Ellie"), make.person(family_id, "Sam"))
    ]
    for n, (ellie, sam) in enumerate([(2, 9), (3, 8)]):
        _score(
            worker,
            family_id,
            f"round{n}",
            DAYS_AGO[n],
            ScoreIn(goal_id=ids[0], score=ellie, worker_id=worker.worker_id),
            ScoreIn(goal_id=ids[1], score=sam, worker_id=worker.worker_id),
        )
    data = goals.goal_data(worker, family_id)
    rows = _rows(
        overview_spec(family_id, data.data_version, "staff", "en", data.goals, data.scores)
    )
    panels = {row["goal"]: [] for row in rows}
    for row in rows:
        panels[row["goal"]].append(row["score"])
    assert panels == {
        "Get to school on time (Ellie)": [2, 3],
        "Get to school on time (Sam)": [9, 8],
    }


def test_two_people_of_the_same_name_are_two_lines(family):
    worker, family_id = family
    dad = make.person(family_id, "Jordan", Relationship.parent)
    son = make.person(family_id, "Jordan", Relationship.child)
    goal = goals.add_goal(
        worker,
        family_id=family_id,
        goal=GoalIn(wording="Fewer rows at tea time", set_on=date.today() - timedelta(days=30)),
    )
    for n, (theirs, his) in enumerate([(2, 8), (3, 7)]):
        _score(
            worker,
            family_id,
            f"round{n}",
            DAYS_AGO[n],
            ScoreIn(goal_id=goal, score=theirs, person_id=dad),
            ScoreIn(goal_id=goal, score=his, person_id=son),
        )
    data = goals.goal_data(worker, family_id)
    assert set(data.scores["scorer"]) == {"Jordan", "Jordan (2)"}
    spec = goal_spec(family_id, data.data_version, goal, "staff", data.scores, data.meeting_days)
    lines: dict[str, list[int]] = {}
    for row in _rows(spec):
        if "scorer" in row and "score" in row:
            lines.setdefault(row["scorer"], []).append(row["score"])
    assert lines == {"Jordan": [2, 3], "Jordan (2)": [8, 7]}


def test_the_overview_speaks_the_readers_language_whoever_drew_it_first(family):
    worker, family_id = family
    goal = goals.add_goal(
        worker,
        family_id=family_id,
        goal=GoalIn(wording="Calmer mornings", set_on=date.today() - timedelta(days=30)),
    )
    _score(
        worker,
        family_id,
        "one",
        DAYS_AGO[1],
        ScoreIn(goal_id=goal, score=4, worker_id=worker.worker_id),
    )
    data = goals.goal_data(worker, family_id)

    def drawn(language: str) -> str:
        with i18n.speaking(language):
            return str(
                overview_spec(
                    family_id, data.data_version, "staff", language, data.goals, data.scores
                )
            )

    english = drawn("en")
    with i18n.speaking("cy"):
        who_scored_in_welsh = i18n._("Who scored")
    assert who_scored_in_welsh != "Who scored"
    assert who_scored_in_welsh in drawn("cy")
    assert who_scored_in_welsh not in english


def test_the_latest_of_two_conversations_on_one_day_is_the_later_one(family):
    worker, family_id = family
    today = date.today()
    for words in ("Mum got the kids to school", "Dad cooked tea"):
        meetings.add_conversation(
            worker,
            family_id=family_id,
            held_on=today,
            items=[ItemIn(column="going_well", words=words)],
        )
    frame = meetings.conversations(worker, family_id)
    latest = frame[frame["conversation_id"] == frame["conversation_id"].iloc[0]]
    assert list(latest["words"]) == ["Dad cooked tea"]


def _legends(spec: dict) -> list[dict]:
    return [
        channel["legend"]
        for layer in spec.get("layer", [])
        for channel in layer.get("encoding", {}).values()
        if isinstance(channel, dict) and channel.get("legend")
    ]


def test_the_family_meeting_screens_charts_are_read_from_across_the_room(family):
    worker, family_id = family
    mum = make.person(family_id, "Mum", Relationship.parent)
    goal = goals.add_goal(
        worker,
        family_id=family_id,
        goal=GoalIn(wording="Calmer mornings", visibility="everyone", set_on=DAYS_AGO[0]),
    )
    _score(worker, family_id, "r1", DAYS_AGO[0], ScoreIn(goal_id=goal, score=3, person_id=mum))
    _score(worker, family_id, "r2", DAYS_AGO[1], ScoreIn(goal_id=goal, score=5, person_id=mum))

    def spec_for(audience: str) -> dict:
        data = goals.goal_data(worker, family_id, audience)
        return goal_spec(
            family_id, data.data_version, goal, audience, data.scores, data.meeting_days
        )

    for audience in ("everyone", "household"):
        spec = spec_for(audience)
        assert spec["config"]["axis"]["labelFontSize"] >= 18
        assert spec["config"]["axis"]["titleFontSize"] >= 18
        legends = _legends(spec)
        assert legends and all(legend["labelFontSize"] >= 18 for legend in legends)
        # A name is never cut short ("Sam Carter (barn y gweithi…"): no limit on its width.
        assert all(legend.get("labelLimit") == 0 for legend in legends if legend.get("title"))
    staff = spec_for("staff")  # the worker's own screens keep their size
    assert "axis" not in staff.get("config", {})
    assert all(legend["labelFontSize"] == 13 for legend in _legends(staff))
