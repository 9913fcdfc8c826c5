"""Every refusal is audited, once: each public function of db/ that takes the acting worker is
called for another team's records by a worker of another team (and, for case content, by an
admin), and must refuse with exactly one refused row in the audit.

The functions are found by introspection, so a function added later is covered the moment it
is written; the few that cannot refuse (they only ever return the worker's own things) are
listed with the reason.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from datetime import date, datetime, timedelta, timezone

import pandas as pd
import pytest
from sqlmodel import select

import db
from db.store.engine import read_session
from db.store.models import (
    Agreement,
    Conversation,
    ConversationItem,
    Family,
    FamilyInvitation,
    Goal,
    Huddle,
    Meeting,
    Person,
    PlanStep,
    Role,
    Team,
    WorkerTeam,
)
from tests import audit
from tests import factories as make

# Modules whose functions are rules and plumbing used by the others, not calls a screen makes.
PLUMBING = {"db.rules.access", "db.rules.audit", "db.rules.writes", "db.rules.validation"}

# Functions that only ever act on the worker's own things, so there is nothing to refuse.
ONLY_THEIR_OWN = {
    "db.auth.change_password": "changes the worker's own password",
    "db.auth.end_sessions": "ends the worker's own sessions",
    "db.auth.start_session": "starts a session for the worker who has just proved who they are",
    "db.auth.confirm_password": "checks the worker's own password",
    "db.auth.set_my_language": "sets the language of the worker's own screens",
    "db.conference.close_screen": "gives the worker's own login its pages back",
    "db.families.families": "lists only the families of the worker's own teams",
    "db.families.teams_for": "lists only the worker's own teams",
    "db.continuity.report.led_teams": "lists only the teams the worker leads",
    "db.subject_access.requests_for_managers": "lists only requests for the teams they lead",
    "db.intake.possible_matches": "looks only among the families of the worker's own teams",
    "db.importer.import_teams": "lists only the teams the worker may bring records into",
}

# A family member's own space: these take no family, only the login's own; every other public
# function of db/ must refuse a family member, even of the family the ids belong to.
OWN_SPACE = {
    "db.family_space.own_space",
    "db.family_space.score_at_home",
    "db.family_space.tick_step",
    "db.family_space.add_own_step",
    "db.family_space.send_message",
}

# What a function run by an admin for their own work is: refused to other roles, but the admin
# is its rightful user.
ADMIN_WORK_MODULES = {"db.admin", "db.subject_access", "db.importer"}


def public_functions_taking_an_actor():
    found = []
    for info in pkgutil.walk_packages(db.__path__, "db."):
        if info.name in PLUMBING or info.name.startswith("db.ops"):
            continue
        module = importlib.import_module(info.name)
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ != info.name or name.startswith("_"):
                continue
            parameters = list(inspect.signature(function).parameters)
            if parameters[:1] == ["actor"]:  # not the helpers that run inside a session
                found.append(f"{info.name}.{name}")
    return sorted(found)


FUNCTIONS = public_functions_taking_an_actor()


def _resolve(qualified: str):
    module, name = qualified.rsplit(".", 1)
    return getattr(importlib.import_module(module), name)


def _first(model, family_id: int) -> int:
    with read_session() as session:
        return session.exec(
            select(model.id).where(model.family_id == family_id).order_by(model.id)
        ).first()


def _first_item(family_id: int) -> int:
    with read_session() as session:
        return session.exec(
            select(ConversationItem.id)
            .join(Conversation, Conversation.id == ConversationItem.conversation_id)
            .where(Conversation.family_id == family_id)
            .order_by(ConversationItem.id)
        ).first()


@pytest.fixture
def targets(demo_db):
    """A family of the demo's first team with one of each record, and the ids a call needs."""
    with read_session() as session:
        team_id = session.exec(select(Team.id).order_by(Team.id)).first()
        family_id = session.exec(
            select(Family.id)
            .where(Family.team_id == team_id)
            .where(
                Family.id.in_(select(Goal.family_id)),
                Family.id.in_(select(PlanStep.family_id)),
                Family.id.in_(select(Conversation.family_id)),
                Family.id.in_(select(Agreement.family_id)),
            )
            .order_by(Family.id)
        ).first()
        worker_id = session.exec(
            select(WorkerTeam.worker_id).where(WorkerTeam.team_id == team_id)
        ).first()
        huddle = Huddle(team_id=team_id, held_on=date.today())
        session.add(huddle)
        session.commit()
        huddle_id = huddle.id
    goal_id = _first(Goal, family_id)
    from db.family_space import invite_family_member
    from db.subject_access import ask_for_copy

    inviting = make.worker("inviting.worker", Role.practitioner, teams=(team_id,))
    person_id = _first(Person, family_id)
    invite_family_member(inviting, family_id=family_id, person_id=person_id)
    member = make.family_member(family_id, person_id, "family.of.target")

    answering = make.worker("answering.admin", Role.admin)
    request_id = ask_for_copy(
        answering, family_id, asked_by_whom="Mum, by letter", asked_on=date.today()
    )
    return {
        "request_id": request_id,
        "family_id": family_id,
        "team_id": team_id,
        "team_ids": (team_id,),
        "worker_id": worker_id,
        "to_worker_id": worker_id,
        "goal_id": goal_id,
        "meeting_id": _first(Meeting, family_id),
        "person_id": _first(Person, family_id),
        "step_id": _first(PlanStep, family_id),
        "item_id": _first_item(family_id),
        "agreement_id": _first(Agreement, family_id),
        "huddle_id": huddle_id,
        "login_id": member.worker_id,
        "invitation_id": _first(FamilyInvitation, family_id),
        "family_member": member,
    }


