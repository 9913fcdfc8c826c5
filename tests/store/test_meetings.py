"""Meetings, conferences, conversations and the plan: stored whole or not at all."""

from datetime import date, datetime, timedelta, timezone
from functools import partial

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, func, select

from db import meetings
from db.conference import meeting_screen
from db.meetings import ChildViewIn, ItemIn, MeetingIn, PlanStepIn
from db.rules.validation import Conflict, Invalid
from db.rules.writes import withdraw
from db.store.models import (
    ChildView,
    Meeting,
    MeetingKind,
    MeetingStatus,
    PlanStep,
    Relationship,
    Role,
)
from db.timeline import timeline
from tests import factories

NOW = datetime.now(timezone.utc).replace(microsecond=0)


@pytest.fixture
def world(demo_db):
    team = factories.team("Meeting team")
    worker = factories.worker("meetingworker", Role.practitioner, teams=(team,))
    family = factories.family(team, first_came_on=date(2025, 1, 1))
    return {
        "engine": demo_db,
        "worker": worker,
        "family": family,
        "ellie": factories.person(family, "Ellie"),
        "mum": factories.person(family, "Mum", Relationship.parent),
        "barred": factories.person(family, "Gary", Relationship.parent, must_not_invite=True),
        "other": factories.person(factories.family(factories.team("Other")), "Other child"),
    }


def _count(engine, model) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count(model.id))).one()


def _first_wins(write, first: dict, second: dict) -> None:
    """Two forms drawn at the same version: the first save is stored and the second, which
    would overwrite it, is refused."""
    write(**first)
    with pytest.raises(Conflict):
        write(**second)


def _conference(world, **changes) -> MeetingIn:
    values = dict(
        kind=MeetingKind.family_group_conference.value,
        status=MeetingStatus.held.value,
        starts_at=NOW - timedelta(hours=3),
        place="Community centre",
        summary="The family agreed their plan.",
        invited=(world["ellie"], world["mum"]),
        came=(world["ellie"], world["mum"]),
        workers=(world["worker"].worker_id,),
        child_views=(ChildViewIn(world["ellie"], "I want to see Nan more", "everyone"),),
        coordinator="Ann Hughes",
        preparation_visits=2,
        private_family_time=True,
        plan_steps=(
            PlanStepIn("Nan picks Ellie up on Fridays", "Nan", date.today() + timedelta(days=14)),
        ),
        if_plan_does_not_work="We meet again within a week",
        look_again_on=date.today() + timedelta(days=42),
    )
    values.update(changes)
    return MeetingIn(**values)


def test_a_held_conference_keeps_views_plan_and_books_the_catch_up(world):
    meeting_id = meetings.record_meeting(
        world["worker"], family_id=world["family"], meeting=_conference(world)
    )
    detail = meetings.meeting_detail(world["worker"], meeting_id)
    assert detail.child_views == [("Ellie", "I want to see Nan more")]
    assert [s.what for s in detail.plan_steps] == ["Nan picks Ellie up on Fridays"]
    with Session(world["engine"]) as session:
        planned = session.exec(
            select(Meeting).where(
                Meeting.family_id == world["family"], Meeting.kind == MeetingKind.plan_catch_up
            )
        ).one()
    assert planned.status == MeetingStatus.planned
    assert (
        planned.starts_at.date() == date.today() + timedelta(days=42)
        or abs((planned.starts_at.date() - (date.today() + timedelta(days=42))).days) <= 1
    )
    note = meetings.case_note(detail)
    assert "The family agreed their plan." in note and "Nan picks Ellie up on Fridays" in note
    assert "Ann Hughes" in note and "Private family time: yes" in note


@pytest.mark.parametrize(
    "changes, says",
    [
        ({"starts_at": NOW + timedelta(days=2)}, "can't have happened yet"),
        ({"plan_steps": (PlanStepIn("x", by_when=date(2020, 1, 1)),)}, "due before"),
        ({"kind": "inspection"}, "choose one of the options"),
        ({"summary": "x" * 5001}, "too long"),
        ({"look_again_on": date(2020, 1, 1)}, "after the meeting"),
    ],
)
def test_bad_meetings_store_nothing(world, changes, says):
    before = (
        _count(world["engine"], Meeting),
        _count(world["engine"], PlanStep),
        _count(world["engine"], ChildView),
    )
    with pytest.raises(Invalid, match=says):
        meetings.record_meeting(
            world["worker"], family_id=world["family"], meeting=_conference(world, **changes)
        )
    assert (
        _count(world["engine"], Meeting),
        _count(world["engine"], PlanStep),
        _count(world["engine"], ChildView),
    ) == before


