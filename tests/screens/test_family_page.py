"""The Family page end to end: a conference with a child's views and a plan, a conversation,
the worker story, the timeline and the case note."""

from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlmodel import Session, select

from db import meetings
from db.meetings import ItemIn
from db.rules.access import load_actor
from db.store.engine import read_session
from db.store.models import (
    Conversation,
    Family,
    Meeting,
    Person,
    PlanStep,
    Team,
    Worker,
    WorkerRelationship,
    WorkerTeam,
)
from tests import factories
from tests.apptest import all_text, edit_box, errors_in_form, open_family_page, opened


def _family_with_a_child(engine) -> tuple[int, int, int]:
    with Session(engine) as session:
        worker = session.exec(select(Worker).where(Worker.username == "practitioner")).one()
        family_ids = session.exec(
            select(WorkerRelationship.family_id).where(
                WorkerRelationship.worker_id == worker.id, WorkerRelationship.ended_on.is_(None)
            )
        ).all()
        for family_id in family_ids:
            child = session.exec(
                select(Person.id).where(
                    Person.family_id == family_id, Person.relationship == "child"
                )
            ).first()
            parent = session.exec(
                select(Person.id).where(
                    Person.family_id == family_id,
                    Person.relationship == "parent",
                    ~Person.must_not_invite,
                )
            ).first()
            if child and parent:
                return family_id, child, parent
    raise AssertionError("the demo gives the practitioner a family with children")


@pytest.fixture
def page(demo_db):
    family_id, child, parent = _family_with_a_child(demo_db)
    at = open_family_page("practitioner", family_id)
    assert not at.exception
    return at, family_id, child, parent


def _key(elements, key):
    return next(e for e in elements if e.key == key)


def _show(at, section):
    at.segmented_control(key="family_section").set_value(section).run()
    assert not at.exception


def _click(at, label):
    next(b for b in at.button if b.label == label).click()
    at.run()
    assert not at.exception, at.exception[0].stack_trace[-6:]


def test_record_a_held_conference_and_copy_it_as_a_case_note(page, demo_db):
    at, family_id, child, parent = page
    prefix = f"meeting_{family_id}_g0"  # the form's first generation
    _show(at, "Meetings")
    _key(at.selectbox, f"{prefix}_kind").set_value("family_group_conference").run()
    _key(at.date_input, f"{prefix}_day").set_value(date.today() - timedelta(days=1))
    _key(at.text_input, f"{prefix}_place").input("Northfield Community Centre")
    _key(at.multiselect, f"{prefix}_came").set_value([parent, child])
    views = _key(at.text_area, f"{prefix}_view_{child}")
    assert "\\" not in views.label  # a label is what a screen reader says: no escapes
    views.input("I want my nan to come to sports day")
    _key(at.text_input, f"{prefix}_coordinator").input("Ann Hughes")
    _key(at.checkbox, f"{prefix}_private").check()
    _key(at.text_input, f"{prefix}_step1_what").input("Nan comes to sports day")
    _key(at.text_input, f"{prefix}_step1_who").input("Nan")
    _key(at.text_area, f"{prefix}_fallback").input("We'll ring Auntie Jo instead")
    _key(at.text_area, f"{prefix}_summary").input("Everyone agreed a plan for the summer.")
    _click(at, "Save meeting")
    assert not at.error, [e.value for e in at.error]

    with Session(demo_db) as session:
        conference = session.exec(
            select(Meeting.id).where(
                Meeting.family_id == family_id, Meeting.coordinator == "Ann Hughes"
            )
        ).one()
    _key(at.selectbox, "case_note_meeting").set_value(conference).run()
    note = at.code[0].value
    assert "Everyone agreed a plan for the summer." in note
    assert "Nan comes to sports day (Nan)" in note
    assert "I want my nan to come to sports day" in note and "Private family time: yes" in note

    _show(at, "Plan")
    assert "Nan comes to sports day" in all_text(at)
    _show(at, "Timeline")
    assert "Family group conference (happened)" in all_text(at)
    assert "Plan step agreed: Nan comes to sports day" in all_text(at)


def test_after_saving_a_conference_the_form_is_still_a_conference_and_empty(page):
    at, family_id, _child, parent = page
    prefix = f"meeting_{family_id}_g0"  # the form's first generation
    _show(at, "Meetings")
    _key(at.selectbox, f"{prefix}_kind").set_value("family_group_conference").run()
    _key(at.multiselect, f"{prefix}_came").set_value([parent])
    _key(at.text_input, f"{prefix}_coordinator").input("Ann Hughes")
    _key(at.checkbox, f"{prefix}_private").check()
    _key(at.text_input, f"{prefix}_step1_what").input("Nan comes to sports day")
    _click(at, "Save meeting")
    assert not at.error, [e.value for e in at.error]
    # Not back to a home visit with the conference's own questions gone.
    prefix = f"meeting_{family_id}_g1"  # a saved form comes back as a fresh generation
    assert _key(at.selectbox, f"{prefix}_kind").value == "family_group_conference"
    assert _key(at.text_input, f"{prefix}_coordinator").value == ""
    assert _key(at.checkbox, f"{prefix}_private").value is False
    assert _key(at.text_input, f"{prefix}_step1_what").value == ""
    assert _key(at.multiselect, f"{prefix}_came").value == []


