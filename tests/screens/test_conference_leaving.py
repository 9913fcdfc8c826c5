"""Leaving the family meeting screen needs the worker's password: the family in the room must
not reach the staff record (keeping-safe details among it) in two clicks."""

from __future__ import annotations

import pytest
from sqlmodel import select

from db import auth
from db.rules.access import load_actor
from db.rules.audit import Action
from db.settings import DEMO_PASSWORD
from db.store.engine import read_session, write_session
from db.store.models import KeepingSafe, Worker, WorkerRelationship
from tests import audit
from tests.apptest import all_text, logged_in, shared_screen

NEVER_SHOW = "SENTINEL new flat above the launderette"


def _a_family_of(session, username: str) -> int | None:
    """One of the families this worker works with now."""
    worker = session.exec(select(Worker).where(Worker.username == username)).one()
    return session.exec(
        select(WorkerRelationship.family_id).where(
            WorkerRelationship.worker_id == worker.id,
            WorkerRelationship.ended_on.is_(None),  # type: ignore[union-attr]
        )
    ).first()


@pytest.fixture
def conference(demo_db):
    with write_session() as session:
        family_id = _a_family_of(session, "practitioner")
        details = session.exec(
            select(KeepingSafe).where(KeepingSafe.family_id == family_id)
        ).first() or KeepingSafe(family_id=family_id)
        details.never_show = NEVER_SHOW
        session.add(details)
    at = shared_screen(logged_in("practitioner"), family_id, "household")
    assert not at.exception
    return at


def _leave_with(at, password: str):
    at.text_input(key="conference_leave_password").input(password)
    next(b for b in at.button if b.key == "conference_leave").click()
    return at.run()


def test_leaving_with_a_wrong_password_keeps_the_family_screen(conference):
    at = _leave_with(conference, "a guess from the room")
    assert not at.exception
    assert at.session_state["conference"]  # still the family's screen
    assert at.session_state["idle_exempt"] is True
    assert [e.value for e in at.error] == ["That password doesn't match. Please try again."]
    assert NEVER_SHOW not in all_text(at)
    [refused] = [e for e in audit.audited(Action.LOGIN_FAILED) if e.username == "practitioner"]
    assert refused.record_type == "leave_family_meeting_screen"


def test_leaving_with_no_password_keeps_the_family_screen(conference):
    next(b for b in conference.button if b.key == "conference_leave").click()
    at = conference.run()
    assert at.session_state["conference"]
    assert NEVER_SHOW not in all_text(at)


def test_the_workers_password_takes_the_screen_back(conference):
    at = _leave_with(conference, DEMO_PASSWORD)
    assert not at.exception
    assert "conference" not in at.session_state
    assert "idle_exempt" not in at.session_state
    [confirmed] = audit.audited(Action.PASSWORD_CONFIRMED)
    assert (confirmed.username, confirmed.record_type) == (
        "practitioner",
        "leave_family_meeting_screen",
    )


def test_a_single_sign_on_worker_leaves_by_signing_in_again(demo_db):
    """A worker who signed in through single sign-on has no password here: leaving ends this
    browser's session (and the provider's word), so only the worker, signing in again, gets
    their view back."""
    from db.store.models import LoginSession

    with write_session() as session:
        family_id = _a_family_of(session, "practitioner")
    at = logged_in("practitioner")
    at.session_state["signed_in_with"] = "oidc"
    shared_screen(at, family_id, "household")
    assert not [t for t in at.text_input if t.key == "conference_leave_password"]
    next(b for b in at.button if b.key == "conference_leave").click()
    at.run()
    assert not at.exception
    assert "authentication_status" not in at.session_state
    assert auth.SIGN_IN_AGAIN in all_text(at)
    assert NEVER_SHOW not in all_text(at)
    with read_session() as session:
        assert not session.exec(
            select(LoginSession).where(LoginSession.ended_at.is_(None))  # type: ignore[union-attr]
        ).all()


@pytest.mark.parametrize("what_changed", ["the family moved team", "the worker's role changed"])
def test_when_the_screen_can_no_longer_be_shown_the_login_ends(conference, what_changed):
    """Mid-meeting the family or the page stops being the worker's: the room sees the login
    form, not the worker's own screens, and is never stuck on a screen it can't leave."""
    from sqlmodel import delete

    from db.store.models import Family, Role, Team, WorkerRole

    family_id = conference.session_state["conference"].family_id
    with read_session() as session:
        worker_id = session.exec(select(Worker.id).where(Worker.username == "practitioner")).one()

    def move_family(session):
        elsewhere = Team(name="A team far away")
        session.add(elsewhere)
        session.flush()
        session.get(Family, family_id).team_id = elsewhere.id

    def make_admin_only(session):
        session.exec(delete(WorkerRole).where(WorkerRole.worker_id == worker_id))
        session.add(WorkerRole(worker_id=worker_id, role=Role.admin))

    with write_session() as session:
        (move_family if what_changed == "the family moved team" else make_admin_only)(session)
    at = conference.run()
    assert not at.exception
    assert "authentication_status" not in at.session_state
    assert "conference" not in at.session_state
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    assert auth.SIGN_IN_AGAIN in all_text(at)
    assert NEVER_SHOW not in all_text(at)


def test_a_tab_open_before_the_screen_opened_shows_it_too(demo_db):
    """The worker had the family's record open in another tab of the same browser: once the
    family meeting screen opens, that tab's next click shows the screen, not the staff record
    (someone in the room can switch tabs)."""
    with read_session() as session:
        family_id = _a_family_of(session, "practitioner")
        actor = load_actor(session, "practitioner")
    login_session, started = auth.start_session(actor)

    def tab():
        at = logged_in("practitioner")
        at.session_state["login_session_id"] = login_session
        at.session_state["auth_at"] = started
        return at

    other = tab()
    other.run()
    other.query_params["family"] = str(family_id)
    other.switch_page("pages/family.py").run()
    assert not other.exception and other.sidebar  # the worker's own record, for now
    shared_screen(tab(), family_id, "household")
    other.query_params.clear()
    other.switch_page("pages/families.py").run()
    assert not other.exception
    assert other.session_state["conference"].family_id == family_id
    assert "Our plan" in [h.value for h in other.header] and not other.sidebar
