"""Every write that edits an existing record refuses a save from a form drawn before someone
else's save: it raises Conflict and leaves the record, the family's caches and the audit as they
were. The editing writes are found in db/ by introspection, not listed by hand, so a new edit
without a case here fails this test until it has one."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import textwrap
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import partial
from typing import Callable

import pytest
from sqlmodel import func, select

import db
from db import admin, family_space, family_world, goals, meetings
from db.family_world import PersonIn
from db.goals import GoalIn
from db.meetings import ItemIn, PlanStepIn
from db.rules.validation import Conflict
from db.store.engine import read_session
from db.store.models import (
    AuditEvent,
    Conversation,
    ConversationItem,
    Family,
    Goal,
    KeepingSafe,
    Meeting,
    Person,
    PlanStep,
    Role,
    TeamTerm,
    Worker,
    WorkerRole,
    WorkerTeam,
)
from tests import factories

# The mechanism every edit goes through, not an edit of its own.
VERSION_CHECKS = {"db.rules.writes.save_edit", "db.rules.validation.save_versioned"}
VERSION_PARAMETERS = {"seen_version", "version"}


# --- finding the editing writes ------------------------------------------------------------


def _db_modules():
    for info in pkgutil.walk_packages(db.__path__, "db."):
        yield importlib.import_module(info.name)


def _functions_defined_in(module) -> dict[str, Callable]:
    return {
        name: function
        for name, function in inspect.getmembers(module, inspect.isfunction)
        if function.__module__ == module.__name__
    }


def _calls_and_audited_actions(function: Callable) -> tuple[set[str], set[str]]:
    """The names a function calls, and the audit actions it names (`Action.UPDATE`)."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    called, actions = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            target = node.func
            if isinstance(target, ast.Name):
                called.add(target.id)
            elif isinstance(target, ast.Attribute):
                called.add(target.attr)
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, (ast.Name, ast.Attribute))
            and (getattr(node.value, "id", None) or getattr(node.value, "attr", None)) == "Action"
        ):
            actions.add(node.attr)
    return called, actions


def editing_writes() -> set[str]:
    """Public functions of db/ that edit an existing record: those that take a version, that
    reach save_edit / save_versioned, or that audit an UPDATE (every write is audited) —
    directly or through a private helper of their module."""
    check_names = {name.rsplit(".", 1)[1] for name in VERSION_CHECKS}
    found = set()
    for module in _db_modules():
        functions = _functions_defined_in(module)
        facts = {name: _calls_and_audited_actions(function) for name, function in functions.items()}
        editing = {
            name
            for name, (called, actions) in facts.items()
            if called & check_names or "UPDATE" in actions
        }
        while True:  # a public write may reach the edit through a private helper
            more = {name for name, (called, _) in facts.items() if called & editing} - editing
            if not more:
                break
            editing |= more
        for name, function in functions.items():
            takes_version = VERSION_PARAMETERS & set(inspect.signature(function).parameters)
            if (name in editing or takes_version) and not name.startswith("_"):
                found.add(f"{module.__name__}.{name}")
    return found - VERSION_CHECKS


# Edits that carry nothing a form drawn earlier could overwrite, so they take no version.
# Each says why; a new edit belongs in CASES below unless the same is true of it.
UNVERSIONED_EDITS = {
    "db.family_world.agreement_checked": "a 'checked today' stamp: nothing typed, and two "
    "stamps at once say the same thing",
    "db.family_world.change_status": "adds a dated status row; earlier ones are never changed",
    "db.family_world.hand_over": "ends one relationship with a reason and starts another as "
    "dated rows: the history is kept, not overwritten",
    "db.family_world.end_supporting": "ends an open supporting relationship with a reason; a "
    "second ending finds none open and is refused, so nothing is overwritten",
    "db.auth.change_password": "a worker's own password, checked against the current one",
    "db.auth.set_my_language": "a worker's own choice from a list: nothing typed to lose",
    "db.admin.set_active": "a switch with nothing typed; each change is audited",
    "db.admin.reset_password": "makes a fresh one-time password; nothing typed to lose",
    "db.family_space.pause_family_login": "a switch with nothing typed; each change is audited",
    "db.family_space.end_family_login": "ends a login for good: nothing typed to lose",
    "db.family_space.score_at_home": "a family member's own score for today replaces their "
    "own earlier one that day, by design",
}


