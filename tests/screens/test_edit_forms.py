"""An edit form is drawn from the record as it is now: a colleague's newer save is never
quietly put back by a second save, and coming back to a form isn't a conflict."""

import pytest

from db import families as family_store
from db import family_world
from db.rules.access import load_actor
from db.store.engine import read_session
from tests.apptest import edit_box, open_family_page


@pytest.fixture
def working_together(demo_db):
    with read_session() as session:
        worker = load_actor(session, "practitioner")
    family_id = int(family_store.families(worker).iloc[0]["family_id"])
    at = open_family_page("practitioner", family_id)
    at.segmented_control(key="family_section").set_value("Working together").run()
    assert not at.exception
    return at, worker, family_id


def _a_colleague_renames_the_family(worker, summary) -> None:
    family_world.update_family_details(
        worker,
        family_id=summary.id,
        seen_version=summary.version,
        known_as="The Brook family",
        rhythm="weekly",
        council_reference=summary.council_reference,
        preferred_language=summary.preferred_language,
    )


def _save(at, form: str) -> None:
    next(b for b in at.button if b.proto.form_id == form).click()
    at.run()
    assert not at.exception


def test_a_second_save_of_keeping_safe_never_puts_back_over_a_colleagues(working_together):
    at, worker, family_id = working_together
    form = f"safe_{family_id}"
    edit_box(at.text_input, form, "phone").input("07700 900111")
    edit_box(at.text_area, form, "never").input("Old address: 1 High St")
    _save(at, form)
    first = family_world.keeping_safe(worker, family_id)
    family_world.save_keeping_safe(  # a colleague, on their own screen
        worker,
        family_id=family_id,
        seen_version=first.version,
        safe_phone=first.safe_phone,
        ok_to_leave_messages=first.ok_to_leave_messages,
        never_show="The new address: never show",
    )
    # The first worker, still on the page, corrects only the phone number.
    edit_box(at.text_input, form, "phone").input("07700 900222")
    _save(at, form)
    assert "Someone else saved the keeping" in at.warning[0].value
    assert edit_box(at.text_input, form, "phone").value == "07700 900222"
    stored = family_world.keeping_safe(worker, family_id)
    assert stored.never_show == "The new address: never show"


def test_a_form_left_and_come_back_to_is_drawn_afresh_not_refused(working_together):
    at, worker, family_id = working_together
    form = f"details_{family_id}"
    summary = family_store.family_summary(worker, family_id)
    at.segmented_control(key="family_section").set_value("People").run()
    _a_colleague_renames_the_family(worker, summary)
    at.segmented_control(key="family_section").set_value("Working together").run()
    assert edit_box(at.text_input, form, "name").value == "The Brook family"
    edit_box(at.text_input, form, "ref").input("REF-42")
    _save(at, form)
    assert not at.warning, [w.value for w in at.warning]
    stored = family_store.family_summary(worker, family_id)
    assert (stored.known_as, stored.council_reference) == ("The Brook family", "REF-42")


def test_a_save_over_a_colleagues_newer_one_is_still_a_conflict(working_together):
    at, worker, family_id = working_together
    form = f"details_{family_id}"
    summary = family_store.family_summary(worker, family_id)
    edit_box(at.text_input, form, "ref").input("REF-1")
    _a_colleague_renames_the_family(worker, summary)  # while this form is open
    _save(at, form)
    assert "Someone else saved the family's details" in at.warning[0].value
    assert edit_box(at.text_input, form, "ref").value == "REF-1"
    assert family_store.family_summary(worker, family_id).known_as == "The Brook family"
