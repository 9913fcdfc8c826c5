"""Small data factories for store tests: build exactly the history a test needs."""

from __future__ import annotations

from datetime import date, datetime, timezone

from db.rules.access import Actor, load_actor
from db.store.engine import read_session, write_session
from db.store.models import (
    Family,
    FamilyStatus,
    FamilyStatusChange,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Person,
    Relationship,
    Role,
    Team,
    Worker,
    WorkerRelationship,
    WorkerRole,
    WorkerTeam,
)

TEST_PASSWORD = "test-password-123"
# TEST_PASSWORD at bcrypt cost 4, so tests stay quick
FAST_HASH = "$2b$04$ScijvQhh35aVwybvA1cnFuOYOBs/UzeCgyquekK5MlTt2CN3pjJOK"


def team(name: str = "Test Team", time_zone: str = "Europe/London") -> int:
    with write_session() as session:
        row = Team(name=name, community="Test community", time_zone=time_zone)
        session.add(row)
        session.flush()
        return row.id


def worker(
    username: str,
    *roles: Role,
    teams: tuple[int, ...] = (),
    leads: tuple[int, ...] = (),
    password_hash: str = FAST_HASH,
) -> Actor:
    with write_session() as session:
        row = Worker(name=username.title(), username=username, password_hash=password_hash)
        session.add(row)
        session.flush()
        for role in roles:
            session.add(WorkerRole(worker_id=row.id, role=role))
        for team_id in set(teams) | set(leads):
            session.add(WorkerTeam(worker_id=row.id, team_id=team_id, leads=team_id in leads))
    with read_session() as session:
        return load_actor(session, username)


def practitioner(username: str, team_id: int) -> Actor:
    """A practitioner who works in this team."""
    return worker(username, Role.practitioner, teams=(team_id,))


def family(
    team_id: int,
    known_as: str = "The Test family",
    *,
    first_came_on: date = date(2025, 1, 1),
    status: FamilyStatus = FamilyStatus.working_together,
    **values,
) -> int:
    with write_session() as session:
        row = Family(
            team_id=team_id, known_as=known_as, first_came_on=first_came_on, status=status, **values
        )
        session.add(row)
        session.flush()
        session.add(
            FamilyStatusChange(
                family_id=row.id, status=FamilyStatus.waiting, changed_on=first_came_on
            )
        )
        if status != FamilyStatus.waiting:
            session.add(
                FamilyStatusChange(family_id=row.id, status=status, changed_on=first_came_on)
            )
        return row.id


def person(
    family_id: int, name: str = "Mia", relationship: Relationship = Relationship.child, **values
) -> int:
    with write_session() as session:
        row = Person(family_id=family_id, name=name, relationship=relationship, **values)
        session.add(row)
        session.flush()
        return row.id


def relationship(
    family_id: int, worker_id: int, started_on: date, ended_on: date | None = None, **values
) -> int:
    values.setdefault("role", "lead")
    with write_session() as session:
        row = WorkerRelationship(
            family_id=family_id,
            worker_id=worker_id,
            started_on=started_on,
            ended_on=ended_on,
            **values,
        )
        session.add(row)
        session.flush()
        return row.id


def meeting(
    family_id: int,
    starts_at: datetime,
    *,
    kind: MeetingKind = MeetingKind.home_visit,
    status: MeetingStatus = MeetingStatus.held,
    **values,
) -> int:
    if starts_at.tzinfo is None:
        starts_at = starts_at.replace(tzinfo=timezone.utc)
    with write_session() as session:
        row = Meeting(family_id=family_id, kind=kind, status=status, starts_at=starts_at, **values)
        session.add(row)
        session.flush()
        return row.id


def family_member(
    family_id: int, person_id: int, username: str, *, young_person: bool = False
) -> Actor:
    """A family member's login to their family's own space, as an accepted invitation makes."""
    from db.store.models import FamilyLogin

    with write_session() as session:
        row = Worker(name=username.title(), username=username, password_hash=FAST_HASH)
        session.add(row)
        session.flush()
        session.add(WorkerRole(worker_id=row.id, role=Role.family_member))
        session.add(
            FamilyLogin(
                worker_id=row.id,
                family_id=family_id,
                person_id=person_id,
                young_person=young_person,
                child_agreed=young_person,
            )
        )
    with read_session() as session:
        actor = load_actor(session, username)
    assert actor is not None
    return actor


def held_conference(worker: Actor, family_id: int, days_ago: int, **values) -> int:
    """A family group conference that happened `days_ago` days ago, recorded by the worker as
    the Family page records one."""
    from datetime import timedelta

    from db.meetings import MeetingIn, record_meeting

    starts_at = datetime.now(timezone.utc) - timedelta(days=days_ago)
    meeting = MeetingIn(
        kind="family_group_conference", status="held", starts_at=starts_at, **values
    )
    return record_meeting(worker, family_id=family_id, meeting=meeting)


def choose_language(worker: Actor, family_id: int, language: str) -> None:
    """The family's own language, chosen on the family details form by their worker."""
    from db.families import family_summary
    from db.family_world import update_family_details

    summary = family_summary(worker, family_id)
    update_family_details(
        worker,
        family_id=family_id,
        seen_version=summary.version,
        known_as=summary.known_as,
        rhythm="fortnightly",
        council_reference="",
        preferred_language=language,
    )


def rivers_family(**goal_values) -> tuple[Actor, int, int, int]:
    """A team whose practitioner sam works with the Rivers family: Dana Rivers, a parent, and
    one goal, "Calmer mornings" (with any of the goal's other values). Returns sam, the
    family, Dana and the goal."""
    from db.goals import GoalIn, add_goal

    sam = practitioner("sam", team())
    family_id = family(next(iter(sam.team_ids)), "The Rivers family")
    mum = person(family_id, "Dana Rivers", Relationship.parent)
    goal = add_goal(sam, family_id=family_id, goal=GoalIn(wording="Calmer mornings", **goal_values))
    return sam, family_id, mum, goal
