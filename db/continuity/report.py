"""A team's continuity report: the rows read for one team in SQL (a team holds a few hundred
families, whatever the size of the council) and the figures computed from them.

Permission is checked by `check_team` (outside any cache); `build_team_report` does no check
and is only called after it. `cached_team_report` does both, through db.store.cache like every
cached read: keyed by team, day and Team.data_version, so any write makes a new key.
"""

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import and_, exists, func, or_
from sqlmodel import Session, col, select

from db.continuity.definitions import DEFINITIONS, window_start
from db.continuity.figures import (
    RELATIONSHIP_COLUMNS,
    STATUS_COLUMNS,
    TeamFigures,
    family_figures,
    handovers,
    monthly_continuity,
    relationship_spread,
    team_figures,
    waiting_over_time,
    worker_figures,
)
from db.rules.access import Actor, refused, require_led_team
from db.store.cache import VersionedCache
from db.store.clock import today_in
from db.store.engine import read_session
from db.store.ids import stored_id
from db.store.models import (
    Family,
    FamilyStatus,
    FamilyStatusChange,
    Meeting,
    PracticalHelp,
    Role,
    Team,
    Worker,
    WorkerRelationship,
    WorkerRole,
    WorkerTeam,
)
from db.store.query import meeting_held, per_family, select_columns

# --- reading a team's rows (SQL, scoped to the team) -------------------------------------


@dataclass(frozen=True)
class TeamReport:
    team_id: int
    team_name: str
    time_zone: str
    today: date
    families: pd.DataFrame
    workers: pd.DataFrame
    relationships: pd.DataFrame
    handovers: pd.DataFrame
    figures: TeamFigures
    monthly: pd.DataFrame
    waiting_monthly: pd.DataFrame
    spread: pd.DataFrame
    definitions: dict[str, str] = field(default_factory=lambda: dict(DEFINITIONS))
    data_version: int = 0  # Team.data_version the rows were read at (0: not from the cache)


def led_teams(actor: Actor) -> pd.DataFrame:
    """The teams this manager leads (for the team picker), alphabetical."""
    if not actor.has(Role.manager) or not actor.led_team_ids:
        return pd.DataFrame(columns=["team_id", "team", "time_zone"])
    with read_session() as session:
        rows = session.exec(
            select(col(Team.id), col(Team.name), col(Team.time_zone))
            .where(col(Team.id).in_(actor.led_team_ids))
            .order_by(col(Team.name))
        ).all()
    return pd.DataFrame(rows, columns=["team_id", "team", "time_zone"])


def check_team(actor: Actor, team_id: int) -> int:
    """Refuses (audited) unless the actor manages the team; returns Team.data_version, the key
    of any cache of this team's figures. Call it outside the cache on every run."""
    require_led_team(actor, team_id, what="team_continuity")
    with read_session() as session:
        team = session.get(Team, team_id)
    if team is None:
        raise refused(actor, what="team_continuity", record_id=team_id)
    return team.data_version


def _scope(team_id: int, since: date):
    """Ids of the team's families open at some time since `since` (a subquery)."""
    closed_lately = exists().where(
        col(FamilyStatusChange.family_id) == Family.id,
        col(FamilyStatusChange.status) == FamilyStatus.closed,
        col(FamilyStatusChange.changed_on) >= since,
    )
    return select(col(Family.id)).where(
        col(Family.team_id) == team_id,
        col(Family.erased_at).is_(None),
        or_(col(Family.status) != FamilyStatus.closed, closed_lately),
    )


def _utc_start(day: date, time_zone: str) -> datetime:
    return datetime.combine(day, time(0, 0), ZoneInfo(time_zone)).astimezone(timezone.utc)


def build_team_report(team_id: int, *, today: date | None = None) -> TeamReport:
    """Every continuity figure for one team. No permission check: call check_team first."""
    with read_session() as session:
        return _build_team_report(session, session.get_one(Team, team_id), today)


