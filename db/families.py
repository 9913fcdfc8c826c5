"""Families: the lists a worker works from, one family's summary and world, and the record of
who opened it. Every function takes the acting worker and checks access first.

Results are pandas DataFrames or small dataclasses holding only what the screen shows.
Aggregation happens in SQL; nothing loads a whole table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd
from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from db.i18n import N_, short_day, words_column
from db.rules import audit
from db.rules.access import Actor, family_read
from db.rules.validation import Invalid, checked
from db.rules.visibility import Audience
from db.rules.writes import family_write
from db.store.clock import family_today, utcnow
from db.store.engine import read_session
from db.store.ids import stored_id
from db.store.models import (
    Family,
    FamilyStatus,
    Meeting,
    MeetingStatus,
    Person,
    Team,
    TeamTerm,
    Worker,
    WorkerRelationship,
    WorkerTeam,
)
from db.store.query import fold, folded, of_family, select_columns
from db.words import FAMILY_STATUS, MEETING_KIND, MEETING_STATUS, RELATIONSHIP, RHYTHM

# --- lists of families -------------------------------------------------------------------


def _last_met(now: datetime):
    return (
        select(func.max(col(Meeting.starts_at)))
        .where(
            col(Meeting.family_id) == Family.id,
            col(Meeting.status) == MeetingStatus.held,
            col(Meeting.starts_at) <= now,
            col(Meeting.withdrawn_at).is_(None),
        )
        .correlate(Family)
        .scalar_subquery()
    )


def _next_meeting(now: datetime):
    return (
        select(func.min(col(Meeting.starts_at)))
        .where(
            col(Meeting.family_id) == Family.id,
            col(Meeting.status) == MeetingStatus.planned,
            col(Meeting.starts_at) >= now,
            col(Meeting.withdrawn_at).is_(None),
        )
        .correlate(Family)
        .scalar_subquery()
    )


def still_working():
    """A worker still with the family: their relationship hasn't ended. An end is never later
    than the family's team's today, so no day need be compared (the server's day, in UTC,
    is yesterday for a team ahead of it, and kept a handed-over worker on)."""
    return col(WorkerRelationship.ended_on).is_(None)


def current_workers(session: Session, family_ids: list[int]) -> dict[int, str]:
    """Each family's current workers, main worker first: one query for the whole list."""
    if not family_ids:
        return {}
    rows = session.exec(
        select(col(WorkerRelationship.family_id), col(Worker.name), col(WorkerRelationship.role))
        .join(Worker, col(Worker.id) == WorkerRelationship.worker_id)
        .where(col(WorkerRelationship.family_id).in_(family_ids), still_working())
        .order_by(col(WorkerRelationship.family_id), col(WorkerRelationship.role), col(Worker.name))
    ).all()
    names: dict[int, list[str]] = {}
    for family_id, name, _role in rows:
        names.setdefault(family_id, []).append(name)
    return {family_id: ", ".join(found) for family_id, found in names.items()}


def last_workers(session: Session, family_ids: list[int]) -> dict[int, str]:
    """For families nobody works with now: who worked with them last, and until when."""
    if not family_ids:
        return {}
    rows = session.exec(
        select(
            col(WorkerRelationship.family_id), col(Worker.name), col(WorkerRelationship.ended_on)
        )
        .join(Worker, col(Worker.id) == WorkerRelationship.worker_id)
        .where(
            col(WorkerRelationship.family_id).in_(family_ids),
            col(WorkerRelationship.ended_on).is_not(None),
        )
        .order_by(
            col(WorkerRelationship.family_id),
            col(WorkerRelationship.ended_on).desc(),
            col(WorkerRelationship.role),
            col(Worker.name),
        )
    ).all()
    last: dict[int, str] = {}
    for family_id, name, ended_on in rows:
        last.setdefault(
            family_id,
            N_("{name} (until {day})", name=name, day=short_day(ended_on) if ended_on else ""),
        )
    return last


def _worker_words(status: str, current: str | None, last: str | None) -> str:
    if current:
        return current
    if status == FamilyStatus.waiting.value or not last:
        return N_("Not yet chosen")
    return last


FAMILY_LIST_COLUMNS = ["family_id", "family", "status", "workers", "last_met", "next_meeting"]


