"""Who may see what: a role × team × action matrix against db/, with no Streamlit.

Practitioners open their teams' families; managers the teams they lead; an admin alone opens
no case content. Out of scope raises NotAllowed (and the refusal is audited), with no data.
"""

from __future__ import annotations

import inspect
from datetime import date, datetime, timezone

import pandas as pd
import pytest
from sqlmodel import select

from db import admin, goals
from db import families as family_store
from db.rules.access import NotAllowed
from db.rules.audit import Action
from db.store.engine import read_session
from db.store.models import AuditEvent, Role
from tests import audit
from tests import factories as make


# Read functions of db.families shaped (actor, family_id, <defaults>): found, not listed, so a
# new one is covered as soon as it is written.
def _takes_actor_and_family(function) -> bool:
    parameters = list(inspect.signature(function).parameters.values())
    return (
        len(parameters) >= 2
        and [p.name for p in parameters[:2]] == ["actor", "family_id"]
        and all(p.kind is p.POSITIONAL_OR_KEYWORD for p in parameters[:2])
        and all(p.default is not p.empty for p in parameters[2:])
    )


FAMILY_READS = sorted(
    name
    for name, function in vars(family_store).items()
    if inspect.isfunction(function)
    and function.__module__ == "db.families"
    and not name.startswith("_")
    and _takes_actor_and_family(function)
)
REQUIRED_READS = {"family_summary", "family_people", "family_workers", "family_meetings"}

ALLOWED = {  # who may open which team's families
    "prac_a": {"A"},
    "prac_b": {"B"},
    "prac_ab": {"A", "B"},
    "mgr_a": {"A"},
    "member_mgr_b": set(),
    "admin": set(),
    "admin_mgr_b": {"B"},
}


@pytest.fixture
def world(empty_db):
    a, b = make.team("Team A"), make.team("Team B")
    people = {
        "prac_a": make.worker("prac_a", Role.practitioner, teams=(a,)),
        "prac_b": make.worker("prac_b", Role.practitioner, teams=(b,)),
        "prac_ab": make.worker("prac_ab", Role.practitioner, teams=(a, b)),
        "mgr_a": make.worker("mgr_a", Role.manager, leads=(a,)),
        # A manager who is in team B but does not lead it sees none of B's families.
        "member_mgr_b": make.worker("member_mgr_b", Role.manager, teams=(b,)),
        "admin": make.worker("admin", Role.admin),
        "admin_mgr_b": make.worker("admin_mgr_b", Role.admin, Role.manager, leads=(b,)),
    }
    families = {"A": make.family(a, "The Alder family"), "B": make.family(b, "The Birch family")}
    for family_id in families.values():
        make.person(family_id, "Zed")
        make.meeting(family_id, datetime(2025, 3, 1, 10, tzinfo=timezone.utc), summary="Tea")
        make.relationship(family_id, people["prac_ab"].worker_id, date(2025, 1, 2))
    return people, families


def test_the_matrix_covers_the_required_reads():
    assert REQUIRED_READS <= set(FAMILY_READS)


@pytest.mark.parametrize("who", sorted(ALLOWED))
def test_family_reads_and_record_view(world, who):
    people, families = world
    actor = people[who]
    for team, family_id in families.items():
        calls = [(name, getattr(family_store, name)) for name in FAMILY_READS]
        calls.append(("record_view", family_store.record_view))
        for _name, function in calls:
            if team in ALLOWED[who]:
                function(actor, family_id)  # no error
            else:
                with pytest.raises(NotAllowed) as refused:
                    function(actor, family_id)
                assert "Birch" not in str(refused.value) and "Alder" not in str(refused.value)


@pytest.mark.parametrize("who", sorted(ALLOWED))
def test_family_lists_hold_only_teams_in_scope(world, who):
    people, families = world
    listed = family_store.families(people[who], search="family", include_closed=True)
    expected = {families[team] for team in ALLOWED[who]}
    assert set(listed["family_id"]) == expected
    assert set(family_store.families(people[who], mine_only=False)["family_id"]) == expected


def test_a_missing_family_is_refused_like_another_teams(world):
    people, _ = world
    with pytest.raises(NotAllowed):
        family_store.family_summary(people["prac_a"], 999_999)


def test_a_refused_write_is_refused_politely_and_audited(world):
    people, families = world
    with pytest.raises(NotAllowed):
        family_store.record_view(people["prac_a"], families["B"])
    assert [(r.username, r.record_id) for r in audit.refusals()] == [("prac_a", families["B"])]


def test_adding_a_goal_checks_the_team(world):
    people, families = world
    with pytest.raises(NotAllowed):
        goals.add_goal(
            people["prac_a"], family_id=families["B"], goal=goals.GoalIn(wording="Calmer bedtimes")
        )
    with pytest.raises(NotAllowed):
        goals.add_goal(
            people["admin"], family_id=families["A"], goal=goals.GoalIn(wording="Calmer bedtimes")
        )
    assert goals.add_goal(
        people["prac_a"], family_id=families["A"], goal=goals.GoalIn(wording="Calmer bedtimes")
    )


@pytest.mark.parametrize("who", sorted(ALLOWED))
def test_workers_and_teams_is_for_admins(world, who):
    people, _ = world
    if people[who].has(Role.admin):
        workers, teams = admin.workers_and_teams(people[who])
        assert "password_hash" not in workers.columns
        assert len(workers) == len(people) and len(teams) == 2
    else:
        with pytest.raises(NotAllowed):
            admin.workers_and_teams(people[who])


def test_refusals_are_audited_without_any_value(world):
    people, families = world
    with pytest.raises(NotAllowed):
        family_store.family_people(people["prac_a"], families["B"])
    [row] = audit.refusals()  # exactly one
    assert row.username == "prac_a" and row.roles == "practitioner"
    assert row.record_id == families["B"] and row.fields == ""
    assert row.at.tzinfo is not None


def test_a_view_is_audited_with_who_role_when_and_which_family(world):
    people, families = world
    family_store.record_view(people["mgr_a"], families["A"])
    with read_session() as session:
        row = session.exec(select(AuditEvent).where(AuditEvent.action == Action.VIEW)).one()
    assert (row.worker_id, row.username, row.roles, row.family_id) == (
        people["mgr_a"].worker_id,
        "mgr_a",
        "manager",
        families["A"],
    )
    assert row.at.tzinfo is not None
    assert isinstance(family_store.family_people(people["mgr_a"], families["A"]), pd.DataFrame)
