"""Read models for the screens. Every function takes the acting worker and checks access first.

Results are pandas DataFrames or small dataclasses holding only what the screen shows.
Aggregation happens in SQL; nothing loads a whole table.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

import pandas as pd
from sqlalchemy import and_, func, or_
from sqlmodel import Session, select

from db.access import Actor, NotAllowed, require_family, require_role
from db.engine import database_url, read_session
from db.metrics import SCORE_COLUMNS
from db.models import (Family, FamilyStatus, FamilyStatusChange, Goal, GoalScore, GoalStatus,
                       Meeting, MeetingStatus, Person, Relationship, Role, Team, Visibility, Worker,
                       WorkerRelationship, WorkerRole, WorkerTeam)
from db.types import local_day, utcnow
from db.words import (FAMILY_STATUS, GOAL_STATUS, MEETING_KIND, MEETING_STATUS, RELATIONSHIP,
                      RHYTHM, WHOLE_FAMILY, WORKER_VIEW)


def refuse(actor: Actor, *, what: str, record_id: int | None = None) -> NotAllowed:
    """For code outside any open transaction: audits a refusal of `what` (a family, a team's
    figures…) now and returns the error to raise. Inside a session, raise
    NotAllowed(actor=…) instead; the session audits it."""
    from db import audit
    from db.engine import write_session
    with write_session() as session:
        audit.record(session, actor, audit.Action.REFUSED, record_type=what, record_id=record_id)
    return NotAllowed()


def open_family(session: Session, actor: Actor, family_id: int) -> Family:
    """The family if this worker may open it; NotAllowed (audited by the session) otherwise."""
    return require_family(session, actor, family_id)


# --- lists of families -------------------------------------------------------------------

def _last_met(now: datetime):
    return (select(func.max(Meeting.starts_at))
            .where(Meeting.family_id == Family.id, Meeting.status == MeetingStatus.held,
                   Meeting.starts_at <= now)
            .correlate(Family).scalar_subquery())


def _next_meeting(now: datetime):
    return (select(func.min(Meeting.starts_at))
            .where(Meeting.family_id == Family.id, Meeting.status == MeetingStatus.planned,
                   Meeting.starts_at >= now)
            .correlate(Family).scalar_subquery())


def _current_workers(session: Session, family_ids: list[int], today: date) -> dict[int, str]:
    """Each family's current workers, main worker first: one query for the whole list."""
    if not family_ids:
        return {}
    rows = session.exec(
        select(WorkerRelationship.family_id, Worker.name, WorkerRelationship.role)
        .join(Worker, Worker.id == WorkerRelationship.worker_id)
        .where(WorkerRelationship.family_id.in_(family_ids),
               or_(WorkerRelationship.ended_on.is_(None), WorkerRelationship.ended_on > today))
        .order_by(WorkerRelationship.family_id, WorkerRelationship.role, Worker.name)
    ).all()
    names: dict[int, list[str]] = {}
    for family_id, name, _role in rows:
        names.setdefault(family_id, []).append(name)
    return {family_id: ", ".join(found) for family_id, found in names.items()}


FAMILY_LIST_COLUMNS = ["family_id", "family", "status", "workers", "last_met", "next_meeting"]


def families(actor: Actor, *, search: str = "", mine_only: bool = True,
             include_closed: bool = False, limit: int = 200) -> pd.DataFrame:
    """The families this worker works with, or (searching) any family of their teams."""
    teams = actor.case_team_ids
    if not teams:
        return pd.DataFrame(columns=FAMILY_LIST_COLUMNS)
    now = utcnow()
    today = now.date()
    query = (select(Family.id, Family.known_as, Family.status, _last_met(now), _next_meeting(now))
             .where(Family.team_id.in_(teams), Family.erased_at.is_(None)))
    if search.strip():
        pattern = f"%{search.strip().lower()}%"
        query = query.where(or_(func.lower(Family.known_as).like(pattern),
                                func.lower(Family.council_reference).like(pattern)))
    elif mine_only:
        mine = (select(WorkerRelationship.family_id)
                .where(WorkerRelationship.worker_id == actor.worker_id,
                       or_(WorkerRelationship.ended_on.is_(None),
                           WorkerRelationship.ended_on > today)))
        query = query.where(Family.id.in_(mine))
    if not include_closed and not search.strip():
        query = query.where(Family.status != FamilyStatus.closed)
    with read_session() as session:
        rows = session.exec(query.order_by(Family.known_as, Family.id).limit(limit)).all()
        workers = _current_workers(session, [row[0] for row in rows], today)
    frame = pd.DataFrame(rows, columns=["family_id", "family", "status", "last_met", "next_meeting"])
    frame["status"] = frame["status"].map(lambda s: FAMILY_STATUS[FamilyStatus(s)])
    frame["workers"] = frame["family_id"].map(lambda i: workers.get(i, "Not yet chosen"))
    return frame[FAMILY_LIST_COLUMNS]