# --- one case per editing write ------------------------------------------------------------


@dataclass
class Case:
    """How to edit one record: `save(seen_version, mark)` edits it, writing `mark` into what
    it changes; `version()` reads the version a form would have seen; `snapshot()` reads
    everything the edit could change."""

    save: Callable[[int, str], None]
    version: Callable[[], int]
    snapshot: Callable[[], dict]


def _row(model, record_id: int) -> dict:
    with read_session() as session:
        return session.get(model, record_id).model_dump()


def _one_row(model, record_id: int, edit: Callable[..., None], form: Callable[[str], dict]) -> Case:
    """The case of an edit of one row, saved as `edit(seen_version=…, **form(mark))`: a form
    sees that row's version, and the edit can change nothing but that row."""
    return Case(
        lambda seen, mark: edit(seen_version=seen, **form(mark)),
        lambda: _row(model, record_id)["version"],
        lambda: _row(model, record_id),
    )


@pytest.fixture
def world(demo_db):
    team = factories.team("Versions team")
    family = factories.family(team, "The Version family", first_came_on=date(2025, 1, 1))
    return {
        "sam": factories.practitioner("sam", team),
        "boss": factories.worker("boss", Role.admin),
        "team": team,
        "family": family,
        "person": factories.person(family, "Dana", in_household=True),
    }


def _keeping_safe(world) -> Case:
    sam, family = world["sam"], world["family"]
    family_world.save_keeping_safe(
        sam,
        family_id=family,
        seen_version=0,
        safe_phone="",
        ok_to_leave_messages=False,
        never_show="",
    )
    with read_session() as session:
        row = session.exec(select(KeepingSafe.id).where(KeepingSafe.family_id == family)).one()
    edit = partial(
        family_world.save_keeping_safe,
        sam,
        family_id=family,
        safe_phone="07700 900123",
        ok_to_leave_messages=True,
    )
    return _one_row(KeepingSafe, row, edit, lambda mark: {"never_show": f"new address {mark}"})


def _person(world) -> Case:
    sam, family, person = world["sam"], world["family"], world["person"]
    edit = partial(family_world.update_person, sam, family_id=family, person_id=person)
    return _one_row(
        Person,
        person,
        edit,
        lambda mark: {
            "person": PersonIn(name=f"Dana {mark}", relationship="parent", must_not_invite=True)
        },
    )


def _family_details(world) -> Case:
    sam, family = world["sam"], world["family"]
    return Case(
        save=lambda seen, mark: family_world.update_family_details(
            sam,
            family_id=family,
            seen_version=seen,
            known_as=f"The Versions {mark}",
            rhythm="weekly",
            council_reference=f"REF-{mark}",
        ),
        version=lambda: _row(Family, family)["version"],
        snapshot=lambda: {k: v for k, v in _row(Family, family).items() if k != "data_version"},
    )


def _goal(world) -> Case:
    sam, family = world["sam"], world["family"]
    goal = goals.add_goal(sam, family_id=family, goal=GoalIn(wording="Mornings go calmly"))
    edit = partial(goals.update_goal, sam, goal_id=goal)
    return _one_row(Goal, goal, edit, lambda mark: {"goal": GoalIn(wording=f"Calm {mark}")})


def _meeting(world) -> Case:
    sam, family = world["sam"], world["family"]
    meeting = factories.meeting(family, datetime.now(timezone.utc) - timedelta(days=2))
    edit = partial(
        meetings.update_meeting_notes, sam, meeting_id=meeting, status="held", written_together=True
    )
    return _one_row(Meeting, meeting, edit, lambda mark: {"summary": f"We talked {mark}"})


def _plan_step(world) -> Case:
    sam, family = world["sam"], world["family"]
    step = meetings.add_plan_step(sam, family_id=family, step=PlanStepIn(what="Ring school"))
    edit = partial(meetings.update_plan_step, sam, step_id=step, done=True)
    return _one_row(PlanStep, step, edit, lambda mark: {"step": PlanStepIn(what=f"Ring {mark}")})