def families(
    actor: Actor,
    *,
    search: str = "",
    mine_only: bool = True,
    include_closed: bool = False,
    limit: int = 200,
) -> pd.DataFrame:
    """The families this worker works with, or (searching) any family of their teams whose
    name or council reference matches, or who has someone of that name in their world (a
    child, a parent, a professional). Closed families only with include_closed."""
    teams = actor.case_team_ids
    if not teams:
        return pd.DataFrame(columns=FAMILY_LIST_COLUMNS)
    now = utcnow()
    query = select_columns(
        col(Family.id), col(Family.known_as), col(Family.status), _last_met(now), _next_meeting(now)
    ).where(col(Family.team_id).in_(teams), col(Family.erased_at).is_(None))
    if search.strip():
        words = fold(search)
        someone_named = select(col(Person.family_id)).where(
            folded(col(Person.name)).contains(words, autoescape=True)
        )
        query = query.where(
            or_(
                folded(col(Family.known_as)).contains(words, autoescape=True),
                folded(col(Family.council_reference)).contains(words, autoescape=True),
                col(Family.id).in_(someone_named),
            )
        )
    elif mine_only:
        mine = select(col(WorkerRelationship.family_id)).where(
            col(WorkerRelationship.worker_id) == actor.worker_id, still_working()
        )
        query = query.where(col(Family.id).in_(mine))
    if not include_closed:
        query = query.where(col(Family.status) != FamilyStatus.closed)
    with read_session() as session:
        rows = session.exec(query.order_by(col(Family.known_as), col(Family.id)).limit(limit)).all()
        workers = current_workers(session, [row[0] for row in rows])
        last = last_workers(session, [row[0] for row in rows if row[0] not in workers])
    frame = pd.DataFrame(
        rows, columns=["family_id", "family", "status", "last_met", "next_meeting"]
    )
    frame["workers"] = words_column(  # Words where no one is named, said on screen
        (
            _worker_words(status, workers.get(family_id), last.get(family_id))
            for family_id, status in zip(frame["family_id"], frame["status"])
        ),
        frame.index,
    )
    frame["status"] = frame["status"].map(lambda s: FAMILY_STATUS[FamilyStatus(s)])
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
    preferred_language: str = "en"  # what the family's own screens and copies speak


def family_summary(actor: Actor, family_id: int) -> FamilySummary:
    with family_read(actor, family_id) as (session, family):
        return family_summary_in(session, family)


def family_summary_in(session: Session, family: Family) -> FamilySummary:
    """The summary in the caller's session, after the caller's access check."""
    team = session.get_one(Team, family.team_id)
    return FamilySummary(
        id=stored_id(family),
        known_as=family.known_as,
        team_id=family.team_id,
        team_name=team.name,
        time_zone=team.time_zone,
        status=family.status,
        status_words=FAMILY_STATUS[family.status],
        rhythm_words=RHYTHM[family.rhythm],
        first_came_on=family.first_came_on,
        council_reference=family.council_reference,
        is_demo=family.is_demo,
        data_version=family.data_version,
        version=family.version,
        erased=family.erased_at is not None,
        preferred_language=family.preferred_language,
    )


def family_terms(actor: Actor, family_id: int) -> dict[tuple[str, str], str]:
    """The words the family's team has chosen, keyed by (term, language): what the family's
    own screens and copies say instead of ours (db/i18n.py term())."""
    with family_read(actor, family_id) as (session, family):
        return family_terms_in(session, family)


def family_terms_in(session: Session, family: Family) -> dict[tuple[str, str], str]:
    """The team's words in the caller's session, after the caller's access check."""
    rows = session.exec(select(TeamTerm).where(col(TeamTerm.team_id) == family.team_id)).all()
    return {(row.term, row.language): row.words for row in rows}


@dataclass(frozen=True)
class FamilyContact:
    """How a family reaches us: their current workers and the next meeting planned."""

    workers: str
    next_meeting: datetime | None


def family_contact(actor: Actor, family_id: int) -> FamilyContact:
    with family_read(actor, family_id) as (session, family):
        return family_contact_in(session, family)


def family_contact_in(session: Session, family: Family) -> FamilyContact:
    """The family's contact in the caller's session, after the caller's access check."""
    shown_id = stored_id(family)
    next_meeting = session.exec(
        select(_next_meeting(utcnow())).select_from(Family).where(col(Family.id) == shown_id)
    ).one()
    workers = current_workers(session, [shown_id])
    return FamilyContact(workers=workers.get(shown_id, ""), next_meeting=next_meeting)


def family_people(actor: Actor, family_id: int) -> pd.DataFrame:
    """Everyone in the family's world, household first."""
    with family_read(actor, family_id) as (session, family):
        return family_people_in(session, family)


def family_people_in(session: Session, family: Family) -> pd.DataFrame:
    """family_people in the caller's session, after the caller's access check."""
    today = family_today(session, family)
    people = session.exec(
        of_family(Person, stored_id(family)).order_by(
            col(Person.in_household).desc(), col(Person.relationship), col(Person.name)
        )
    ).all()
    return pd.DataFrame(
        [
            {
                "person_id": p.id,
                "name": p.name,
                "relationship": RELATIONSHIP[p.relationship],
                "relationship_code": p.relationship.value,
                "organisation": p.organisation,
                "age": today.year - p.birth_year if p.birth_year else None,
                "lives_with_family": p.in_household,
                "how_they_help": p.how_they_help,
                "language": p.language,
                "interpreter": p.needs_interpreter,
                "must_not_invite": p.must_not_invite,
                "must_not_see_plan": p.must_not_see_plan,
            }
            for p in people
        ],
        columns=[
            "person_id",
            "name",
            "relationship",
            "relationship_code",
            "organisation",
            "age",
            "lives_with_family",
            "how_they_help",
            "language",
            "interpreter",
            "must_not_invite",
            "must_not_see_plan",
        ],
    ).astype(_YES_OR_NO)  # so a family with nobody recorded yet still filters on them