def test_a_conversation_in_three_columns_then_one_item_becomes_a_goal(page):
    at, family_id, _child, _parent = page
    _show(at, "What's going well")
    _key(at.text_area, f"conversation_{family_id}_g0_going_well").input("Tea together on Sundays")
    _key(at.text_area, f"conversation_{family_id}_g0_hard").input(
        "Mornings are a rush\nThe bus is late"
    )
    _click(at, "Save conversation")
    text = all_text(at)
    assert "Tea together on Sundays" in text and "The bus is late" in text
    goal_buttons = [b for b in at.button if b.label == "Make this a goal"]
    goal_buttons[0].click()
    at.run()
    _show(at, "Goals")
    assert "Tea together on Sundays" in all_text(at)
    _show(at, "Timeline")
    assert "What's going well, what's hard" in all_text(at)


def test_a_held_meeting_in_the_future_is_refused_and_nothing_is_lost(page):
    at, family_id, _child, _parent = page
    prefix = f"meeting_{family_id}_g0"  # the form's first generation
    _show(at, "Meetings")
    _key(at.date_input, f"{prefix}_day").set_value(date.today() + timedelta(days=3))
    _key(at.text_area, f"{prefix}_summary").input("Typed text I don't want to lose")
    _click(at, "Save meeting")
    assert any("can't have happened yet" in e.value for e in at.error)
    assert _key(at.text_area, f"{prefix}_summary").value == "Typed text I don't want to lose"


def test_worker_chosen_handed_over_closed_and_reopened_on_the_timeline(demo_db):
    with Session(demo_db) as session:
        waiting = session.exec(
            select(Family).where(Family.status == "waiting", Family.team_id == 1)
        ).first()
        sam = session.exec(select(Worker).where(Worker.username == "practitioner")).one()
    assert waiting is not None, "the demo has a waiting family in the practitioner's team"
    at = open_family_page("practitioner", waiting.id)
    _show(at, "Working together")
    fid = waiting.id
    _key(at.multiselect, f"choose_offered_{fid}").set_value([sam.id])
    _key(at.selectbox, f"choose_worker_{fid}").set_value(sam.id)
    _click(at, "Save")
    _key(at.button, f"confirm_choose_{fid}_yes").click().run()
    assert not at.error, [e.value for e in at.error]
    with Session(demo_db) as session:
        other = session.exec(
            select(WorkerTeam.worker_id).where(
                WorkerTeam.team_id == waiting.team_id, WorkerTeam.worker_id != sam.id
            )
        ).first()
    _key(at.selectbox, f"assign_worker_{fid}").set_value(other)
    _key(at.selectbox, f"assign_reason_{fid}").set_value("family_asked")
    _click(at, "Hand over")
    _click(at, "Yes, hand over")
    assert not at.error, [e.value for e in at.error]
    for status in ("closed", "working_together"):
        _key(at.selectbox, f"status_new_{fid}").set_value(status)
        next(b for b in at.button if b.label == "Save" and "status" in str(b.proto.id)).click()
        at.run()
        _click(at, "Yes, save this change")
    assert not at.error, [e.value for e in at.error]
    _show(at, "Timeline")
    story = all_text(at)
    assert "the family chose them" in story and "the family asked" in story
    assert "Closed" in story and story.count("Working together") >= 1


def _stored(engine, model, family_id: int, **values) -> int:
    """How many rows of `model` the family has with these values."""
    matches = [getattr(model, name) == value for name, value in values.items()]
    query = select(model.id).where(model.family_id == family_id, *matches)
    with Session(engine) as session:
        return len(session.exec(query).all())


def test_a_saved_meeting_clears_the_form_and_a_second_click_stores_nothing(page, demo_db):
    at, family_id, _child, _parent = page
    _show(at, "Meetings")
    _key(at.text_area, f"meeting_{family_id}_g0_summary").input("A calm visit after school")
    _click(at, "Save meeting")
    assert not at.error, [e.value for e in at.error]
    assert _key(at.text_area, f"meeting_{family_id}_g1_summary").value == ""
    _click(at, "Save meeting")  # the empty form again: nothing new is stored
    assert _stored(demo_db, Meeting, family_id, summary="A calm visit after school") == 1


