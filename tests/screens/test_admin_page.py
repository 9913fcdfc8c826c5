"""The admin page: add a worker, reset a password, erase with a reason, the audit page and the
manager's 'who looked' panel."""

from __future__ import annotations

import pytest
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from components.audit_view import who_looked
from db import families
from db.rules.access import load_actor
from db.rules.audit import Action
from db.store.engine import read_session
from db.store.models import AuditEvent, Family, Worker
from tests.apptest import all_text, edit_box, logged_in


def _actor(username):
    with read_session() as session:
        return load_actor(session, username)


def test_admin_page_draws_for_an_admin(demo_db):
    at = logged_in("admin", "pages/admin.py").run()
    assert not at.exception
    assert "Workers and teams" in [t.value for t in at.title]
    assert "password_hash" not in all_text(at)
    roles = set(next(d.value for d in at.dataframe if "roles" in d.value)["roles"])
    assert "Practitioner" in roles and "practitioner" not in roles  # the form's words


def _add_jo(at):
    """Fills in the new-worker form for Jo Bloggs, a practitioner in team 1, and adds her."""
    at.text_input(key="admin_new_name").input("Jo Bloggs")
    at.text_input(key="admin_new_username").input("jo")
    at.multiselect(key="admin_new_roles").select("practitioner")
    at.multiselect(key="admin_new_teams").select(1)
    return at.button(key="FormSubmitter:admin_add_worker-Add worker").click().run()


def test_adding_a_worker_shows_a_one_time_password_once(demo_db):
    at = _add_jo(logged_in("admin", "pages/admin.py").run())
    assert not at.exception
    assert any("Jo Bloggs has been added" in s.value for s in at.success)
    assert len(at.code) == 1
    with read_session() as session:
        assert (
            session.exec(select(Worker).where(Worker.username == "jo")).one().must_change_password
        )
    at.run()
    assert len(at.code) == 0  # shown only once


def test_bad_input_gets_a_clear_sentence(demo_db):
    at = logged_in("admin", "pages/admin.py").run()
    at.text_input(key="admin_new_name").input("Someone")
    at.text_input(key="admin_new_username").input("manager")
    at.multiselect(key="admin_new_roles").select("admin")
    at.button(key="FormSubmitter:admin_add_worker-Add worker").click().run()
    assert [e.value.replace("\\", "") for e in at.error] == [
        "The username manager is already taken. Please choose another."
    ]


def test_erasing_needs_a_reason_and_the_typed_name(demo_db):
    with read_session() as session:
        family = session.exec(select(Family).order_by(Family.id)).first()
    at = logged_in("admin", "pages/admin.py").run()
    at.text_input(key="admin_sar_number").input(str(family.id))
    at.button(key="FormSubmitter:admin_find_family-Find").click().run()
    assert any(f"Family number {family.id}" in m.value for m in at.markdown)
    assert family.known_as not in all_text(at)  # an admin sees no case content
    at.text_area(key="admin_erase_reason").input("The family asked us to erase their record")
    at.text_input(key="admin_erase_confirm").input(family.known_as)
    at.button(key="FormSubmitter:admin_erase-Erase the record").click().run()
    assert [e.value for e in at.error] == ["Please tick the box to confirm you understand."]
    at.checkbox(key="admin_erase_sure").check()
    at.button(key="FormSubmitter:admin_erase-Erase the record").click().run()
    assert not at.exception
    assert any("erased" in s.value for s in at.success)
    with read_session() as session:
        assert session.get(Family, family.id).erased_at is not None


def test_audit_page_for_admin_and_manager(demo_db):
    with read_session() as session:
        family_id = session.exec(select(Family.id).where(Family.team_id == 1)).first()
    families.record_view(_actor("practitioner"), family_id)
    at = logged_in("admin", "pages/audit.py").run()
    assert not at.exception
    assert "Opened the record" in all_text(at)
    at = logged_in("manager", "pages/audit.py").run()
    assert not at.exception
    assert "practitioner" in all_text(at)


@pytest.mark.parametrize(
    "typed, said",
    [
        ("99999999999999999999", "There is no family with that number."),
        ("0", "There is no family with that number."),
        ("12a", "A family number is digits only, for example 1042."),
    ],
)
def test_an_audit_search_for_an_odd_family_number_says_what_is_wrong(demo_db, typed, said):
    at = logged_in("admin", "pages/audit.py").run()
    at.text_input(key="audit_family").input(typed)
    next(b for b in at.button if b.label == "Search").click()
    at.run()
    assert not at.exception
    assert [w.value for w in at.warning] == [said]


def test_who_looked_is_for_managers_of_the_team_only(demo_db):
    with read_session() as session:
        family_id = session.exec(select(Family.id).where(Family.team_id == 1)).first()
    families.record_view(_actor("practitioner"), family_id)
    assert who_looked(_actor("practitioner"), family_id) is None
    assert who_looked(_actor("admin"), family_id) is None
    viewers = who_looked(_actor("manager"), family_id)
    assert list(viewers["who"]) == ["Sam Carter"]
    with read_session() as session:
        assert session.exec(select(AuditEvent).where(AuditEvent.action == Action.VIEW)).first()


