"""Correcting someone's details on the Family page's People section: saved when nobody else
saved first; a conflict, with what was typed kept, when someone did."""

import pytest
from sqlmodel import Session, select

from db import family_world
from db.family_world import PersonIn
from db.rules.access import load_actor
from db.store.engine import read_session
from db.store.models import Person, Worker, WorkerRelationship
from tests.apptest import edit_box, open_family_page


def _a_parent_of_the_practitioners_family(engine) -> Person:
    with Session(engine) as session:
        worker = session.exec(select(Worker).where(Worker.username == "practitioner")).one()
        return session.exec(
            select(Person)
            .join(WorkerRelationship, WorkerRelationship.family_id == Person.family_id)
            .where(
                WorkerRelationship.worker_id == worker.id,
                WorkerRelationship.ended_on.is_(None),
                Person.relationship == "parent",
                ~Person.must_not_invite,
            )
        ).first()


@pytest.fixture
def people_page(demo_db):
    parent = _a_parent_of_the_practitioners_family(demo_db)
    at = open_family_page("practitioner", parent.family_id)
    at.segmented_control(key="family_section").set_value("People").run()
    at.selectbox(key=f"person_edit_who_{parent.family_id}").set_value(parent.id).run()
    assert not at.exception
    return at, parent


def _stored(person_id: int) -> Person:
    with read_session() as session:
        return session.get(Person, person_id)


def _save(at) -> None:
    next(b for b in at.button if b.label == "Save changes").click()
    at.run()
    assert not at.exception


def test_a_worker_corrects_a_name_and_marks_someone_not_to_be_invited(people_page):
    at, parent = people_page
    name = edit_box(at.text_input, f"person_{parent.id}", "name")
    assert name.value == parent.name
    name.input("Gary Brightwater")
    edit_box(at.checkbox, f"person_{parent.id}", "noinvite").check()
    _save(at)
    stored = _stored(parent.id)
    assert (stored.name, stored.must_not_invite) == ("Gary Brightwater", True)
    assert stored.version == parent.version + 1
    assert not at.warning and not at.error


def test_a_save_after_someone_elses_is_a_conflict_and_the_typed_name_stays(people_page):
    at, parent = people_page
    with read_session() as session:
        colleague = load_actor(session, "practitioner")
    family_world.update_person(
        colleague,
        family_id=parent.family_id,
        person_id=parent.id,
        seen_version=parent.version,
        person=PersonIn(name="Gareth", relationship="parent", in_household=parent.in_household),
    )
    edit_box(at.text_input, f"person_{parent.id}", "name").input("Gary Brightwater")
    _save(at)
    assert "Someone else saved this person's details" in at.warning[0].value
    assert _stored(parent.id).name == "Gareth"
    assert edit_box(at.text_input, f"person_{parent.id}", "name").value == "Gary Brightwater"