# --- one family --------------------------------------------------------------------------

@dataclass(frozen=True)
class FamilySummary:
    id: int
    known_as: str
    team_id: int
    team_name: str
    time_zone: str
    status: FamilyStatus
    status_words: str
    rhythm_words: str
    first_came_on: date
    council_reference: str
    is_demo: bool
    data_version: int
    version: int
    erased: bool = False


def family_summary(actor: Actor, family_id: int) -> FamilySummary:
    with read_session() as session:
        family = open_family(session, actor, family_id)
        team = session.get(Team, family.team_id)
        return FamilySummary(
            id=family.id, known_as=family.known_as, team_id=team.id, team_name=team.name,
            time_zone=team.time_zone, status=family.status,
            status_words=FAMILY_STATUS[family.status], rhythm_words=RHYTHM[family.rhythm],
            first_came_on=family.first_came_on, council_reference=family.council_reference,
            is_demo=family.is_demo, data_version=family.data_version, version=family.version,
            erased=family.erased_at is not None,
        )


def family_people(actor: Actor, family_id: int) -> pd.DataFrame:
    """Everyone in the family's world, household first."""
    with read_session() as session:
        open_family(session, actor, family_id)
        people = session.exec(select(Person).where(Person.family_id == family_id)
                              .order_by(Person.in_household.desc(), Person.relationship,
                                        Person.name)).all()
    today = date.today()
    return pd.DataFrame([{
        "person_id": p.id, "name": p.name, "relationship": RELATIONSHIP[p.relationship],
        "relationship_code": p.relationship.value,
        "organisation": p.organisation,
        "age": today.year - p.birth_year if p.birth_year else None,
        "lives_with_family": p.in_household, "how_they_help": p.how_they_help,
        "language": p.language, "interpreter": p.needs_interpreter,
        "must_not_invite": p.must_not_invite, "must_not_see_plan": p.must_not_see_plan,
    } for p in people], columns=["person_id", "name", "relationship", "relationship_code",
                                 "organisation", "age", "lives_with_family", "how_they_help",
                                 "language", "interpreter", "must_not_invite",
                                 "must_not_see_plan"])


def family_workers(actor: Actor, family_id: int) -> pd.DataFrame:
    """Who works with the family now and who did before, newest first."""
    with read_session() as session:
        open_family(session, actor, family_id)
        rows = session.exec(
            select(WorkerRelationship, Worker.name)
            .join(Worker, Worker.id == WorkerRelationship.worker_id)
            .where(WorkerRelationship.family_id == family_id)
            .order_by(WorkerRelationship.started_on.desc(), WorkerRelationship.id.desc())
        ).all()
    from db.words import END_REASON, RELATIONSHIP_ROLE
    return pd.DataFrame([{
        "relationship_id": r.id, "worker_id": r.worker_id, "worker": name,
        "role": RELATIONSHIP_ROLE[r.role], "since": r.started_on, "until": r.ended_on,
        "chosen_by_family": r.chosen_by_family,
        "why_it_ended": END_REASON[r.end_reason] if r.end_reason else "",
    } for r, name in rows], columns=["relationship_id", "worker_id", "worker", "role", "since",
                                     "until", "chosen_by_family", "why_it_ended"])


def family_meetings(actor: Actor, family_id: int) -> pd.DataFrame:
    with read_session() as session:
        open_family(session, actor, family_id)
        rows = session.exec(select(Meeting).where(Meeting.family_id == family_id)
                            .order_by(Meeting.starts_at.desc())).all()
    return pd.DataFrame([{
        "meeting_id": m.id, "starts_at": m.starts_at, "kind": MEETING_KIND[m.kind],
        "status": MEETING_STATUS[m.status], "place": m.place, "summary": m.summary,
    } for m in rows], columns=["meeting_id", "starts_at", "kind", "status", "place", "summary"])


