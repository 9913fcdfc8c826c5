"""People, agreements, keeping safe, help, worries, workers and where things are."""

from datetime import date, datetime, timedelta, timezone

import pandas as pd
import pytest
from sqlmodel import Session, col, select

from db import families, family_world
from db.family_world import PersonIn
from db.rules.validation import Conflict, Invalid
from db.store.models import (
    Agreement,
    AuditEvent,
    FamilyStatus,
    FamilyStatusChange,
    Note,
    Person,
    PracticalHelp,
    Role,
    WorkerRelationship,
)
from db.timeline import timeline
from tests import factories

START = date.today() - timedelta(days=100)


@pytest.fixture
def world(demo_db):
    team = factories.team("World team")
    far_team = factories.team("Far team")
    sam = factories.worker("sam", Role.practitioner, teams=(team,))
    jo = factories.worker("jo", Role.practitioner, teams=(team,))
    far = factories.worker("far", Role.practitioner, teams=(far_team,))
    family = factories.family(team, first_came_on=START, status=FamilyStatus.waiting)
    return {
        "engine": demo_db,
        "sam": sam,
        "jo": jo,
        "far": far,
        "family": family,
        "other_family": factories.family(far_team, "Far family"),
    }


def as_sam(world, write, **values):
    """A write by Sam, the family's worker, for the family."""
    return write(world["sam"], family_id=world["family"], **values)


def test_people_are_added_with_their_marks(world):
    teacher = PersonIn(
        name="Mrs Bright",
        relationship="professional",
        organisation="School",
        must_not_see_plan=False,
    )
    dad = PersonIn(name="Gary", relationship="parent", must_not_invite=True, must_not_see_plan=True)
    for person in (teacher, dad):
        as_sam(world, family_world.add_person, person=person)
    from db.families import family_people

    people = family_people(world["sam"], world["family"]).set_index("name")
    assert people.loc["Gary", "must_not_invite"] and people.loc["Gary", "must_not_see_plan"]
    assert people.loc["Mrs Bright", "organisation"] == "School"


def test_a_person_cannot_be_added_to_another_teams_family(world):
    from db.rules.access import NotAllowed

    with pytest.raises(NotAllowed):
        family_world.add_person(
            world["sam"],
            family_id=world["other_family"],
            person=PersonIn(name="Sneaky", relationship="friend"),
        )


def test_agreements_remind_gently_when_not_checked_for_a_while(world):
    agreement = family_world.add_agreement(
        world["sam"],
        family_id=world["family"],
        what="Information may be shared with school",
        with_whom="School",
        agreed_on=date.today() - timedelta(days=400),
    )
    assert family_world.agreements(world["sam"], world["family"]).iloc[0]["time_to_check"]
    family_world.agreement_checked(world["sam"], family_id=world["family"], agreement_id=agreement)
    assert not family_world.agreements(world["sam"], world["family"]).iloc[0]["time_to_check"]


def test_worker_story_choose_hand_over_close_and_reopen(world):
    family_world.assign_worker(
        world["sam"],
        family_id=world["family"],
        worker_id=world["sam"].worker_id,
        chosen_by_family=True,
        started_on=START + timedelta(days=10),
    )
    family_world.hand_over(
        world["sam"],
        family_id=world["family"],
        to_worker_id=world["jo"].worker_id,
        reason="sickness",
        on=START + timedelta(days=50),
    )
    family_world.change_status(
        world["jo"], family_id=world["family"], status="closed", on=START + timedelta(days=80)
    )
    family_world.change_status(
        world["jo"], family_id=world["family"], status="waiting", on=START + timedelta(days=95)
    )
    with Session(world["engine"]) as session:
        relationships = session.exec(
            select(WorkerRelationship)
            .where(WorkerRelationship.family_id == world["family"])
            .order_by(WorkerRelationship.id)
        ).all()
        statuses = session.exec(
            select(FamilyStatusChange.status)
            .where(FamilyStatusChange.family_id == world["family"])
            .order_by(FamilyStatusChange.id)
        ).all()
    assert [(r.chosen_by_family, r.end_reason and r.end_reason.value) for r in relationships] == [
        (True, "sickness"),
        (False, "family_closed"),
    ]
    assert [s.value for s in statuses] == ["waiting", "working_together", "closed", "waiting"]
    story = " | ".join(timeline(world["sam"], world["family"])["what"])
    assert "the family chose them" in story and "sickness" in story and "Closed" in story