def _step_box(at, family_id: int, field: str):
    return next(
        e
        for e in at.text_input
        if e.key and e.key.startswith(f"plan_add_{family_id}_g") and e.key.endswith(f"_{field}")
    )


def test_a_too_long_plan_step_keeps_its_text_with_the_error_next_to_save(page, demo_db):
    at, family_id, _child, _parent = page
    _show(at, "Plan")
    long_step = "Ring the housing office about the damp. " * 15  # about 600 characters
    _step_box(at, family_id, "what").input(long_step)
    _step_box(at, family_id, "who").input("Mum")
    _click(at, "Add step")
    near_save = errors_in_form(at, f"plan_add_{family_id}")
    assert near_save and "too long" in near_save[0]
    assert _step_box(at, family_id, "what").value == long_step
    assert _step_box(at, family_id, "who").value == "Mum"


def test_a_saved_plan_step_clears_the_form_and_a_second_click_stores_nothing(page, demo_db):
    at, family_id, _child, _parent = page
    _show(at, "Plan")
    _step_box(at, family_id, "what").input("Nan collects Ellie on Fridays")
    _click(at, "Add step")
    assert not at.error, [e.value for e in at.error]
    assert _step_box(at, family_id, "what").value == ""
    _click(at, "Add step")
    assert _stored(demo_db, PlanStep, family_id, what="Nan collects Ellie on Fridays") == 1


def test_the_forms_offer_the_teams_today_not_the_servers(demo_db, clock_at):
    """At 23:30 UTC a team in Helsinki is already on tomorrow: the conversation form offers
    that day, and a conversation saved on it is kept."""
    family_id, _child, _parent = _family_with_a_child(demo_db)
    with Session(demo_db) as session:
        team = session.get(Team, session.get(Family, family_id).team_id)
        team.time_zone = "Europe/Helsinki"
        session.add(team)
        session.commit()
    utc_day = datetime.now(timezone.utc).date()
    clock_at(datetime.combine(utc_day, time(23, 30), timezone.utc))
    at = open_family_page("practitioner", family_id)
    _show(at, "What's going well")
    helsinki_day = utc_day + timedelta(days=1)
    day_box = _key(at.date_input, f"conversation_{family_id}_g0_day")
    assert day_box.value == helsinki_day
    _key(at.text_area, f"conversation_{family_id}_g0_going_well").input("Late-night tea")
    _click(at, "Save conversation")
    with Session(demo_db) as session:
        held = session.exec(
            select(Conversation.held_on)
            .where(Conversation.family_id == family_id)
            .order_by(Conversation.id.desc())
        ).first()
    assert held == helsinki_day


@pytest.mark.parametrize("team_hour", [0, 8, 14])
def test_the_meeting_form_starts_on_a_time_that_has_already_come(demo_db, clock_at, team_hour):
    """The form starts on "it happened", today: at any hour of the team's day, saving it as it
    stands is kept, never refused as a meeting in the future."""
    family_id, _child, _parent = _family_with_a_child(demo_db)
    with Session(demo_db) as session:
        team = session.get(Team, session.get(Family, family_id).team_id)
        team.time_zone = "Asia/Tokyo"  # no summer time: its hour is UTC's + 9 all year
        session.add(team)
        session.commit()
    tokyo_day = datetime.now(timezone.utc).date()
    clock_at(datetime.combine(tokyo_day, time(team_hour, 5), timezone.utc) - timedelta(hours=9))
    at = open_family_page("practitioner", family_id)
    _show(at, "Meetings")
    starts = _key(at.time_input, f"meeting_{family_id}_g0_time").value
    assert starts == min(time(10, 0), time(team_hour, 0))
    _key(at.text_area, f"meeting_{family_id}_g0_summary").input(f"Seen at {team_hour}")
    _click(at, "Save meeting")
    assert not at.error, [e.value for e in at.error]
    assert _stored(demo_db, Meeting, family_id, summary=f"Seen at {team_hour}") == 1


def test_a_refused_worry_keeps_every_word_and_a_saved_one_clears_the_form(page, demo_db):
    """Nothing typed is lost when a save is refused: the worker adds what was missing and
    saves again (the form used to empty itself on every click)."""
    from db.store.models import Note

    at, family_id, _child, _parent = page
    _show(at, "Working together")
    worry = "Mum said there was shouting last night and she is frightened"
    _key(at.text_area, f"worry_{family_id}_g0_words").input(worry)
    _key(at.text_input, f"worry_{family_id}_g0_next").input("Ring the duty team")
    _click(at, "Record")
    assert errors_in_form(at, f"worry_{family_id}") == [
        "Please say who the worry was shared with\\."
    ]
    assert _key(at.text_area, f"worry_{family_id}_g0_words").value == worry
    _key(at.text_input, f"worry_{family_id}_g0_with").input("Duty social worker")
    _click(at, "Record")
    assert not at.error, [e.value for e in at.error]
    assert _stored(demo_db, Note, family_id, words=worry, next_steps="Ring the duty team") == 1
    assert _key(at.text_area, f"worry_{family_id}_g1_words").value == ""