# --- teams and workers (admin) -----------------------------------------------------------

def teams_for(actor: Actor) -> pd.DataFrame:
    """Teams whose families this worker may open (for choosing a team on shared screens)."""
    with read_session() as session:
        rows = session.exec(select(Team).where(Team.id.in_(actor.case_team_ids))
                            .order_by(Team.name)).all()
    return pd.DataFrame([{"team_id": t.id, "team": t.name, "community": t.community,
                          "time_zone": t.time_zone} for t in rows],
                        columns=["team_id", "team", "community", "time_zone"])


def workers_and_teams(actor: Actor) -> tuple[pd.DataFrame, pd.DataFrame]:
    """For admins: every worker with roles and teams, and every team with its size."""
    require_role(actor, Role.admin)
    with read_session() as session:  # columns, not ORM objects: a council has ~600 workers
        workers = session.exec(select(Worker.id, Worker.name, Worker.username, Worker.is_active)
                               .order_by(Worker.name)).all()
        roles = session.exec(select(WorkerRole.worker_id, WorkerRole.role)).all()
        links = session.exec(select(WorkerTeam.worker_id, WorkerTeam.leads, Team.name)
                             .join(Team)).all()
        teams = session.exec(
            select(Team.id, Team.name, Team.community, Team.time_zone,
                   func.count(Family.id).filter(Family.status != FamilyStatus.closed))
            .join(Family, and_(Family.team_id == Team.id, Family.erased_at.is_(None)), isouter=True)
            .group_by(Team.id).order_by(Team.name)).all()
    roles_of: dict[int, list[str]] = {}
    for worker_id, role in roles:
        roles_of.setdefault(worker_id, []).append(Role(role).value)
    teams_of: dict[int, list[str]] = {}
    for worker_id, leads, team_name in links:
        teams_of.setdefault(worker_id, []).append(team_name + (" (leads)" if leads else ""))
    worker_frame = pd.DataFrame([{
        "worker_id": worker_id, "name": name, "username": username,
        "roles": ", ".join(sorted(roles_of.get(worker_id, []))),
        "teams": ", ".join(sorted(teams_of.get(worker_id, []))),
        "active": active,
    } for worker_id, name, username, active in workers],
        columns=["worker_id", "name", "username", "roles", "teams", "active"])
    team_frame = pd.DataFrame(teams, columns=["team_id", "team", "community", "time_zone",
                                              "open_families"])
    return worker_frame, team_frame


def is_demo_database() -> bool:
    from db.models import DemoInfo
    with read_session() as session:
        return session.exec(select(func.count(DemoInfo.id))).one() > 0


def worker_count() -> int:
    with read_session() as session:
        return session.exec(select(func.count(Worker.id))).one()


def status_history(actor: Actor, family_id: int) -> pd.DataFrame:
    with read_session() as session:
        open_family(session, actor, family_id)
        rows = session.exec(select(FamilyStatusChange).where(
            FamilyStatusChange.family_id == family_id)
            .order_by(FamilyStatusChange.changed_on, FamilyStatusChange.id)).all()
    return pd.DataFrame([{"on": r.changed_on, "status": FAMILY_STATUS[r.status]} for r in rows],
                        columns=["on", "status"])



# --- who is looking: staff, or a family-facing screen ------------------------------------

class Audience:
    """Who will see the output. Family-facing audiences never see private items, nor anything
    of a person marked 'must not see the plan'."""
    STAFF = "staff"
    HOUSEHOLD = "household"   # the family at home: shared with the household or everyone
    EVERYONE = "everyone"     # the whole network at a conference

    VISIBLE = {
        STAFF: (Visibility.everyone, Visibility.family, Visibility.private),
        HOUSEHOLD: (Visibility.everyone, Visibility.family),
        EVERYONE: (Visibility.everyone,),
    }

    @classmethod
    def check(cls, audience: str) -> str:
        if audience not in cls.VISIBLE:
            raise ValueError(f"Unknown audience {audience!r}")
        return audience


def _hidden_people(session: Session, family_id: int, audience: str) -> set[int]:
    if audience == Audience.STAFF:
        return set()
    return set(session.exec(select(Person.id).where(Person.family_id == family_id,
                                                   Person.must_not_see_plan)).all())


# --- goals and scores --------------------------------------------------------------------

GOAL_COLUMNS = ["goal_id", "wording", "whose", "person_id", "zero_means", "ten_means",
                "visibility", "status", "status_words", "status_reason", "set_on", "version"]


