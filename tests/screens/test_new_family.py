"""A new family asks for help (its own page), the family chooses their worker, and the changes
of worker and status on 'Working together' that one click must never make."""

from datetime import date

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from db.store.models import (
    Family,
    FamilyStatus,
    FamilyStatusChange,
    Person,
    Worker,
    WorkerOffer,
    WorkerRelationship,
    WorkerTeam,
)
from tests.apptest import logged_in


def _key(elements, key):
    return next(e for e in elements if e.key == key)


def _button(at, label):
    return next(b for b in at.button if b.label == label)


def _run(at):
    at.run()
    assert not at.exception, at.exception[0].stack_trace[-6:]


def _count(engine, model, *where) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model).where(*where)).one()


@pytest.fixture
def new_family_page(demo_db):
    at = logged_in("practitioner")
    _run(at)
    at.switch_page("pages/new_family.py")
    _run(at)
    return at


def _fill(at, name: str, people: list[tuple[str, str | None, int | None]]):
    _key(at.text_input, "new_family_name").input(name)
    _key(at.text_input, "new_family_how").input("Their school suggested us")
    for number, (person, relationship, year) in enumerate(people, start=1):
        _key(at.text_input, f"new_family_member{number}_name").input(person)
        if relationship:
            _key(at.selectbox, f"new_family_member{number}_relationship").set_value(relationship)
        if year:
            _key(at.number_input, f"new_family_member{number}_year").set_value(year)


# --- a new family asks for help -----------------------------------------------------------


def test_a_new_family_is_added_and_its_page_opens_waiting_to_meet_a_worker(
    new_family_page, demo_db
):
    at = new_family_page
    assert _key(at.selectbox, "new_family_team").value is not None  # their only team
    _fill(at, "The Quenby-Okafor family", [("Grace", "parent", None), ("Zephyrine", "child", 2016)])
    _button(at, "Save the family").click()
    _run(at)
    assert not at.error, [e.value for e in at.error]
    with Session(demo_db) as session:
        family = session.exec(
            select(Family).where(Family.known_as == "The Quenby-Okafor family")
        ).one()
        names = set(session.exec(select(Person.name).where(Person.family_id == family.id)))
    assert family.status == FamilyStatus.waiting and names == {"Grace", "Zephyrine"}
    assert at.query_params["family"] == str(family.id)
    assert at.title[0].value == "The Quenby\\-Okafor family"
    assert _key(at.selectbox, f"choose_worker_{family.id}").value is None


def test_a_possible_match_is_shown_and_nothing_is_added_until_the_worker_goes_on(
    new_family_page, demo_db
):
    at = new_family_page
    with Session(demo_db) as session:
        known = session.exec(
            select(Family).where(Family.team_id == 1, Family.status != FamilyStatus.closed)
        ).first()
    before = _count(demo_db, Family)
    _fill(at, known.known_as, [("Someone new", "parent", None)])
    _button(at, "Save the family").click()
    _run(at)
    assert at.subheader[0].value == "Is this one of these families?"
    links = [link.label for link in at.get("page_link")]
    assert any("a similar name" in label for label in links), links
    assert _count(demo_db, Family) == before
    _button(at, "No, add a new family").click()
    _run(at)
    assert _count(demo_db, Family) == before + 1


def test_a_member_without_who_they_are_is_refused_with_its_row_and_the_text_stays(
    new_family_page, demo_db
):
    at = new_family_page
    before = (_count(demo_db, Family), _count(demo_db, Person))
    _fill(at, "The Zed family", [("Grace", "parent", None), ("Tobi", None, 2016)])
    _button(at, "Save the family").click()
    _run(at)
    assert [e.value.replace("\\", "") for e in at.error] == [
        "Person 2: please choose one of the options for who they are to the family."
    ]
    assert (_count(demo_db, Family), _count(demo_db, Person)) == before
    assert _key(at.text_input, "new_family_name").value == "The Zed family"
    assert _key(at.text_input, "new_family_member2_name").value == "Tobi"


@pytest.mark.parametrize("year, says", [(1850, "can't be before"), (2999, "in the future")])
def test_a_year_of_birth_that_cannot_be_right_is_named_and_nothing_is_added(
    new_family_page, demo_db, year, says
):
    """The year boxes carry no limits of their own: one outside them stopped the form being
    sent at all, leaving the last message on screen; the store names the wrong year."""
    at = new_family_page
    before = _count(demo_db, Family)
    _fill(at, "The Zed family", [("Grace", "parent", year)])
    assert _key(at.number_input, "new_family_member1_year").proto.has_max is False
    _button(at, "Save the family").click()
    _run(at)
    assert len(at.error) == 1 and says in at.error[0].value
    assert _count(demo_db, Family) == before
    assert _key(at.number_input, "new_family_member1_year").value == year


# --- the family meets the team and chooses a worker ---------------------------------------


def _waiting_family_page(demo_db):
    with Session(demo_db) as session:
        waiting = session.exec(
            select(Family).where(Family.status == "waiting", Family.team_id == 1)
        ).first()
        team = list(
            session.exec(
                select(Worker.id)
                .join(WorkerTeam, WorkerTeam.worker_id == Worker.id)
                .where(WorkerTeam.team_id == 1)
                .order_by(Worker.id)
            )
        )
    at = logged_in("practitioner")
    _run(at)
    at.query_params["family"] = str(waiting.id)
    at.switch_page("pages/family.py")
    _run(at)
    return at, waiting.id, team


