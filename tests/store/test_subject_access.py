"""Right of access (a JSON copy of everything held), erasure in place, and the retention report."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlmodel import func, select

from db import subject_access as sar
from db.rules.access import NotAllowed
from db.rules.audit import Action
from db.rules.validation import Invalid
from db.store.engine import read_session, write_session
from db.store.models import (
    AuditEvent,
    Family,
    FamilyStatus,
    FamilyStatusChange,
    Goal,
    GoalScore,
    Meeting,
    Person,
    Role,
)
from tests import factories as make

FAMILY_TABLES_EXPECTED = {
    "family",
    "person",
    "meeting",
    "meetingperson",
    "goal",
    "goalscore",
    "scoreround",
    "planstep",
    "note",
    "conversation",
    "conversationitem",
    "childview",
    "agreement",
    "keepingsafe",
    "workerrelationship",
    "familystatuschange",
    "practicalhelp",
}


def _actor(username: str):
    from db.rules.access import load_actor

    with read_session() as session:
        return load_actor(session, username)


def _rich_family() -> int:
    """The demo family with the most goal scores (so every kind of row is there)."""
    with read_session() as session:
        return session.exec(
            select(Goal.family_id)
            .join(GoalScore, GoalScore.goal_id == Goal.id)
            .join(Family, Family.id == Goal.family_id)
            .where(Family.team_id == 1)
            .group_by(Goal.family_id)
            .order_by(func.count(GoalScore.id).desc())
        ).first()


def _texts(document: dict) -> set[str]:
    found = set()
    for rows in document["records"].values():
        for row in rows:
            for key, value in row.items():
                if (
                    isinstance(value, str)
                    and len(value.strip()) > 3
                    and not value[:4].isdigit()
                    and key not in {"token", "time_zone"}
                    and not key.endswith(
                        (
                            "_on",
                            "_at",
                            "status",
                            "kind",
                            "role",
                            "column",
                            "visibility",
                            "relationship",
                            "rhythm",
                            "reason",
                        )
                    )
                ):
                    found.add(value)
    return found


def test_export_holds_everything_keyed_by_the_family_and_is_audited(demo_db):
    admin, family_id = _actor("admin"), _rich_family()
    document = json.loads(sar.export_family(admin, family_id))
    assert document["family_id"] == family_id
    assert FAMILY_TABLES_EXPECTED <= set(document["records"])
    with read_session() as session:
        people = session.exec(select(Person).where(Person.family_id == family_id)).all()
        meetings = session.exec(
            select(func.count(Meeting.id)).where(Meeting.family_id == family_id)
        ).one()
    assert {p.name for p in people} == {row["name"] for row in document["records"]["person"]}
    assert len(document["records"]["meeting"]) == meetings
    assert document["records"]["goalscore"], "scores are part of the copy"
    assert all("password_hash" not in row for rows in document["records"].values() for row in rows)
    with read_session() as session:
        row = session.exec(select(AuditEvent).where(AuditEvent.action == Action.EXPORT)).one()
    assert (row.username, row.family_id, row.record_type) == ("admin", family_id, "subject_access")
    assert all(p.name not in row.fields for p in people)


def test_export_is_refused_to_practitioners_and_other_teams_managers(demo_db):
    family_id = _rich_family()
    with pytest.raises(NotAllowed):
        sar.export_family(_actor("practitioner"), family_id)
    assert json.loads(sar.export_family(_actor("manager"), family_id))["family_id"] == family_id
    with read_session() as session:
        other = session.exec(select(Family.id).where(Family.team_id == 3)).first()
    with pytest.raises(NotAllowed):
        sar.export_family(_actor("manager"), other)
    with read_session() as session:
        refused = session.exec(select(AuditEvent).where(AuditEvent.action == Action.REFUSED)).all()
    assert len(refused) == 2


def test_erasure_anonymises_in_place_and_leaves_nothing_behind(demo_db):
    admin, family_id = _actor("admin"), _rich_family()
    before = json.loads(sar.export_family(admin, family_id))
    words = _texts(before)
    known_as = before["records"]["family"][0]["known_as"]
    counts = {table: len(rows) for table, rows in before["records"].items()}
    with pytest.raises(Invalid, match="reason"):
        sar.erase_family(admin, family_id, reason=" ", confirm_known_as=known_as)
    with pytest.raises(Invalid, match="doesn't match"):
        sar.erase_family(
            admin,
            family_id,
            reason="The family asked us to erase it",
            confirm_known_as="someone else",
        )
    changed = sar.erase_family(
        admin, family_id, reason="The family asked us to erase it", confirm_known_as=known_as
    )
    assert "person.name" in changed and "meeting.summary" in changed
    after = json.loads(sar.export_family(admin, family_id))
    # Nothing hard-deleted: the same rows (plus the note giving the reason).
    assert {t: len(r) for t, r in after["records"].items()} == {
        **counts,
        "note": counts["note"] + 1,
    }
    leftover = _texts(after) & words
    assert leftover == set(), leftover
    assert after["records"]["family"][0]["erased_at"]
    assert all(p["birth_year"] is None for p in after["records"]["person"])
    with read_session() as session:
        audit_text = " ".join(
            f"{r.username} {r.roles} {r.record_type} {r.fields}"
            for r in session.exec(select(AuditEvent)).all()
        )
        erased = session.exec(select(AuditEvent).where(AuditEvent.action == Action.ERASE)).one()
    assert erased.family_id == family_id and erased.username == "admin"
    assert known_as not in audit_text and not any(w in audit_text for w in words if len(w) > 6)
    with pytest.raises(Invalid, match="already been erased"):
        sar.erase_family(admin, family_id, reason="Again, by mistake", confirm_known_as="x")


def test_only_an_admin_erases(demo_db):
    with pytest.raises(NotAllowed):
        sar.erase_family(
            _actor("manager"), _rich_family(), reason="Because I said so", confirm_known_as="x"
        )


def test_retention_report_lists_closed_families_past_the_setting(empty_db):
    team = make.team()
    boss = make.worker("boss", Role.admin)
    old = make.family(
        team, "The Old family", first_came_on=date(2010, 1, 1), status=FamilyStatus.closed
    )
    recent = make.family(
        team, "The New family", first_came_on=date(2010, 1, 1), status=FamilyStatus.closed
    )
    make.family(team, "The Open family", first_came_on=date(2010, 1, 1))
    today = date(2026, 6, 1)
    with write_session() as session:
        session.add(
            FamilyStatusChange(
                family_id=recent, status=FamilyStatus.closed, changed_on=today - timedelta(days=365)
            )
        )
    report = sar.retention_report(boss, today=today, years=6)
    assert list(report["family_id"]) == [old]
    assert "The Old family" not in report.to_string()
    with pytest.raises(NotAllowed):
        sar.retention_report(make.worker("mgr", Role.manager, leads=(team,)))
    with read_session() as session:  # a report, never a deletion
        assert session.exec(select(func.count(Family.id))).one() == 3


def test_find_family_is_for_admins_and_audited(demo_db):
    admin = _actor("admin")
    family_id = _rich_family()
    found = sar.find_family(admin, family_id=family_id)
    assert found["family_id"] == family_id
    assert sar.find_family(admin, family_id=10**8) is None
    with pytest.raises(NotAllowed):
        sar.find_family(_actor("manager"), family_id=family_id)