@dataclass(frozen=True)
class GoalData:
    """Everything the goal screens draw for one family and audience. Treat as read-only."""
    goals: pd.DataFrame
    scores: pd.DataFrame          # metrics.SCORE_COLUMNS
    meeting_days: pd.DataFrame    # column "on": days a meeting was held
    data_version: int


def goal_data(actor: Actor, family_id: int, audience: str = "staff") -> GoalData:
    with read_session() as session:
        family = open_family(session, actor, family_id)
        version = family.data_version
    return _goal_data_cached(database_url(), family_id, version, Audience.check(audience))


@lru_cache(maxsize=512)
def _goal_data_cached(database: str, family_id: int, data_version: int, audience: str) -> GoalData:
    """Keyed by database, family and the family's data version: any write about the family
    makes a new key. Only called after the access check in goal_data."""
    with read_session() as session:
        hidden = _hidden_people(session, family_id, audience)
        goal_rows = session.exec(
            select(Goal, Person.name).join(Person, Person.id == Goal.person_id, isouter=True)
            .where(Goal.family_id == family_id,
                   Goal.visibility.in_(Audience.VISIBLE[audience]))
            .order_by(Goal.set_on, Goal.id)).all()
        goal_rows = [(g, name) for g, name in goal_rows if g.person_id not in hidden]
        goal_ids = [g.id for g, _ in goal_rows]
        score_rows = session.exec(
            select(GoalScore.id, GoalScore.goal_id, GoalScore.person_id, GoalScore.worker_id,
                   Person.name, Worker.name, GoalScore.scored_on, GoalScore.score)
            .join(Person, Person.id == GoalScore.person_id, isouter=True)
            .join(Worker, Worker.id == GoalScore.worker_id, isouter=True)
            .where(GoalScore.goal_id.in_(goal_ids))
            .order_by(GoalScore.goal_id, GoalScore.scored_on, GoalScore.id)).all() if goal_ids else []
        held = session.exec(
            select(Meeting.starts_at).where(Meeting.family_id == family_id,
                                            Meeting.status == MeetingStatus.held)).all()
        zone = session.exec(select(Team.time_zone).join(Family, Family.team_id == Team.id)
                            .where(Family.id == family_id)).one()
    goals = pd.DataFrame([{
        "goal_id": g.id, "wording": g.wording, "whose": name or WHOLE_FAMILY,
        "person_id": g.person_id, "zero_means": g.zero_means, "ten_means": g.ten_means,
        "visibility": g.visibility.value, "status": g.status.value,
        "status_words": GOAL_STATUS[g.status], "status_reason": g.status_reason,
        "set_on": g.set_on, "version": g.version,
    } for g, name in goal_rows], columns=GOAL_COLUMNS)
    scores = pd.DataFrame([{
        "score_id": sid, "goal_id": gid,
        "scorer_key": f"p:{pid}" if pid is not None else f"w:{wid}",
        "scorer": pname if pid is not None else f"{wname} ({WORKER_VIEW})",
        "is_worker_view": pid is None, "scored_on": on, "score": score,
    } for sid, gid, pid, wid, pname, wname, on, score in score_rows
        if pid is None or pid not in hidden], columns=SCORE_COLUMNS)
    meeting_days = pd.DataFrame({"on": sorted({local_day(t, zone) for t in held})}, columns=["on"])
    return GoalData(goals, scores, meeting_days, data_version)


def active_goals_and_scorers(actor: Actor, family_id: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """For a round of scores: the goals being worked on, and the family members who may score."""
    data = goal_data(actor, family_id)
    people = family_people(actor, family_id)
    scorers = people[people["relationship_code"] != Relationship.professional.value]
    return data.goals[data.goals["status"] == GoalStatus.working_on_it.value], scorers


def team_members(actor: Actor, team_id: int) -> pd.DataFrame:
    """Active workers of one of the worker's teams (for agreeing who does an action)."""
    from db.access import require_case_team
    require_case_team(actor, team_id)
    with read_session() as session:
        rows = session.exec(select(Worker.id, Worker.name)
                            .join(WorkerTeam, WorkerTeam.worker_id == Worker.id)
                            .where(WorkerTeam.team_id == team_id, Worker.is_active)
                            .order_by(Worker.name)).all()
    return pd.DataFrame(rows, columns=["worker_id", "name"])