def test_the_family_chooses_a_worker_from_those_they_met_after_a_confirmation(demo_db):
    at, family_id, team = _waiting_family_page(demo_db)
    first, second = team[0], team[1]
    _button(at, "Save").click()  # the choose form opens first for a family with no worker
    _run(at)
    assert [e.value for e in at.error] == ["Please choose the worker the family chose."]
    _key(at.multiselect, f"choose_offered_{family_id}").set_value([first, second])
    _key(at.selectbox, f"choose_worker_{family_id}").set_value(second)
    _button(at, "Save").click()
    _run(at)
    assert " chose " in at.warning[0].value and "main worker" in at.warning[0].value
    assert _count(demo_db, WorkerOffer, WorkerOffer.family_id == family_id) == 0
    _key(at.button, f"confirm_choose_{family_id}_yes").click()
    _run(at)
    with Session(demo_db) as session:
        offers = session.exec(
            select(WorkerOffer.worker_id, WorkerOffer.chosen).where(
                WorkerOffer.family_id == family_id
            )
        ).all()
        lead = session.exec(
            select(WorkerRelationship).where(
                WorkerRelationship.family_id == family_id, WorkerRelationship.ended_on.is_(None)
            )
        ).one()
        status = session.get(Family, family_id).status
    assert sorted(offers) == sorted([(first, False), (second, True)])
    assert (lead.worker_id, lead.chosen_by_family) == (second, True)
    assert status == FamilyStatus.working_together


# --- no one-click changes of worker or status ---------------------------------------------


def _working_family_page(demo_db):
    with Session(demo_db) as session:
        worker = session.exec(select(Worker).where(Worker.username == "practitioner")).one()
        family_id = session.exec(
            select(WorkerRelationship.family_id)
            .join(Family, Family.id == WorkerRelationship.family_id)
            .where(
                WorkerRelationship.worker_id == worker.id,
                WorkerRelationship.role == "lead",
                WorkerRelationship.ended_on.is_(None),
                Family.status == FamilyStatus.working_together,
            )
        ).first()
    at = logged_in("practitioner")
    _run(at)
    at.query_params["family"] = str(family_id)
    at.switch_page("pages/family.py")
    _run(at)
    at.segmented_control(key="family_section").set_value("Working together")
    _run(at)
    return at, family_id


def _history(engine, family_id):
    with Session(engine) as session:
        return (
            session.exec(
                select(WorkerRelationship.worker_id, WorkerRelationship.ended_on).where(
                    WorkerRelationship.family_id == family_id
                )
            ).all(),
            session.exec(
                select(FamilyStatusChange.status).where(FamilyStatusChange.family_id == family_id)
            ).all(),
        )


def test_a_single_click_on_hand_over_or_save_changes_nothing(demo_db):
    at, family_id = _working_family_page(demo_db)
    before = _history(demo_db, family_id)
    assert _key(at.selectbox, f"assign_worker_{family_id}").value is None
    assert _key(at.selectbox, f"assign_reason_{family_id}").value is None
    assert _key(at.selectbox, f"status_new_{family_id}").value is None

    _button(at, "Hand over").click()
    _run(at)
    assert [e.value for e in at.error] == ["Please choose who will be the family's main worker."]
    status_save = next(b for b in at.button if b.label == "Save" and "status" in str(b.proto.id))
    status_save.click()
    _run(at)
    assert [e.value for e in at.error] == ["Please choose where things are now."]
    assert _history(demo_db, family_id) == before


def test_a_chosen_hand_over_waits_for_the_sentence_to_be_confirmed(demo_db):
    at, family_id = _working_family_page(demo_db)
    before = _history(demo_db, family_id)
    with Session(demo_db) as session:
        other = session.exec(
            select(Worker)
            .join(WorkerTeam, WorkerTeam.worker_id == Worker.id)
            .where(WorkerTeam.team_id == 1, Worker.username != "practitioner")
        ).first()
    _key(at.selectbox, f"assign_worker_{family_id}").set_value(other.id)
    _key(at.selectbox, f"assign_reason_{family_id}").set_value("worker_left")
    _button(at, "Hand over").click()
    _run(at)
    sentence = at.warning[0].value.replace("\\", "")
    assert sentence.startswith(f"{other.name} will become ")
    assert "Sam Carter's time with them ends today because the worker left." in sentence
    assert _history(demo_db, family_id) == before
    _button(at, "No, go back").click()
    _run(at)
    assert _history(demo_db, family_id) == before and not at.warning

    _key(at.selectbox, f"status_new_{family_id}").set_value("closed")
    next(b for b in at.button if b.label == "Save" and "status" in str(b.proto.id)).click()
    _run(at)
    closing = at.warning[0].value.replace("\\", "")
    assert "to Closed from today." in closing  # and every worker's time ends (a supporting
    assert "Sam Carter's time with them ends then." in closing  # worker's too, when there is one)
    assert _history(demo_db, family_id) == before
    _button(at, "Yes, save this change").click()
    _run(at)
    with Session(demo_db) as session:
        assert session.get(Family, family_id).status == FamilyStatus.closed
        ended = session.exec(
            select(WorkerRelationship.ended_on).where(
                WorkerRelationship.family_id == family_id, WorkerRelationship.worker_id != other.id
            )
        ).all()
    assert date.today() in ended