def test_an_attendee_from_another_family_or_barred_is_refused(world):
    with pytest.raises(Invalid, match="isn't part of this family"):
        meetings.record_meeting(
            world["worker"],
            family_id=world["family"],
            meeting=_conference(world, came=(world["other"],)),
        )
    with pytest.raises(Invalid, match="must not be invited"):
        meetings.record_meeting(
            world["worker"],
            family_id=world["family"],
            meeting=_conference(world, invited=(world["barred"],)),
        )


def test_a_childs_views_belong_to_a_child(world):
    with pytest.raises(Invalid, match="isn't one of the children"):
        meetings.record_meeting(
            world["worker"],
            family_id=world["family"],
            meeting=_conference(world, child_views=(ChildViewIn(world["mum"], "My view"),)),
        )


def test_conversation_items_keep_speaker_and_visibility(world):
    meetings.add_conversation(
        world["worker"],
        family_id=world["family"],
        held_on=date.today(),
        items=[
            ItemIn("going_well", "Breakfast together", world["ellie"], "everyone"),
            ItemIn("hard", "Bedtime rows", world["mum"], "private"),
        ],
    )
    staff = meetings.conversations(world["worker"], world["family"])
    network = meetings.conversations(world["worker"], world["family"], "everyone")
    assert set(staff["words"]) == {"Breakfast together", "Bedtime rows"}
    assert list(network["words"]) == ["Breakfast together"]
    with pytest.raises(Invalid, match="at least one"):
        meetings.add_conversation(
            world["worker"],
            family_id=world["family"],
            held_on=date.today(),
            items=[ItemIn("hard", "  ")],
        )


def test_plan_steps_conflict_instead_of_overwriting(world):
    step_id = meetings.add_plan_step(
        world["worker"],
        family_id=world["family"],
        step=PlanStepIn("Ring housing", "Mum", date.today() + timedelta(days=7)),
    )
    _first_wins(
        partial(meetings.update_plan_step, world["worker"], step_id=step_id, seen_version=1),
        {"step": PlanStepIn("Ring housing about the heating", "Mum"), "done": False},
        {"step": PlanStepIn("Mine wins?"), "done": True},
    )
    plan = meetings.plan(world["worker"], world["family"])
    assert plan.iloc[0]["what"] == "Ring housing about the heating"


def test_overdue_steps_are_flagged(world):
    meetings.add_plan_step(
        world["worker"],
        family_id=world["family"],
        agreed_on=date.today() - timedelta(days=20),
        step=PlanStepIn(
            "Ask school about breakfast club", by_when=date.today() - timedelta(days=2)
        ),
    )
    assert meetings.plan(world["worker"], world["family"]).iloc[0]["overdue"]


def test_everything_appears_on_the_timeline(world):
    meetings.record_meeting(world["worker"], family_id=world["family"], meeting=_conference(world))
    meetings.add_conversation(
        world["worker"],
        family_id=world["family"],
        held_on=date.today(),
        items=[ItemIn("going_well", "Breakfast together")],
    )
    story = timeline(world["worker"], world["family"])
    assert {"Meetings", "Conversations", "Plan"} <= set(story["kind"])
    assert "What's going well, what's hard: 1 thing said" in list(story["what"])
    only_plan = timeline(world["worker"], world["family"], ["Plan"])
    assert set(only_plan["kind"]) == {"Plan"}


def test_the_timeline_counts_only_what_was_said_not_what_was_withdrawn(world):
    worker, family = world["worker"], world["family"]
    meetings.add_conversation(
        worker,
        family_id=family,
        held_on=date.today(),
        items=[ItemIn("going_well", "Breakfast together"), ItemIn("hard", "Said by mistake")],
    )
    said = meetings.conversations(worker, family).set_index("words")["item_id"]
    withdraw(
        worker,
        record_type="conversation_item",
        record_id=int(said["Said by mistake"]),
        reason="Not said",
    )
    conversations = timeline(worker, family, ["Conversations"])
    assert list(conversations["what"]) == ["What's going well, what's hard: 1 thing said"]
    withdraw(
        worker,
        record_type="conversation_item",
        record_id=int(said["Breakfast together"]),
        reason="Not said",
    )
    assert timeline(worker, family, ["Conversations"]).empty