def _arguments(qualified: str, function, ids: dict) -> dict:
    """Values a screen would send: well-formed, so only the access rule can refuse them."""
    from db.family_world import PersonIn
    from db.goals import GoalIn, ScoreIn
    from db.meetings import ItemIn, MeetingIn, PlanStepIn

    today = date.today()
    plain = {
        "audience": "staff",
        "seen_version": 1,
        "token": "a-fresh-token",
        "scored_on": today,
        "held_on": today,
        "written_on": today,
        "given_on": today,
        "on": today,
        "goal": GoalIn(wording="Sleep through the night"),
        "scores": [ScoreIn(goal_id=ids["goal_id"], score=5)],
        "person": PersonIn(name="Aunt Rose", relationship="grandparent"),
        "meeting": MeetingIn(
            kind="home_visit",
            status="held",
            starts_at=datetime.now(timezone.utc) - timedelta(hours=1),
        ),
        "step": PlanStepIn(what="Ring the school together"),
        "items": [ItemIn(column="going_well", words="Mornings are calmer")],
        "frame": pd.DataFrame({"family": ["x"]}),
        "words": "A few words about this family",
        "reason": "The family asked us to, in writing",
        "confirm_known_as": "whatever",
        "name": "Sam Someone",
        "username": "sam.someone",
        "roles": ["practitioner"],
        "active": False,
        "status": "working_together",
        "visibility": "family",
        "summary": "We met at home",
        "written_together": True,
        "done": True,
        "known_as": "The Renamed family",
        "rhythm": "weekly",
        "council_reference": "REF-1",
        "safe_phone": "07700 900000",
        "ok_to_leave_messages": False,
        "never_show": "",
        "ok_to_contact": True,
        "asked_by_whom": "Mum, by letter",
        "today": today,
        "asked_on": today,
        "start_on": today - timedelta(days=364),
        "end_on": today,
        "because": "We need to check who asked first",
        "data": b"record,council_reference\nfamily,R1\n",
        "file_name": "families.csv",
        "score": 5,
        "what": "Walked to school together",
        "paused": True,
        "since": datetime.now(timezone.utc) - timedelta(days=7),
        "until": datetime.now(timezone.utc),
    }
    by_function = {
        "db.family_world.add_help": {"kind": "food", "what": "A food parcel"},
        "db.family_world.add_note": {"kind": "huddle"},
        "db.family_world.add_agreement": {"what": "Working together"},
        "db.export.export_csv": {"what": "continuity_families"},
        "db.family_world.change_status": {"status": "keeping_in_touch"},
        "db.admin.set_team_term": {"term": "plan", "language": "cy", "seen_version": 0},
        "db.conference.meeting_screen": {"audience": "household"},
        "db.conference.open_screen": {
            "audience": "household",
            "language": "en",
            "login_session": None,
        },
        "db.intake.add_family": {
            "family": {
                "known_as": "The Newcomer family",
                "team_id": ids["team_id"],
                "first_came_on": today,
                "members": [{"name": "Ava", "relationship": "child", "birth_year": 2019}],
            }
        },
        "db.intake.choose_worker": {
            "choice": {"offered": [ids["worker_id"]], "chosen": ids["worker_id"], "on": today}
        },
    }
    values = {**plain, **ids, **by_function.get(qualified, {})}
    values.pop("family_member", None)
    arguments = {}
    for parameter in list(inspect.signature(function).parameters.values())[1:]:
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        if parameter.name in values:
            arguments[parameter.name] = values[parameter.name]
        elif parameter.default is parameter.empty:
            raise AssertionError(f"{qualified}: the test has no value for '{parameter.name}'")
    if qualified == "db.export.export_csv":
        arguments.pop("family_id", None)  # a team's table: refused by the team rule
    return arguments


