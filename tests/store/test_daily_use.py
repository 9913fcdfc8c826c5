"""Daily use without surprises: a repeated identical save within the window is refused kindly
(and allowed after it, with other words, or by another worker); a record saved by mistake is
withdrawn, audited, gone from the read models and kept in the history and the records copy."""

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlmodel import Session, func, select

from db import goals, huddle, meetings
from db.conference import meeting_screen
from db.goals import GoalIn, ScoreIn
from db.meetings import ItemIn, MeetingIn, PlanStepIn
from db.rules.access import NotAllowed
from db.rules.validation import Invalid
from db.rules.writes import AlreadySaved, withdraw
from db.settings import REPEAT_WINDOW_MINUTES
from db.store.models import AuditEvent, Conversation, Goal, Meeting, PlanStep, Relationship, Role
from db.subject_access import approve_request, ask_for_copy, prepare_copy
from db.timeline import timeline
from tests import factories

NOW = datetime.now(timezone.utc).replace(microsecond=0)


@pytest.fixture
def world(empty_db):
    team = factories.team("Daily team")
    family = factories.family(team, first_came_on=date(2025, 1, 1))
    return {
        "engine": empty_db,
        "sam": factories.worker("sam", Role.practitioner, teams=(team,)),
        "jo": factories.worker("jo", Role.practitioner, teams=(team,)),
        "outsider": factories.worker("outsider", Role.practitioner, teams=(factories.team("B"),)),
        "admin": factories.worker("admin", Role.admin),
        "family": family,
        "mum": factories.person(family, "Mum", Relationship.parent),
    }


def _count(world, model, *where) -> int:
    with Session(world["engine"]) as session:
        return session.exec(select(func.count(model.id)).where(*where)).one()


def _later(monkeypatch, minutes: float) -> None:
    """As if the clock the repeat check reads had moved on (the audit itself is append-only)."""
    from db.rules import writes
    from db.store.clock import utcnow

    monkeypatch.setattr(writes, "utcnow", lambda: utcnow() + timedelta(minutes=minutes))


def _goal(world, wording="Calmer mornings", who="sam") -> int:
    return goals.add_goal(world[who], family_id=world["family"], goal=GoalIn(wording, world["mum"]))


def _meeting(world, summary="We talked about school", who="sam") -> int:
    return meetings.record_meeting(
        world[who],
        family_id=world["family"],
        meeting=MeetingIn(
            kind="home_visit", status="held", starts_at=NOW - timedelta(hours=1), summary=summary
        ),
    )


def _step(world, what="Ring the school", who="sam", visibility="family") -> int:
    return meetings.add_plan_step(
        world[who], family_id=world["family"], step=PlanStepIn(what, visibility=visibility)
    )


def _conversation(world, words="Mornings are calmer", who="sam") -> int:
    return meetings.add_conversation(
        world[who],
        family_id=world["family"],
        held_on=date.today(),
        items=[ItemIn("going_well", words, world["mum"], "everyone")],
    )


SAVES = {"goal": (_goal, Goal), "meeting": (_meeting, Meeting), "plan_step": (_step, PlanStep)}


@pytest.mark.parametrize("kind", [*SAVES, "conversation"])
def test_the_same_save_twice_in_the_window_is_refused_kindly(world, kind):
    save, model = SAVES.get(kind, (_conversation, Conversation))
    save(world)
    with pytest.raises(AlreadySaved, match="This was saved a moment ago"):
        save(world)
    assert _count(world, model, model.family_id == world["family"]) == 1


@pytest.mark.parametrize("kind", [*SAVES, "conversation"])
def test_the_same_save_is_allowed_after_the_window_or_with_other_words(world, kind, monkeypatch):
    save, model = SAVES.get(kind, (_conversation, Conversation))
    first = save(world)
    _later(monkeypatch, REPEAT_WINDOW_MINUTES + 1)
    second = save(world)
    assert second != first
    save(world, "Different words this time")
    save(world, who="jo")  # another worker saving the same thing is not a repeated click
    assert _count(world, model, model.family_id == world["family"]) == 4


def test_a_withdrawn_record_no_longer_counts_as_the_earlier_save(world):
    goal_id = _goal(world)
    withdraw(world["sam"], record_type="goal", record_id=goal_id, reason="Wrong family")
    assert _goal(world) != goal_id