text_or_junk = st.one_of(
    st.text(max_size=6000), st.integers(), st.none(), st.floats(allow_nan=True)
)


@settings(
    deadline=None, max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    what=text_or_junk,
    who=text_or_junk,
    when=st.one_of(st.dates(), st.none()),
    summary=text_or_junk,
    words=text_or_junk,
)
def test_arbitrary_input_never_crashes_or_stores_a_bad_row(world, what, who, when, summary, words):
    for attempt in (
        lambda: meetings.add_plan_step(
            world["worker"], family_id=world["family"], step=PlanStepIn(what, who, when)
        ),
        lambda: meetings.add_conversation(
            world["worker"],
            family_id=world["family"],
            held_on=when or date.today(),
            items=[ItemIn("hard", words)],
        ),
        lambda: meetings.record_meeting(
            world["worker"],
            family_id=world["family"],
            meeting=MeetingIn(
                kind="call", status="held", starts_at=NOW - timedelta(days=1), summary=summary
            ),
        ),
    ):
        try:
            attempt()
        except Invalid:
            pass
    with Session(world["engine"]) as session:
        steps = session.exec(select(PlanStep).where(PlanStep.family_id == world["family"])).all()
    assert all(s.what.strip() and len(s.what) <= 500 for s in steps)
    assert all(s.by_when is None or s.by_when >= s.agreed_on for s in steps)


def test_meeting_notes_and_conversation_items_conflict_instead_of_overwriting(world):
    meeting_id = meetings.record_meeting(
        world["worker"],
        family_id=world["family"],
        meeting=MeetingIn(
            kind="home_visit",
            status="held",
            starts_at=NOW - timedelta(days=1),
            summary="First words",
        ),
    )
    _first_wins(
        partial(
            meetings.update_meeting_notes, world["worker"], meeting_id=meeting_id, seen_version=1
        ),
        {"summary": "Sam's version", "status": "held", "written_together": True},
        {"summary": "Jo's version", "status": "held", "written_together": False},
    )
    assert meetings.meeting_detail(world["worker"], meeting_id).meeting.summary == "Sam's version"

    meetings.add_conversation(
        world["worker"],
        family_id=world["family"],
        held_on=date.today(),
        items=[ItemIn("hard", "Bedtime rowz", world["mum"])],
    )
    item = meetings.conversations(world["worker"], world["family"]).iloc[0]
    item_id, seen = int(item["item_id"]), int(item["version"])
    _first_wins(
        partial(
            meetings.update_conversation_item, world["worker"], item_id=item_id, seen_version=seen
        ),
        {"words": "Bedtime rows", "visibility": "private"},
        {"words": "Overwrite?", "visibility": "family"},
    )
    after = meetings.conversations(world["worker"], world["family"]).iloc[0]
    assert (after["words"], after["visibility"]) == ("Bedtime rows", "private")
    with pytest.raises(Invalid, match="can't have happened yet"):
        meetings.update_meeting_notes(
            world["worker"],
            meeting_id=meetings.record_meeting(
                world["worker"],
                family_id=world["family"],
                meeting=MeetingIn(kind="call", status="planned", starts_at=NOW + timedelta(days=3)),
            ),
            seen_version=1,
            summary="",
            status="held",
            written_together=False,
        )


