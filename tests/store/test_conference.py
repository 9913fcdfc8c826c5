"""The family meeting screen reads in one hop: one call, one session, one access check and one
audit row of the view; a worker of another team is refused (audited once)."""

from __future__ import annotations

import sys
from datetime import date

import pytest
from sqlalchemy import event
from sqlmodel import func, select

from db.conference import meeting_screen
from db.goals import GoalIn, add_goal
from db.meetings import PlanStepIn, add_plan_step
from db.rules import access
from db.rules.access import NotAllowed
from db.rules.audit import Action
from db.store.engine import get_engine, read_session
from db.store.models import AuditEvent, Role
from tests import audit
from tests import factories as make


@pytest.fixture
def world(demo_db):
    team = make.team("Conference team")
    worker = make.worker("conference.worker", Role.practitioner, teams=(team,))
    family = make.family(team, first_came_on=date(2025, 1, 1))
    add_goal(
        worker, family_id=family, goal=GoalIn(wording="Calmer mornings", visibility="everyone")
    )
    add_plan_step(
        worker, family_id=family, step=PlanStepIn(what="Ring the school", visibility="everyone")
    )
    return {"worker": worker, "family": family}


@pytest.fixture
def counted(monkeypatch):
    """Counts database transactions begun and access checks made, wherever db/ makes them."""
    counts = {"sessions": 0, "access checks": 0}

    def begun(_connection):
        counts["sessions"] += 1

    original = access.require_family

    def require_family(session, actor, family_id):
        counts["access checks"] += 1
        return original(session, actor, family_id)

    for name, module in list(sys.modules.items()):
        if name.startswith("db.") and getattr(module, "require_family", None) is original:
            monkeypatch.setattr(module, "require_family", require_family)
    event.listen(get_engine(), "begin", begun)
    yield counts
    event.remove(get_engine(), "begin", begun)


@pytest.mark.parametrize("record_view", [True, False])
def test_the_screen_is_one_read(world, counted, record_view):
    views_before = len(audit.audited(Action.VIEW))
    counted.update({"sessions": 0, "access checks": 0})
    screen = meeting_screen(world["worker"], world["family"], "everyone", record_view=record_view)
    assert counted == {"sessions": 1, "access checks": 1}
    assert list(screen.goals.goals["wording"]) == ["Calmer mornings"]
    assert list(screen.plan["what"]) == ["Ring the school"]
    views = audit.audited(Action.VIEW)[views_before:]
    assert len(views) == (1 if record_view else 0)
    if record_view:
        assert (views[0].username, views[0].family_id) == ("conference.worker", world["family"])


def test_the_screen_is_refused_to_another_team_once(world):
    outsider = make.worker("someone.else", Role.practitioner, teams=(make.team("Elsewhere"),))
    with read_session() as session:
        before = session.exec(select(func.count()).select_from(AuditEvent)).one()
    with pytest.raises(NotAllowed):
        meeting_screen(outsider, world["family"], "household")
    with read_session() as session:
        added = session.exec(select(AuditEvent).order_by(AuditEvent.id.desc())).all()
        after = session.exec(select(func.count()).select_from(AuditEvent)).one()
    assert after - before == 1  # the refusal only: no view was recorded
    assert added[0].action == Action.REFUSED and added[0].username == "someone.else"


def test_a_login_keeps_the_open_screen_until_its_worker_closes_it(world):
    """What a reload finds: the screen this login has open, for whom and in which language;
    another worker's login can't be locked or unlocked through it."""
    from db import auth
    from db.conference import OpenScreen, close_screen, open_screen, screen_open_in

    worker = world["worker"]
    login, _started = auth.start_session(worker)
    assert screen_open_in(login) is None
    opened = open_screen(
        worker, family_id=world["family"], audience="household", language="cy", login_session=login
    )
    assert opened == OpenScreen(world["family"], "household", "cy")
    assert screen_open_in(login) == opened

    colleague = make.worker("colleague", Role.practitioner)
    close_screen(colleague, login_session=login)
    assert screen_open_in(login) == opened  # not their login
    close_screen(worker, login_session=login)
    assert screen_open_in(login) is None


def test_a_screen_is_opened_only_for_a_family_the_worker_may_see(world):
    from db import auth
    from db.conference import open_screen, screen_open_in

    outsider = make.worker("outsider", Role.practitioner, teams=(make.team("Elsewhere"),))
    login, _started = auth.start_session(outsider)
    with audit.refused_once("opening another team's family meeting screen"):
        open_screen(
            outsider,
            family_id=world["family"],
            audience="everyone",
            language=None,
            login_session=login,
        )
    assert screen_open_in(login) is None