def test_a_refused_person_keeps_what_else_was_typed(page, demo_db):
    at, family_id, _child, _parent = page
    _show(at, "People")
    _key(at.text_input, f"person_add_{family_id}_g0_name").input("Nan " + "x" * 130)
    _key(at.text_input, f"person_add_{family_id}_g0_helps").input("Collects the children Fridays")
    _click(at, "Add person")
    assert errors_in_form(at, f"person_add_{family_id}")
    _key(at.text_input, f"person_add_{family_id}_g0_name").input("Nan Rose")
    _click(at, "Add person")
    assert not at.error, [e.value for e in at.error]
    assert (
        _stored(
            demo_db,
            Person,
            family_id,
            name="Nan Rose",
            how_they_help="Collects the children Fridays",
        )
        == 1
    )


def test_every_section_opens_for_a_family_with_nobody_recorded_yet(demo_db):
    """The importer can bring a family with no people: no section may fall over on it."""
    family_id, _child, _parent = _family_with_a_child(demo_db)
    with Session(demo_db) as session:
        team_id = session.get(Family, family_id).team_id
    empty = factories.family(team_id, "The New family")
    at = open_family_page("practitioner", empty)
    assert not at.exception
    for section in at.segmented_control(key="family_section").options:
        _show(at, section)


def test_two_things_said_in_one_conversation_are_corrected_one_after_the_other(page):
    """Each correction moves the conversation's version on: the second correction's form,
    first drawn before the first was saved, is drawn afresh rather than refused."""
    at, family_id, _child, parent = page
    with read_session() as session:
        worker = load_actor(session, "practitioner")
    meetings.add_conversation(
        worker,
        family_id=family_id,
        held_on=date.today() - timedelta(days=1),
        items=[
            ItemIn("going_well", "Mornigns are calmer", parent),
            ItemIn("hard", "Bedtimes are hrad", parent),
        ],
    )
    said = meetings.conversations(worker, family_id).set_index("words")["item_id"]
    first, second = int(said["Mornigns are calmer"]), int(said["Bedtimes are hrad"])
    _show(at, "What's going well")
    _key(at.selectbox, "item_correct_pick").set_value(second).run()
    _key(at.selectbox, "item_correct_pick").set_value(first).run()
    edit_box(at.text_input, f"item_edit_{first}", "words").input("Mornings are calmer")
    _click(at, "Save correction")
    _key(at.selectbox, "item_correct_pick").set_value(second).run()
    edit_box(at.text_input, f"item_edit_{second}", "words").input("Bedtimes are hard")
    _click(at, "Save correction")
    assert not at.warning, [w.value for w in at.warning]
    words = set(meetings.conversations(worker, family_id)["words"])
    assert {"Mornings are calmer", "Bedtimes are hard"} <= words


def test_a_family_chosen_on_the_page_opens_at_its_own_address_under_one_heading(demo_db):
    at = opened("practitioner", "pages/family.py")
    assert [t.value for t in at.title] == ["Family"]
    at.selectbox(key="family_choice").select_index(0).run()
    assert not at.exception
    (family_id,) = at.query_params["family"]
    with read_session() as session:
        known_as = session.get_one(Family, int(family_id)).known_as
    assert [t.value for t in at.title] == [known_as]
    assert not [box for box in at.selectbox if box.key == "family_choice"]


def test_a_supporting_worker_who_left_is_taken_off_the_family(demo_db):
    """The manager ends a leaver's supporting time from the family's page, after a sentence
    saying what will happen; before, nothing could take them off."""
    with Session(demo_db) as session:
        row = session.exec(
            select(WorkerRelationship).where(
                WorkerRelationship.role == "supporting", WorkerRelationship.ended_on.is_(None)
            )
        ).first()
        assert row is not None, "the demo has a family with a supporting worker"
        family_id, worker_id = row.family_id, row.worker_id
        name = session.get(Worker, worker_id).name
    at = open_family_page("manager", family_id)
    _show(at, "Working together")
    _key(at.selectbox, f"end_supporting_worker_{family_id}").set_value(worker_id)
    _key(at.selectbox, f"end_supporting_reason_{family_id}").set_value("worker_left")
    _click(at, "Stop supporting")
    assert f"{name}'s time with" in at.warning[0].value
    assert "because the worker left" in at.warning[0].value
    _click(at, "Yes, they stop")
    assert not at.error, [e.value for e in at.error]
    with Session(demo_db) as session:
        ended = session.get(WorkerRelationship, row.id)
        assert ended.ended_on is not None and ended.end_reason == "worker_left"