def test_only_the_familys_team_can_be_recorded_as_workers_who_came(world):
    """Another team's worker, or a family member's own login (whose account carries a
    person's name), would otherwise be named on this family's meeting and its case note."""
    from db.family_space import accept_invitation, invite_family_member
    from db.store.engine import read_session
    from db.store.models import Worker

    actor = world["worker"]
    elsewhere = factories.team("Elsewhere")
    stranger = factories.practitioner("stranger", elsewhere)
    their_family = factories.family(elsewhere)
    parent = factories.person(their_family, "Zara", Relationship.parent)
    code = invite_family_member(stranger, family_id=their_family, person_id=parent)
    accept_invitation(code, username="zara.home", password="a long password 123")
    with read_session() as session:
        family_login = session.exec(select(Worker.id).where(Worker.username == "zara.home")).one()

    def held_with(*worker_ids: int) -> MeetingIn:
        return MeetingIn(
            kind=MeetingKind.home_visit.value,
            status=MeetingStatus.held.value,
            starts_at=NOW - timedelta(hours=1),
            workers=worker_ids,
        )

    before = _count(world["engine"], Meeting)
    for outsider in (stranger.worker_id, family_login):
        with pytest.raises(Invalid, match="isn't in this family's team"):
            meetings.record_meeting(
                actor, family_id=world["family"], meeting=held_with(actor.worker_id, outsider)
            )
    assert _count(world["engine"], Meeting) == before
    ours = meetings.record_meeting(
        actor, family_id=world["family"], meeting=held_with(actor.worker_id)
    )
    assert meetings.meeting_detail(actor, ours).came == ["Meetingworker (worker)"]


def _next_meeting_and_plan(world) -> tuple:
    screen = meeting_screen(world["worker"], world["family"], "everyone", record_view=False)
    return screen.next_meeting, list(screen.plan["what"]), list(screen.child_views["words"])


def test_a_conference_withdrawn_takes_its_plan_and_catch_up_with_it(world):
    """Recorded on the wrong family by mistake: nothing it brought stays on that family's
    screen, and what went is withdrawn (kept in the history), not deleted."""
    meeting_id = meetings.record_meeting(
        world["worker"], family_id=world["family"], meeting=_conference(world)
    )
    assert _next_meeting_and_plan(world)[0] is not None
    withdraw(world["worker"], record_type="meeting", record_id=meeting_id, reason="Wrong family")
    assert _next_meeting_and_plan(world) == (None, [], [])
    with Session(world["engine"]) as session:
        steps = session.exec(select(PlanStep).where(PlanStep.meeting_id == meeting_id)).all()
        catch_up = session.exec(
            select(Meeting).where(Meeting.follows_meeting_id == meeting_id)
        ).one()
    assert [s.withdrawn_reason for s in steps] == ["Wrong family"]
    assert catch_up.withdrawn_reason == "Wrong family"


def _call_off(worker, meeting_id: int) -> None:
    """The meeting's notes saved as "Called off", from a form drawn just now."""
    meetings.update_meeting_notes(
        worker,
        meeting_id=meeting_id,
        seen_version=meetings.meeting_detail(worker, meeting_id).meeting.version,
        summary="It didn't go ahead.",
        status=MeetingStatus.cancelled.value,
        written_together=False,
    )


def test_a_conference_with_a_plan_is_withdrawn_not_called_off(world):
    meeting_id = meetings.record_meeting(
        world["worker"], family_id=world["family"], meeting=_conference(world)
    )
    before = _next_meeting_and_plan(world)
    with pytest.raises(Invalid, match="withdraw it instead"):
        _call_off(world["worker"], meeting_id)
    assert _next_meeting_and_plan(world) == before


def test_a_conference_called_off_calls_off_the_catch_up_it_booked(world):
    meeting_id = meetings.record_meeting(
        world["worker"],
        family_id=world["family"],
        meeting=_conference(world, plan_steps=(), child_views=()),
    )
    assert _next_meeting_and_plan(world)[0] is not None
    _call_off(world["worker"], meeting_id)
    assert _next_meeting_and_plan(world)[0] is None


def test_a_form_drawn_before_a_conference_was_called_off_cannot_plan_its_catch_up_again(world):
    worker = world["worker"]
    conference = meetings.record_meeting(
        worker, family_id=world["family"], meeting=_conference(world, plan_steps=(), child_views=())
    )
    with Session(world["engine"]) as session:
        catch_up = session.exec(
            select(Meeting).where(Meeting.follows_meeting_id == conference)
        ).one()
    seen_by_a_colleague = catch_up.version
    _call_off(worker, conference)
    with pytest.raises(Conflict):
        meetings.update_meeting_notes(
            worker,
            meeting_id=catch_up.id,
            seen_version=seen_by_a_colleague,
            summary="Booked with Mum",
            status=MeetingStatus.planned.value,
            written_together=False,
        )