def test_a_worker_edit_after_another_admins_save_is_a_conflict(demo_db):
    from db import admin

    with read_session() as session:
        worker = session.exec(select(Worker).where(Worker.username == "practitioner")).one()
    at = logged_in("admin", "pages/admin.py").run()
    at.selectbox(key="admin_worker").set_value(worker.id).run()
    details = admin.worker_details(_actor("admin"), worker.id)
    admin.update_worker(  # another admin, between this form being drawn and saved
        _actor("admin"),
        worker.id,
        seen_version=details["version"],
        name="Pat Renamed",
        roles=details["roles"],
        team_ids=details["team_ids"],
        led_team_ids=details["led_team_ids"],
    )
    edit_box(at.text_input, f"admin_worker_{worker.id}", "name").input("Pat Practitioner-Jones")
    at.button(key=f"FormSubmitter:admin_edit_{worker.id}-Save changes").click().run()
    assert not at.exception
    assert "Someone else saved this worker's details" in at.warning[0].value
    with read_session() as session:
        assert session.get(Worker, worker.id).name == "Pat Renamed"
    assert edit_box(at.text_input, f"admin_worker_{worker.id}", "name").value == (
        "Pat Practitioner-Jones"
    )


def test_an_admin_gives_a_worker_a_work_email_for_single_sign_on(demo_db, monkeypatch):
    from db import settings

    monkeypatch.setattr(settings, "GOLDEN_THREAD_LOGIN", "oidc")
    at = logged_in("admin", "pages/admin.py").run()
    at.text_input(key="admin_new_email").input("Jo.Bloggs@Council.example")
    _add_jo(at)
    assert not at.exception
    assert any("They sign in with single sign" in s.value for s in at.success)
    assert len(at.code) == 0  # no one-time password: nobody logs in with one
    assert "jo.bloggs@council.example" in all_text(at)  # the workers table
    with read_session() as session:
        jo = session.exec(select(Worker).where(Worker.username == "jo")).one()
    assert jo.email == "jo.bloggs@council.example"
    at.selectbox(key="admin_worker").set_value(jo.id).run()
    assert (
        edit_box(at.text_input, f"admin_worker_{jo.id}", "email").value
        == "jo.bloggs@council.example"
    )
    assert "Reset their password" not in [b.label for b in at.button]


def _practitioner() -> Worker:
    with read_session() as session:
        return session.exec(select(Worker).where(Worker.username == "practitioner")).one()


def _pressed_on_the_practitioner(button: str) -> tuple[Worker, AppTest]:
    """The admin page with the demo practitioner chosen, after one click on `button`."""
    worker = _practitioner()
    at = logged_in("admin", "pages/admin.py").run()
    at.selectbox(key="admin_worker").set_value(worker.id).run()
    at.button(key=button).click().run()
    assert not at.exception
    return worker, at


def test_stopping_a_worker_logging_in_waits_for_a_yes(demo_db):
    """One stray click on 'Stop this worker logging in' logged them out everywhere at once,
    perhaps in the middle of a family meeting: now it says what will happen and waits."""
    worker, at = _pressed_on_the_practitioner("admin_disable")
    assert "logged out on every device" in at.warning[0].value
    assert _practitioner().is_active  # nothing has changed yet
    at.button(key=f"confirm_admin_stop_{worker.id}_no").click().run()
    assert _practitioner().is_active and not at.warning
    at.button(key="admin_disable").click().run()
    at.button(key=f"confirm_admin_stop_{worker.id}_yes").click().run()
    assert not at.exception
    assert not _practitioner().is_active
    assert any("can no longer log in" in s.value for s in at.success)
    at.button(key="admin_enable").click().run()  # easily undone: one click
    assert _practitioner().is_active


def test_resetting_a_password_waits_for_a_yes(demo_db):
    worker, at = _pressed_on_the_practitioner("admin_reset")
    assert "password will stop working" in at.warning[0].value
    assert _practitioner().password_hash == worker.password_hash and len(at.code) == 0
    at.button(key=f"confirm_admin_reset_{worker.id}_yes").click().run()
    assert not at.exception
    assert _practitioner().password_hash != worker.password_hash
    assert _practitioner().must_change_password and len(at.code) == 1


def test_the_only_admin_stopping_themselves_is_told_why_not(demo_db):
    with read_session() as session:
        me = session.exec(select(Worker).where(Worker.username == "admin")).one()
    at = logged_in("admin", "pages/admin.py").run()
    at.selectbox(key="admin_worker").set_value(me.id).run()
    at.button(key="admin_disable").click().run()
    at.button(key=f"confirm_admin_stop_{me.id}_yes").click().run()
    assert not at.exception
    assert "your own account" in at.error[0].value
    with read_session() as session:
        assert session.get(Worker, me.id).is_active