def in_the_room(people: pd.DataFrame, audience: str) -> pd.DataFrame:
    """The people (family_people) who may be in the room of a family-facing screen
    (`audience`): never anyone not to see the plan or not to be invited and, for just the
    household, only those who live in it. Everyone, for the staff's own screens."""
    if Audience.check(audience) != Audience.STAFF:
        people = people[~people["must_not_see_plan"] & ~people["must_not_invite"]]
    if audience == Audience.HOUSEHOLD:
        people = people[people["lives_with_family"]]
    return people


# People's yes-or-no columns: true/false even in an empty table.
_YES_OR_NO = {
    "lives_with_family": bool,
    "interpreter": bool,
    "must_not_invite": bool,
    "must_not_see_plan": bool,
}


def family_workers(actor: Actor, family_id: int) -> pd.DataFrame:
    """Who works with the family now and who did before, newest first."""
    with family_read(actor, family_id) as (session, _family):
        rows = session.exec(
            select(WorkerRelationship, col(Worker.name))
            .join(Worker, col(Worker.id) == WorkerRelationship.worker_id)
            .where(col(WorkerRelationship.family_id) == family_id)
            .order_by(col(WorkerRelationship.started_on).desc(), col(WorkerRelationship.id).desc())
        ).all()
    from db.words import END_REASON, RELATIONSHIP_ROLE

    return pd.DataFrame(
        [
            {
                "relationship_id": r.id,
                "worker_id": r.worker_id,
                "worker": name,
                "role": RELATIONSHIP_ROLE[r.role],
                "since": r.started_on,
                "until": r.ended_on,
                "chosen_by_family": r.chosen_by_family,
                "why_it_ended": END_REASON[r.end_reason] if r.end_reason else "",
            }
            for r, name in rows
        ],
        columns=[
            "relationship_id",
            "worker_id",
            "worker",
            "role",
            "since",
            "until",
            "chosen_by_family",
            "why_it_ended",
        ],
    )


def family_meetings(actor: Actor, family_id: int) -> pd.DataFrame:
    with family_read(actor, family_id) as (session, _family):
        rows = session.exec(
            of_family(Meeting, family_id, col(Meeting.withdrawn_at).is_(None)).order_by(
                col(Meeting.starts_at).desc()
            )
        ).all()
    return pd.DataFrame(
        [
            {
                "meeting_id": m.id,
                "starts_at": m.starts_at,
                "kind": MEETING_KIND[m.kind],
                "status": MEETING_STATUS[m.status],
                "place": m.place,
                "summary": m.summary,
            }
            for m in rows
        ],
        columns=["meeting_id", "starts_at", "kind", "status", "place", "summary"],
    )


# --- teams and workers (admin) -----------------------------------------------------------


def teams_for(actor: Actor) -> pd.DataFrame:
    """Teams whose families this worker may open (for choosing a team on shared screens)."""
    with read_session() as session:
        rows = session.exec(
            select(Team).where(col(Team.id).in_(actor.case_team_ids)).order_by(col(Team.name))
        ).all()
    return pd.DataFrame(
        [
            {"team_id": t.id, "team": t.name, "community": t.community, "time_zone": t.time_zone}
            for t in rows
        ],
        columns=["team_id", "team", "community", "time_zone"],
    )


def is_demo_database() -> bool:
    from db.store.models import DemoInfo

    with read_session() as session:
        return session.exec(select(func.count(col(DemoInfo.id)))).one() > 0


def worker_count() -> int:
    with read_session() as session:
        return session.exec(select(func.count(col(Worker.id)))).one()


def team_members(actor: Actor, team_id: int) -> pd.DataFrame:
    """Active workers of one of the worker's teams (for agreeing who does an action)."""
    from db.rules.access import require_case_team

    require_case_team(actor, team_id, what="team_members")
    with read_session() as session:
        rows = session.exec(
            select(col(Worker.id), col(Worker.name))
            .join(WorkerTeam, col(WorkerTeam.worker_id) == Worker.id)
            .where(col(WorkerTeam.team_id) == team_id, col(Worker.is_active))
            .order_by(col(Worker.name))
        ).all()
    return pd.DataFrame(rows, columns=["worker_id", "name"])


@checked
def record_view(actor: Actor, family_id: int) -> None:
    """A view of a family record (the page calls this once per session and family)."""
    with family_write(actor, family_id) as (session, _family):
        audit_view(session, actor, family_id)


def audit_view(session: Session, actor: Actor, family_id: int) -> None:
    """The audit row of a view of a family's record, in the caller's write transaction."""
    audit.record(
        session,
        actor,
        audit.Action.VIEW,
        family_id=family_id,
        record_type="family",
        record_id=family_id,
    )


@checked
def record_copy(actor: Actor, family_id: int, audience: str) -> None:
    """A family copy was made (downloaded) for this audience."""
    if audience not in Audience.VISIBLE:
        raise Invalid(N_("Please choose who is in the room."))
    with family_write(actor, family_id) as (session, _family):
        audit.record(
            session,
            actor,
            audit.Action.COPY,
            family_id=family_id,
            record_type=f"family_copy_{audience}",
            record_id=family_id,
        )