def _conversation_item(world) -> Case:
    sam, family = world["sam"], world["family"]
    conversation = meetings.add_conversation(
        sam,
        family_id=family,
        held_on=date.today(),
        items=[ItemIn(column="going_well", words="Bedtimes are easier")],
    )
    with read_session() as session:
        item = session.exec(
            select(ConversationItem.id).where(ConversationItem.conversation_id == conversation)
        ).one()
    return Case(
        save=lambda seen, mark: meetings.update_conversation_item(
            sam, item_id=item, seen_version=seen, words=f"Easier {mark}", visibility="private"
        ),
        version=lambda: _row(Conversation, conversation)["version"],
        snapshot=lambda: {
            "item": _row(ConversationItem, item),
            "conversation": _row(Conversation, conversation),
        },
    )


def _worker(world) -> Case:
    boss, team = world["boss"], world["team"]
    worker_id, _ = admin.add_worker(
        boss, name="Kim", username="kim", roles=[Role.practitioner], team_ids=[team]
    )

    def details() -> dict:
        with read_session() as session:
            roles = sorted(
                session.exec(select(WorkerRole.role).where(WorkerRole.worker_id == worker_id))
            )
            teams = sorted(
                session.exec(select(WorkerTeam.team_id).where(WorkerTeam.worker_id == worker_id))
            )
        return {"worker": _row(Worker, worker_id), "roles": roles, "teams": teams}

    return Case(
        save=lambda seen, mark: admin.update_worker(
            boss,
            worker_id,
            seen_version=seen,
            name=f"Kim Lee {mark}",
            roles=[Role.practitioner, Role.manager] if mark == "first" else [Role.practitioner],
            team_ids=[team],
        ),
        version=lambda: _row(Worker, worker_id)["version"],
        snapshot=details,
    )


def _team_term(world) -> Case:
    boss, team = world["boss"], world["team"]
    admin.set_team_term(
        boss, team_id=team, term="plan", language="en", words="family plan", seen_version=0
    )

    def row() -> dict:
        with read_session() as session:
            term = session.exec(select(TeamTerm).where(TeamTerm.team_id == team)).one()
            return term.model_dump()

    return Case(
        save=lambda seen, mark: admin.set_team_term(
            boss, team_id=team, term="plan", language="en", words=f"plan {mark}", seen_version=seen
        ),
        version=lambda: row()["version"],
        snapshot=row,
    )


def _family_tick(world) -> Case:
    sam, family = world["sam"], world["family"]
    step = meetings.add_plan_step(sam, family_id=family, step=PlanStepIn(what="Ring school"))
    dana = factories.family_member(family, world["person"], "dana.ticks")
    edit = partial(family_space.tick_step, dana, step_id=step)
    return _one_row(PlanStep, step, edit, lambda mark: {"done": mark == "first"})


CASES: dict[str, Callable[[dict], Case]] = {
    "db.admin.set_team_term": _team_term,
    "db.family_space.tick_step": _family_tick,
    "db.admin.update_worker": _worker,
    "db.family_world.save_keeping_safe": _keeping_safe,
    "db.family_world.update_person": _person,
    "db.family_world.update_family_details": _family_details,
    "db.goals.update_goal": _goal,
    "db.meetings.update_meeting_notes": _meeting,
    "db.meetings.update_plan_step": _plan_step,
    "db.meetings.update_conversation_item": _conversation_item,
}


def test_every_editing_write_has_a_stale_version_case():
    found = editing_writes()
    listed = CASES.keys() | UNVERSIONED_EDITS.keys()
    assert found - listed == set(), "editing writes with no stale-version case below"
    assert listed - found == set(), "cases for writes that no longer edit a record"


def _counts(family_id: int) -> tuple[int, int]:
    with read_session() as session:
        audited = session.exec(select(func.count()).select_from(AuditEvent)).one()
        return audited, session.get(Family, family_id).data_version


@pytest.mark.parametrize("write", sorted(CASES))
def test_a_save_from_a_form_drawn_before_someone_elses_save_is_refused(world, write):
    case = CASES[write](world)
    seen = case.version()  # two workers draw the form
    case.save(seen, "first")  # the first saves
    after_first = case.snapshot()
    assert case.version() == seen + 1
    counts = _counts(world["family"])
    with pytest.raises(Conflict):
        case.save(seen, "second")  # the second saves from the form drawn earlier
    assert case.snapshot() == after_first
    assert _counts(world["family"]) == counts