def _build_team_report(session: Session, team: Team, today: date | None) -> TeamReport:
    team_id = stored_id(team)
    zone = team.time_zone
    today = today or today_in(zone)
    since = window_start(today)
    scope = _scope(team_id, since)
    families = pd.DataFrame(
        session.exec(
            select(
                col(Family.id), col(Family.known_as), col(Family.status), col(Family.first_came_on)
            ).where(col(Family.id).in_(scope))
        ).all(),
        columns=["family_id", "family", "status", "first_came_on"],
    )
    relationships = pd.DataFrame(
        session.exec(
            select_columns(
                col(WorkerRelationship.id),
                col(WorkerRelationship.family_id),
                col(WorkerRelationship.worker_id),
                col(Worker.name),
                col(WorkerRelationship.role),
                col(WorkerRelationship.started_on),
                col(WorkerRelationship.ended_on),
                col(WorkerRelationship.chosen_by_family),
                col(WorkerRelationship.end_reason),
            )
            .join(Worker, col(Worker.id) == WorkerRelationship.worker_id)
            .where(col(WorkerRelationship.family_id).in_(scope))
        ).all(),
        columns=RELATIONSHIP_COLUMNS,
    )
    history = pd.DataFrame(
        session.exec(
            select(
                col(FamilyStatusChange.id),
                col(FamilyStatusChange.family_id),
                col(FamilyStatusChange.status),
                col(FamilyStatusChange.changed_on),
            ).where(col(FamilyStatusChange.family_id).in_(scope))
        ).all(),
        columns=STATUS_COLUMNS,
    )
    first_meetings = pd.DataFrame(
        session.exec(
            per_family(
                col(Meeting.family_id), func.min(col(Meeting.starts_at)), scope, *meeting_held()
            )
        ).all(),
        columns=["family_id", "first_held_at"],
    )
    meetings = pd.DataFrame(
        session.exec(
            select(col(Meeting.family_id), col(Meeting.starts_at)).where(
                col(Meeting.family_id).in_(scope),
                *meeting_held(),
                col(Meeting.starts_at) >= _utc_start(since, zone),
                col(Meeting.starts_at) < _utc_start(today + timedelta(days=1), zone),
            )
        ).all(),
        columns=["family_id", "starts_at"],
    )
    help_given = pd.DataFrame(
        session.exec(
            per_family(
                col(PracticalHelp.family_id),
                func.count(col(PracticalHelp.id)),
                scope,
                col(PracticalHelp.given_on) >= since,
                col(PracticalHelp.given_on) <= today,
            )
        ).all(),
        columns=["family_id", "help_given"],
    )
    workers = pd.DataFrame(
        session.exec(
            select(col(Worker.id), col(Worker.name))
            .join(
                WorkerTeam,
                and_(col(WorkerTeam.worker_id) == Worker.id, col(WorkerTeam.team_id) == team_id),
            )
            .join(
                WorkerRole,
                and_(
                    col(WorkerRole.worker_id) == Worker.id,
                    col(WorkerRole.role) == Role.practitioner,
                ),
            )
            .where(col(Worker.is_active))
        ).all(),
        columns=["worker_id", "worker"],
    )
    for frame, columns in (
        (relationships, ("role", "end_reason")),
        (history, ("status",)),
        (families, ("status",)),
    ):
        for column in columns:
            frame[column] = frame[column].map(lambda v: v.value if hasattr(v, "value") else v)
    figures = family_figures(
        families,
        relationships,
        history,
        first_meetings,
        meetings,
        help_given,
        time_zone=zone,
        today=today,
    )
    return TeamReport(
        team_id=team_id,
        team_name=team.name,
        time_zone=zone,
        today=today,
        families=figures,
        workers=worker_figures(workers, relationships, today=today),
        relationships=relationships,
        handovers=handovers(relationships),
        figures=team_figures(figures, today=today),
        monthly=monthly_continuity(relationships, today=today),
        waiting_monthly=waiting_over_time(history, today=today),
        spread=relationship_spread(figures),
    )


def team_report(actor: Actor, team_id: int, *, today: date | None = None) -> TeamReport:
    """Checked and uncached: for tests and scripts. The page caches build_team_report."""
    check_team(actor, team_id)
    return build_team_report(team_id, today=today)


_REPORTS: VersionedCache[TeamReport] = VersionedCache("team reports", size=64)


def cached_team_report(actor: Actor, team_id: int, *, today: date) -> TeamReport:
    """Checked on every call (refusals audited), then served from the cache by the team's data
    version, read in the session that builds the report on a miss. Treat as read-only: one
    object is shared by every manager of the team until the next write."""
    require_led_team(actor, team_id, what="team_continuity")
    with read_session() as session:
        team = session.get(Team, team_id)
        if team is None:
            raise refused(actor, what="team_continuity", record_id=team_id)
        return _REPORTS.get(
            (team_id, today),
            versions=team.data_version,
            build=lambda: replace(
                _build_team_report(session, team, today), data_version=team.data_version
            ),
        )