def _refused_once(function, actor, arguments: dict, qualified: str, who: str) -> None:
    with audit.refused_once(f"{qualified}, refusing {who},"):
        function(actor, **arguments)


@pytest.fixture
def outsiders(targets):
    """A practitioner who manages another team (no admin), an admin with no team, and a family
    member of a family of that other team."""
    other = make.team("The other team")
    other_family = make.family(other, "The Other family")
    return {
        "family member of another family": make.family_member(
            other_family, make.person(other_family, "Jo", "parent"), "other.family"
        ),
        "worker of another team": make.worker(
            "other.worker", Role.practitioner, Role.manager, teams=(other,), leads=(other,)
        ),
        "admin": make.worker("only.admin", Role.admin),
    }


def test_every_public_function_is_found():
    # A smoke check that introspection found the modules at all (not a hand list).
    assert {"db.families.family_summary", "db.huddle.board", "db.admin.search_audit"} <= set(
        FUNCTIONS
    )


@pytest.mark.parametrize("qualified", [f for f in FUNCTIONS if f not in ONLY_THEIR_OWN])
def test_a_refusal_is_audited_exactly_once(targets, outsiders, qualified):
    function = _resolve(qualified)
    arguments = _arguments(qualified, function, targets)
    module = qualified.rsplit(".", 1)[0]
    who_is_refused = ["worker of another team"]
    if module not in ADMIN_WORK_MODULES:
        who_is_refused.append("admin")  # an admin alone sees no case content
    for who in who_is_refused:
        _refused_once(function, outsiders[who], arguments, qualified, who)


@pytest.mark.parametrize(
    "qualified", [f for f in FUNCTIONS if f not in set(ONLY_THEIR_OWN) | OWN_SPACE]
)
def test_a_family_member_is_refused_every_staff_read_and_write(targets, qualified):
    """Even for their own family's ids: a family member reaches nothing but their own space."""
    function = _resolve(qualified)
    arguments = _arguments(qualified, function, targets)
    _refused_once(function, targets["family_member"], arguments, qualified, "a family member")


@pytest.mark.parametrize("qualified", sorted(OWN_SPACE))
def test_another_familys_member_is_refused_this_familys_records(targets, outsiders, qualified):
    function = _resolve(qualified)
    arguments = _arguments(qualified, function, targets)
    if qualified in (
        "db.family_space.own_space",
        "db.family_space.add_own_step",
        "db.family_space.send_message",
    ):
        pytest.skip("takes no record of another family: it reaches only the login's own")
    who = "family member of another family"
    _refused_once(function, outsiders[who], arguments, qualified, who)