@pytest.mark.parametrize(
    "attempt, says",
    [
        (
            lambda w: family_world.assign_worker(
                w["sam"], family_id=w["family"], worker_id=w["far"].worker_id
            ),
            "isn't in this family's team",
        ),
        (
            lambda w: family_world.change_status(
                w["sam"],
                family_id=w["family"],
                status="closed",
                on=date.today() + timedelta(days=1),
            ),
            "future",
        ),
        (
            lambda w: family_world.assign_worker(
                w["sam"],
                family_id=w["family"],
                worker_id=w["sam"].worker_id,
                started_on=START - timedelta(days=5),
            ),
            "before the family",
        ),
        (
            lambda w: family_world.add_note(
                w["sam"],
                family_id=w["family"],
                kind="worry_shared",
                words="Worried about the cold flat",
                written_on=date.today(),
            ),
            "who the worry was shared with",
        ),
    ],
)
def test_bad_changes_are_refused_and_store_nothing(world, attempt, says):
    with pytest.raises(Invalid, match=says):
        attempt(world)
    with Session(world["engine"]) as session:
        assert (
            session.exec(
                select(WorkerRelationship).where(WorkerRelationship.family_id == world["family"])
            ).all()
            == []
        )


def test_a_handover_cannot_end_a_relationship_before_it_began(world):
    as_sam(
        world,
        family_world.assign_worker,
        worker_id=world["sam"].worker_id,
        started_on=START + timedelta(days=30),
    )
    jo = world["jo"].worker_id
    with pytest.raises(Invalid, match="can't end before it began"):
        as_sam(
            world,
            family_world.hand_over,
            to_worker_id=jo,
            reason="worker_left",
            on=START + timedelta(days=10),
        )


def test_help_and_worries_are_on_the_timeline_and_keeping_safe_is_kept(world):
    today = date.today()
    help_given = {"kind": "food", "what": "Food bank voucher", "who_from": "Church"}
    as_sam(world, family_world.add_help, given_on=today, **help_given)
    worry = {"words": "Shared a worry about the cold flat", "next_steps": "They'll visit"}
    as_sam(
        world,
        family_world.add_note,
        kind="worry_shared",
        written_on=today,
        shared_with="Duty social worker",
        **worry,
    )
    safe = {
        "safe_phone": "07700 900123",
        "ok_to_leave_messages": False,
        "never_show": "New address",
    }
    as_sam(world, family_world.save_keeping_safe, seen_version=0, **safe)
    story = " | ".join(timeline(world["sam"], world["family"])["what"])
    assert "Food bank voucher" in story and "Duty social worker" in story
    assert family_world.keeping_safe(world["sam"], world["family"]).safe_phone == "07700 900123"


def test_each_save_is_audited_as_the_kind_of_record_it_wrote(world):
    """The audit's kind of record comes from the record's model, so a create and a later edit
    of the same record are filed together however the write was called."""
    today = date.today()
    as_sam(world, family_world.add_help, given_on=today, kind="food", what="Voucher", who_from="")
    safe = {"safe_phone": "07700 900123", "ok_to_leave_messages": False, "never_show": ""}
    as_sam(world, family_world.save_keeping_safe, seen_version=0, **safe)
    version = family_world.keeping_safe(world["sam"], world["family"]).version
    safe["never_show"] = "New address"
    as_sam(world, family_world.save_keeping_safe, seen_version=version, **safe)
    with Session(world["engine"]) as session:
        audited = session.exec(
            select(AuditEvent.action, AuditEvent.record_type)
            .where(AuditEvent.family_id == world["family"])
            .order_by(col(AuditEvent.id))
        ).all()
    saves = [tuple(row) for row in audited if row[0] in ("create", "update")]
    assert saves == [
        ("create", "practical_help"),
        ("create", "keeping_safe"),
        ("update", "keeping_safe"),
    ]


