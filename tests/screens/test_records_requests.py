"""A request for a copy of everything we hold, on screen: an admin records it and cannot
prepare it; a manager of the family's team approves it on their Audit page; then the admin
prepares the copy. The admin never sees the family's name."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from db import families, subject_access
from db.rules.access import load_actor
from db.rules.audit import Action
from db.settings import DEMO_PASSWORD
from db.store.engine import read_session, write_session
from db.store.models import (
    AuditEvent,
    Family,
    KeepingSafe,
    RecordsRequest,
    RecordsRequestStatus,
    Role,
    Team,
    Worker,
    WorkerTeam,
)
from tests import factories as make
from tests.apptest import all_text, logged_in, new_app
from tests.factories import TEST_PASSWORD


def _actor(username):
    with read_session() as session:
        return load_actor(session, username)


def _buttons(at) -> set[str]:
    return {button.key for button in at.button if button.key}


def test_a_copy_needs_a_managers_approval_before_anyone_prepares_it(demo_db):
    with read_session() as session:
        family = session.exec(select(Family).where(Family.team_id == 1).order_by(Family.id)).first()

    admin = logged_in("admin", "pages/admin.py").run()
    admin.text_input(key="admin_sar_number").input(str(family.id))
    admin.button(key="FormSubmitter:admin_find_family-Find").click().run()
    admin.text_input(key="records_asked_by_whom").input("Mum, by letter")
    admin.button(key="FormSubmitter:records_ask-Record the request").click().run()
    assert not admin.exception
    with read_session() as session:
        request = session.exec(select(RecordsRequest)).one()
    assert any(f"Request {request.id} is recorded" in s.value for s in admin.success)
    assert f"records_prepare_{request.id}" not in _buttons(admin)  # not before approval
    assert "Waiting for a manager to approve" in all_text(admin)
    assert family.known_as not in all_text(admin)

    manager = logged_in("manager", "pages/audit.py").run()
    assert not manager.exception
    assert any(family.known_as in m.value.replace("\\", "") for m in manager.markdown)
    manager.button(key=f"records_approve_{request.id}").click().run()
    assert not manager.exception
    assert any("is approved" in s.value for s in manager.success)
    assert f"records_prepare_{request.id}" in _buttons(manager)

    admin.run()
    admin.button(key=f"records_prepare_{request.id}").click().run()
    assert not admin.exception
    assert any("ready to download" in s.value for s in admin.success)
    assert "Download a printable draft to check before sending" in all_text(admin)
    assert family.known_as not in "".join(m.value for m in admin.markdown)
    with read_session() as session:
        request = session.get(RecordsRequest, request.id)
        steps = session.exec(
            select(AuditEvent.action, AuditEvent.username)
            .where(AuditEvent.record_type == "records_request")
            .order_by(AuditEvent.id)
        ).all()
    assert request.status == RecordsRequestStatus.prepared
    assert steps == [
        (Action.REQUEST, "admin"),
        (Action.APPROVE, "manager"),
        (Action.EXPORT, "admin"),
    ]


def test_the_audit_page_shows_no_requests_section_when_none_wait(demo_db):
    manager = logged_in("manager", "pages/audit.py").run()
    assert not manager.exception
    assert "Requests for a copy" not in all_text(manager)


def test_admin_screens_show_no_family_names_or_keeping_safe_details(demo_db):
    with read_session() as session:
        names = set(session.exec(select(Family.known_as)).all())
        phones = {p for p in session.exec(select(KeepingSafe.safe_phone)).all() if p}
        family = session.exec(select(Family).where(Family.team_id == 1).order_by(Family.id)).first()
    families.record_view(_actor("practitioner"), family.id)
    subject_access.ask_for_copy(
        _actor("admin"), family.id, asked_by_whom="Mum, by letter", asked_on=date.today()
    )

    admin = logged_in("admin", "pages/admin.py").run()
    admin.selectbox(key="admin_worker").set_value(_actor("practitioner").worker_id).run()
    admin.text_input(key="admin_sar_number").input(str(family.id))
    admin.button(key="FormSubmitter:admin_find_family-Find").click().run()
    audit = logged_in("admin", "pages/audit.py").run()
    for at in (admin, audit):
        assert not at.exception
        screen = all_text(at)
        assert [name for name in names if name in screen] == []
        assert [phone for phone in phones if phone in screen] == []
    assert "Families to hand over" in all_text(admin)
    assert f"Family number {family.id}" in all_text(admin)


def _approved_request(family: Family) -> int:
    request_id = subject_access.ask_for_copy(
        _actor("admin"), family.id, asked_by_whom="Mum, by letter", asked_on=family.first_came_on
    )
    subject_access.approve_request(_actor("manager"), request_id)
    return request_id


def _log_in(at, username: str, password: str):
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    at.button[0].click().run()
    return at


def test_a_prepared_copy_is_not_handed_to_the_next_login_on_the_tab(demo_db):
    with read_session() as session:
        family = session.exec(select(Family).where(Family.team_id == 1).order_by(Family.id)).first()
        other_team = session.exec(select(Team.id).where(Team.id != 1)).first()
    request_id = _approved_request(family)
    # A manager of another team, who may not open this family's record.
    make.worker("other_mgr", Role.manager, leads=(other_team,))

    at = new_app().run()
    _log_in(at, "admin", DEMO_PASSWORD)
    at.switch_page("pages/admin.py").run()
    at.text_input(key="admin_sar_number").input(str(family.id))
    at.button(key="FormSubmitter:admin_find_family-Find").click().run()
    at.button(key=f"records_prepare_{request_id}").click().run()
    assert not at.exception
    assert f"Download the copy for request {request_id}" in all_text(at)
    at.sidebar.button(key="sidebar_log_out").click().run()
    at.run()
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    # Nothing of the admin's work is left in the tab: the copy, the family they found.
    assert {"records_copy", "admin_sar_family"} & set(at.session_state) == set()

    _log_in(at, "other_mgr", TEST_PASSWORD)
    at.switch_page("pages/audit.py").run()
    assert not at.exception
    assert f"Download the copy for request {request_id}" not in all_text(at)


def test_a_copy_is_offered_only_to_the_worker_who_prepared_it_while_they_still_may(demo_db):
    with read_session() as session:
        family = session.exec(select(Family).where(Family.team_id == 1).order_by(Family.id)).first()
    request_id = _approved_request(family)
    manager = logged_in("manager", "pages/audit.py").run()
    manager.button(key=f"records_prepare_{request_id}").click().run()
    assert not manager.exception
    assert f"Download the copy for request {request_id}" in all_text(manager)

    # Held in a tab where another worker is now logged in: not theirs to download.
    admin = logged_in("admin", "pages/admin.py")
    admin.session_state["records_copy"] = manager.session_state["records_copy"]
    admin.run()
    assert not admin.exception
    assert f"Download the copy for request {request_id}" not in all_text(admin)

    # The manager no longer leads the family's team: the copy is no longer theirs either.
    with write_session() as session:
        worker_id = session.exec(select(Worker.id).where(Worker.username == "manager")).one()
        for link in session.exec(
            select(WorkerTeam).where(WorkerTeam.worker_id == worker_id, WorkerTeam.team_id == 1)
        ).all():
            link.leads = False
            session.add(link)
    manager.run()
    assert not manager.exception
    assert f"Download the copy for request {request_id}" not in all_text(manager)
