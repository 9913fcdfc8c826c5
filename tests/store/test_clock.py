"""'Today' is the team's day, not the server's: at 23:30 UTC a team in Helsinki is already living
tomorrow, and at 03:00 UTC a team in New York is still living yesterday. Every "can't be in the
future" check and every date that defaults to today follows the family's team."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest

from db import goals as goal_store
from db import huddle, meetings
from db.family_world import add_note
from db.goals import GoalIn, ScoreIn
from db.meetings import ItemIn, PlanStepIn
from db.rules.validation import Invalid
from db.store import clock
from db.store.models import Role
from tests import factories

# The real UTC date, so the frozen moment disagrees with the server's own date.today() too.
UTC_DAY = datetime.now(timezone.utc).date()
AHEAD = ("Europe/Helsinki", time(23, 30), UTC_DAY + timedelta(days=1))
BEHIND = ("America/New_York", time(3, 0), UTC_DAY - timedelta(days=1))


@pytest.fixture(params=[AHEAD, BEHIND], ids=["ahead of UTC", "behind UTC"])
def team_world(request, demo_db, clock_at):
    zone, at, team_day = request.param
    frozen = datetime.combine(UTC_DAY, at, timezone.utc)
    clock_at(frozen)
    team = factories.team(f"Team in {zone}", time_zone=zone)
    worker = factories.worker(
        "clockworker", Role.practitioner, Role.manager, teams=(team,), leads=(team,)
    )
    family = factories.family(team, first_came_on=UTC_DAY - timedelta(days=60))
    child = factories.person(family, "Mia")
    return {"team": team, "worker": worker, "family": family, "child": child, "today": team_day}


def _set_goal(world, on: date) -> int:
    goal = GoalIn(wording="Feel calmer at bedtime", person_id=world["child"], set_on=on)
    return goal_store.add_goal(world["worker"], family_id=world["family"], goal=goal)


def _score(world, on: date) -> None:
    goal_id = _set_goal(world, world["today"] - timedelta(days=7))
    goal_store.record_scores(
        world["worker"],
        family_id=world["family"],
        token=f"clock-{on}",
        scored_on=on,
        scores=[ScoreIn(goal_id=goal_id, score=6, person_id=world["child"])],
    )


def _talk(world, on: date) -> None:
    meetings.add_conversation(
        world["worker"],
        family_id=world["family"],
        held_on=on,
        items=[ItemIn(column="going_well", words=f"Bedtimes were calmer ({on})")],
    )


def _agree_step(world, on: date) -> None:
    step = PlanStepIn(what="Read a story at bedtime")
    meetings.add_plan_step(world["worker"], family_id=world["family"], step=step, agreed_on=on)


def _hold_huddle(world, on: date) -> None:
    huddle.hold(world["worker"], world["team"], on)


def _oversight(world, on: date) -> None:
    add_note(
        world["worker"], family_id=world["family"], kind="oversight", words="Agreed.", written_on=on
    )


WRITES = [_set_goal, _score, _talk, _agree_step, _hold_huddle, _oversight]


@pytest.mark.parametrize("write", WRITES)
def test_the_teams_today_is_accepted(team_world, write):
    write(team_world, team_world["today"])


@pytest.mark.parametrize("write", WRITES)
def test_the_day_after_the_teams_today_is_in_the_future(team_world, write):
    with pytest.raises(Invalid, match="can't be in the future"):
        write(team_world, team_world["today"] + timedelta(days=1))


def test_a_plan_step_agreed_without_a_date_is_dated_the_teams_today(team_world):
    step = PlanStepIn(what="Walk to school together")
    meetings.add_plan_step(team_world["worker"], family_id=team_world["family"], step=step)
    plan = meetings.plan(team_world["worker"], team_world["family"])
    assert plan.set_index("what").loc["Walk to school together", "agreed_on"] == team_world["today"]


def test_a_huddle_started_without_a_date_is_held_on_the_teams_today(team_world):
    huddle_id = huddle.hold(team_world["worker"], team_world["team"])
    assert huddle_id == huddle.hold(team_world["worker"], team_world["team"], team_world["today"])


def test_today_in_follows_the_zone():
    moment = datetime(2025, 6, 14, 23, 30, tzinfo=timezone.utc)
    assert clock.local_day(moment, "Asia/Tokyo") == date(2025, 6, 15)
    assert clock.local_day(moment, "America/New_York") == date(2025, 6, 14)