def test_withdrawing_is_audited_and_hides_the_record_from_every_read_model(world):
    sam, family = world["sam"], world["family"]
    goal_id = _goal(world, "Withdrawn goal")
    goals.record_scores(
        sam,
        family_id=family,
        token="t1",
        scored_on=date.today(),
        scores=[ScoreIn(goal_id, 4, person_id=world["mum"])],
    )
    meeting_id = _meeting(world, "Withdrawn meeting")
    step_id = _step(world, "Withdrawn step", visibility="everyone")
    _conversation(world, "Withdrawn words")
    item_id = meetings.conversations(sam, family)["item_id"].iloc[0]

    for record_type, record_id in [
        ("goal", goal_id),
        ("meeting", meeting_id),
        ("plan_step", step_id),
        ("conversation_item", int(item_id)),
    ]:
        withdraw(sam, record_type=record_type, record_id=record_id, reason="Saved twice")

    data = goals.goal_data(sam, family)
    assert data.goals.empty and data.scores.empty and data.meeting_days.empty
    assert meetings.plan(sam, family).empty
    assert meetings.conversations(sam, family).empty
    from db.families import family_meetings

    assert family_meetings(sam, family).empty
    shared = meeting_screen(sam, family, "everyone")
    assert shared.goals.goals.empty and shared.plan.empty and shared.going_well.empty
    board = huddle.board(sam, factories_team(world), week_start=huddle.monday_of(date.today()))
    assert family not in set(board.rows[board.rows["section"] == "good_news"]["family_id"])

    with Session(world["engine"]) as session:
        events = session.exec(
            select(AuditEvent.record_type, AuditEvent.worker_id, AuditEvent.fields).where(
                AuditEvent.action == "withdraw"
            )
        ).all()
        goal = session.get(Goal, goal_id)
    assert sorted(e[0] for e in events) == ["conversation_item", "goal", "meeting", "plan_step"]
    assert {e[1] for e in events} == {sam.worker_id}
    assert all("Saved twice" not in e[2] for e in events)  # names, never values
    assert goal.withdrawn_by == sam.worker_id and goal.withdrawn_reason == "Saved twice"

    story = " | ".join(timeline(sam, family)["what"])
    assert "Goal set: Withdrawn goal" in story
    assert "Scores given: 1" in story  # the round stays in the story, as it was given
    assert "Withdrawn, recorded by mistake (Saved twice): Withdrawn goal" in story
    assert "Withdrawn, recorded by mistake (Saved twice): Withdrawn step" in story

    import json

    request = ask_for_copy(world["admin"], family, asked_by_whom="Mum", asked_on=date.today())
    manager = factories.worker("copy.manager", Role.manager, leads=(factories_team(world),))
    approve_request(manager, request)
    copy = json.loads(prepare_copy(manager, request))["records"]
    assert [g["withdrawn_reason"] for g in copy["goal"]] == ["Saved twice"]


def factories_team(world) -> int:
    with Session(world["engine"]) as session:
        from db.store.models import Family

        return session.get(Family, world["family"]).team_id


def test_only_the_familys_team_may_withdraw_and_a_reason_is_needed(world):
    goal_id = _goal(world)
    with pytest.raises(NotAllowed):
        withdraw(world["outsider"], record_type="goal", record_id=goal_id, reason="Not mine")
    with pytest.raises(Invalid, match="why it is being withdrawn"):
        withdraw(world["jo"], record_type="goal", record_id=goal_id, reason="  ")
    withdraw(world["jo"], record_type="goal", record_id=goal_id, reason="Duplicate")
    with pytest.raises(Invalid, match="already withdrawn"):
        withdraw(world["sam"], record_type="goal", record_id=goal_id, reason="Again")
    assert _count(world, Goal, Goal.withdrawn_at.is_not(None)) == 1


def test_a_private_plan_step_stays_off_family_facing_views(world):
    _step(world, "Debt advice appointment", visibility="private")
    _step(world, "Household step", visibility="family")
    _step(world, "Everyone's step", visibility="everyone")
    shown = lambda audience: set(meetings.plan(world["sam"], world["family"], audience)["what"])  # noqa: E731
    assert shown("staff") == {"Debt advice appointment", "Household step", "Everyone's step"}
    assert shown("household") == {"Household step", "Everyone's step"}
    assert shown("everyone") == {"Everyone's step"}