def test_one_main_worker_even_when_eight_are_assigned_at_once(world):
    """The family row is locked in write transactions, so 'one main worker' holds under
    concurrent saves on PostgreSQL as it does on SQLite."""
    import threading

    team_id = factories.team("Busy team")
    family = factories.family(
        team_id, "The Busy family", first_came_on=START, status=FamilyStatus.waiting
    )
    workers = [factories.worker(f"busy{n}", Role.practitioner, teams=(team_id,)) for n in range(8)]
    start, results = threading.Barrier(len(workers)), []

    def assign(worker):
        start.wait()
        try:
            family_world.assign_worker(
                worker,
                family_id=family,
                worker_id=worker.worker_id,
                started_on=START + timedelta(days=1),
            )
            results.append("assigned")
        except Invalid:
            results.append("refused")

    threads = [threading.Thread(target=assign, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["assigned"] + ["refused"] * 7
    with Session(world["engine"]) as session:
        open_leads = session.exec(
            select(WorkerRelationship).where(
                WorkerRelationship.family_id == family, WorkerRelationship.ended_on.is_(None)
            )
        ).all()
    assert len(open_leads) == 1


def test_only_a_manager_of_the_team_writes_an_oversight_note(world):
    from db.rules.access import NotAllowed

    team_id = factories.team("Led elsewhere")
    manager = factories.worker("worldmanager", Role.manager, leads=(team_id,))
    for worker in (world["sam"], manager):
        with pytest.raises(NotAllowed):
            family_world.add_note(
                worker,
                family_id=world["family"],
                kind="oversight",
                words="A decision",
                written_on=date.today(),
            )


def test_family_details_refuse_a_stale_save(world):
    from db.families import family_summary
    from db.rules.validation import Conflict

    seen = family_summary(world["sam"], world["family"]).version
    save = family_world.update_family_details
    first = {"known_as": "The Rivers", "rhythm": "weekly", "council_reference": "CS-9"}
    later = {"known_as": "Overwritten?", "rhythm": "monthly", "council_reference": ""}
    as_sam(world, save, seen_version=seen, **first)
    with pytest.raises(Conflict):  # a second form, drawn before the first save
        as_sam(world, save, seen_version=seen, **later)
    after = family_summary(world["sam"], world["family"])
    assert (after.known_as, after.rhythm_words, after.council_reference, after.version) == (
        "The Rivers",
        "Every week",
        "CS-9",
        seen + 1,
    )


def test_a_keeping_safe_save_from_a_form_drawn_earlier_is_a_conflict(world):
    """Two browsers: A saves a phone and never-show text; B, drawn before A saved, changes only
    the phone. B is refused and A's text is still there."""

    def save(seen_version: int, phone: str, never_show: str = "", messages: bool = True) -> None:
        family_world.save_keeping_safe(
            world["sam"],
            family_id=world["family"],
            seen_version=seen_version,
            safe_phone=phone,
            ok_to_leave_messages=messages,
            never_show=never_show,
        )

    save(0, "1", messages=False)
    drawn = family_world.keeping_safe(world["sam"], world["family"]).version
    save(drawn, "07700 1", "New address: 4 Elm Road")
    with pytest.raises(Conflict):
        save(drawn, "07700 2")
    with pytest.raises(Conflict):
        save(0, "07700 3")
    kept = family_world.keeping_safe(world["sam"], world["family"])
    assert (kept.safe_phone, kept.never_show) == ("07700 1", "New address: 4 Elm Road")


_TODAY = date.today()
_ADDS = {
    "person": (
        family_world.add_person,
        Person,
        {"person": PersonIn(name="Nan", relationship="grandparent")},
        {"person": PersonIn(name="Grandad", relationship="grandparent")},
    ),
    "agreement": (
        family_world.add_agreement,
        Agreement,
        {"what": "We can talk to the school"},
        {"what": "We can talk to the GP"},
    ),
    "help": (
        family_world.add_help,
        PracticalHelp,
        {"kind": "food", "what": "Food bank voucher", "given_on": _TODAY},
        {"kind": "food", "what": "Supermarket voucher", "given_on": _TODAY},
    ),
    "worry": (
        family_world.add_note,
        Note,
        {"kind": "worry_shared", "words": "Shouting at night", "shared_with": "Duty team"},
        {"kind": "worry_shared", "words": "No food in the house", "shared_with": "Duty team"},
    ),
}


@pytest.mark.parametrize("kind", _ADDS)
def test_the_same_addition_twice_in_a_moment_is_stored_once(world, kind):
    """A second click on Add (or a page sent twice) saves nothing more; something else, or
    the same from another worker, is saved as usual."""
    from db.rules.writes import AlreadySaved

    write, model, first, other = _ADDS[kind]
    as_sam(world, write, **first)
    with pytest.raises(AlreadySaved):
        as_sam(world, write, **first)
    as_sam(world, write, **other)
    write(world["jo"], family_id=world["family"], **first)
    with Session(world["engine"]) as session:
        stored = session.exec(select(model).where(model.family_id == world["family"])).all()
    assert len(stored) == 3


def test_a_handover_the_day_it_happens_in_a_team_ahead_of_utc(empty_db, clock_at):
    """At 20:00 UTC it is already tomorrow in Auckland: the handover ends Ana's time on
    Auckland's day, and the list must not keep her on (or as Ana's) until UTC catches up."""
    moment = datetime(2025, 6, 10, 20, 0, tzinfo=timezone.utc)
    clock_at(moment)
    team = factories.team("Auckland", time_zone="Pacific/Auckland")
    ana = factories.worker("ana", Role.practitioner, teams=(team,))
    ben = factories.worker("ben", Role.practitioner, teams=(team,))
    family = factories.family(team, first_came_on=date(2025, 1, 1), status=FamilyStatus.waiting)
    family_world.assign_worker(
        ana, family_id=family, worker_id=ana.worker_id, started_on=date(2025, 2, 1)
    )
    family_world.hand_over(ana, family_id=family, to_worker_id=ben.worker_id, reason="worker_left")
    listed = families.families(ben, mine_only=False).set_index("family_id")
    assert str(listed.loc[family, "workers"]) == "Ben"
    assert families.families(ana).empty


def test_a_supporting_worker_who_steps_up_is_listed_once(world):
    as_sam(world, family_world.assign_worker, worker_id=world["sam"].worker_id, started_on=START)
    as_sam(
        world,
        family_world.assign_worker,
        worker_id=world["jo"].worker_id,
        role="supporting",
        started_on=START,
    )
    as_sam(world, family_world.hand_over, to_worker_id=world["jo"].worker_id, reason="worker_left")
    workers = families.family_workers(world["sam"], world["family"])
    current = workers[workers["until"].isna()]
    assert list(zip(current["worker"], current["role"])) == [("Jo", "Main worker")]


def test_a_family_with_a_main_worker_is_not_moved_back_to_waiting(world):
    as_sam(world, family_world.assign_worker, worker_id=world["sam"].worker_id, started_on=START)
    with pytest.raises(Invalid, match="use a handover"):
        as_sam(world, family_world.change_status, status="waiting")
    assert families.family_summary(world["sam"], world["family"]).status == (
        FamilyStatus.working_together
    )


def test_a_reopened_familys_worker_starts_no_earlier_than_the_reopening(world):
    sam = world["sam"]
    today = date.today()
    as_sam(world, family_world.assign_worker, worker_id=sam.worker_id, started_on=START)
    as_sam(world, family_world.change_status, status="closed", on=today - timedelta(days=40))
    as_sam(world, family_world.change_status, status="waiting", on=today - timedelta(days=20))
    with pytest.raises(Invalid, match="The last change was on"):
        as_sam(
            world,
            family_world.assign_worker,
            worker_id=sam.worker_id,
            started_on=today - timedelta(days=30),
        )
    assert families.family_summary(sam, world["family"]).status == FamilyStatus.waiting


def test_a_worker_who_cannot_log_in_any_more_cannot_take_a_family_on(world):
    """An admin stopped Jo logging in after Sam's form was drawn (it still offers Jo): Jo can't
    become the family's main worker, nor take over from Sam, and nothing changes."""
    from db import admin

    boss = factories.worker("boss", Role.admin)
    admin.set_active(boss, world["jo"].worker_id, False)
    with pytest.raises(Invalid, match="Jo can't log in any more"):
        as_sam(world, family_world.assign_worker, worker_id=world["jo"].worker_id)
    assert families.family_workers(world["sam"], world["family"]).empty
    as_sam(world, family_world.assign_worker, worker_id=world["sam"].worker_id)
    with pytest.raises(Invalid, match="Jo can't log in any more"):
        as_sam(world, family_world.hand_over, to_worker_id=world["jo"].worker_id, reason="sickness")
    current = families.family_workers(world["sam"], world["family"])
    assert list(current["worker"]) == ["Sam"] and current["until"].isna().all()
    with pytest.raises(Invalid, match="Jo can't log in any more"):
        as_sam(
            world, family_world.assign_worker, worker_id=world["jo"].worker_id, role="supporting"
        )


def test_a_supporting_worker_who_leaves_stops_with_a_reason(world):
    """Jo supported the family and left: nothing but closing the family took Jo off it, so
    every screen went on naming Jo as working with them."""
    sam, jo = world["sam"].worker_id, world["jo"].worker_id
    as_sam(world, family_world.assign_worker, worker_id=sam, started_on=START)
    as_sam(world, family_world.assign_worker, worker_id=jo, role="supporting", started_on=START)
    with pytest.raises(Invalid, match="close the family instead"):
        as_sam(world, family_world.end_supporting, worker_id=jo, reason="family_closed")
    with pytest.raises(Invalid, match="isn't supporting this family"):
        as_sam(world, family_world.end_supporting, worker_id=sam, reason="worker_left")
    with pytest.raises(Invalid, match="can't end before it began"):
        as_sam(
            world,
            family_world.end_supporting,
            worker_id=jo,
            reason="worker_left",
            on=START - timedelta(days=1),
        )
    as_sam(world, family_world.end_supporting, worker_id=jo, reason="worker_left")
    workers = families.family_workers(world["sam"], world["family"]).set_index("worker")
    assert workers.loc["Jo", "until"] == date.today() and workers.loc["Jo", "why_it_ended"]
    assert pd.isna(workers.loc["Sam", "until"])
    assert families.family_contact(world["sam"], world["family"]).workers == "Sam"
