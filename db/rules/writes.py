"""How every write ends: the record stored or edited under a version check, the family's
cached views marked out of date, and the change audited — all in the caller's transaction.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import timedelta
from typing import Any, Iterator

from sqlalchemy import update
from sqlmodel import Session, col, select

from db.i18n import N_
from db.rules import audit
from db.rules.access import Actor, refused, require_family, require_own_family
from db.rules.validation import Invalid, checked, max_chars, save_versioned, text
from db.settings import REPEAT_WINDOW_MINUTES
from db.store.clock import utcnow
from db.store.engine import write_session
from db.store.ids import stored_id
from db.store.models import (
    AuditEvent,
    ChildView,
    Conversation,
    ConversationItem,
    Family,
    Goal,
    GoalScore,
    Meeting,
    MeetingStatus,
    PlanStep,
    Team,
    WorkerRelationship,
    WorkerTeam,
)


@contextmanager
def family_write(actor: Actor, family_id: int) -> Iterator[tuple[Session, Family]]:
    """How every write about one family opens: one transaction, and the family — read, and
    locked against concurrent writers — only if this worker may open its record (refused and
    audited otherwise, like every refusal)."""
    with write_session() as session:
        yield session, require_family(session, actor, family_id)


@contextmanager
def own_family_write(actor: Actor, *, what: str) -> Iterator[tuple[Session, Family]]:
    """How every write from a family member's own space opens: one transaction, and the family
    of their login, read fresh (refused if the login was paused or ended since)."""
    with write_session() as session:
        yield session, require_own_family(session, actor, what=what)


def touch(session: Session, family: Family) -> None:
    """Marks the family's and its team's cached views as out of date. The increments happen in
    the database: a read-modify-write in Python lost bumps under concurrent writes on
    PostgreSQL, leaving a cached view stale."""
    session.flush()
    session.execute(
        update(Family)
        .where(col(Family.id) == family.id)
        .values(data_version=col(Family.data_version) + 1)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(Team)
        .where(col(Team.id) == family.team_id)
        .values(data_version=col(Team.data_version) + 1)
        .execution_options(synchronize_session=False)
    )
    session.expire(family, ["data_version"])


def changed(
    session: Session,
    actor: Actor,
    family: Family,
    action: str,
    record_type: str,
    record_id: int | None,
    fields,
) -> None:
    """How every change about a family ends: the family's cached views marked out of date and
    the change audited (which fields, never their values), in the caller's transaction."""
    touch(session, family)
    audit.record(
        session,
        actor,
        action,
        family_id=family.id,
        record_type=record_type,
        record_id=record_id,
        fields=fields,
    )


def touch_worker(
    session: Session, worker_id: int, team_ids=(), *, name_changed: bool = False
) -> None:
    """Marks the cached views that show a worker as out of date after an admin changes them:
    the huddle and continuity of every team they are (or were just) in or work with a family
    of, and — when their name changed — every family whose scores name them. Every replica
    keys its caches by these versions, so each sees the change on its next rerun."""
    session.flush()
    teams = (
        set(team_ids)
        | set(
            session.exec(
                select(col(WorkerTeam.team_id)).where(col(WorkerTeam.worker_id) == worker_id)
            ).all()
        )
        | set(
            session.exec(
                select(col(Family.team_id))
                .join(WorkerRelationship, col(WorkerRelationship.family_id) == Family.id)
                .where(col(WorkerRelationship.worker_id) == worker_id)
            ).all()
        )
    )
    if teams:
        session.execute(
            update(Team)
            .where(col(Team.id).in_(teams))
            .values(data_version=col(Team.data_version) + 1)
            .execution_options(synchronize_session=False)
        )
    if name_changed:
        scored = (
            select(col(Goal.family_id))
            .join(GoalScore, col(GoalScore.goal_id) == Goal.id)
            .where(col(GoalScore.worker_id) == worker_id)
        )
        session.execute(
            update(Family)
            .where(col(Family.id).in_(scored))
            .values(data_version=col(Family.data_version) + 1)
            .execution_options(synchronize_session=False)
        )


def record_type(model) -> str:
    """What the audit calls a kind of record: its model's name in snake case (PlanStep →
    "plan_step"), so a write never names its kind a second time."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", model.__name__).lower()


def save_new(
    session: Session, actor: Actor, family: Family, row, *, fields, repeat_if_same=()
) -> int:
    """The end of every create: the new record stored, the family's cached views marked out of
    date, and which fields were filled audited. Returns the new record's id. With
    `repeat_if_same`, a record of this worker's from a moment ago with those fields the same
    is a repeated click: AlreadySaved, and nothing stored."""
    if repeat_if_same:
        same = {name: getattr(row, name) for name in repeat_if_same}
        refuse_repeat(session, actor, family, type(row), same=same)
    session.add(row)
    session.flush()
    changed(session, actor, family, audit.Action.CREATE, record_type(type(row)), row.id, fields)
    return row.id


def save_edit(
    session: Session,
    actor: Actor,
    family: Family,
    model,
    record_id: int,
    seen_version: int,
    values: dict,
    *,
    what: str,
) -> None:
    """The end of every edit: saved only if nobody else saved since the form was drawn, the
    family's cached views marked out of date, and which fields changed audited."""
    save_versioned(session, model, record_id, seen_version, values, what)
    kind = record_type(model)
    changed(session, actor, family, audit.Action.UPDATE, kind, record_id, values.keys())


def family_record(session: Session, actor: Actor, model, record_id: int):
    """A record that belongs to a family, and its family, if this worker may open it; a
    missing record is refused like an out-of-scope one, so ids can't be probed."""
    row = session.get(model, record_id)
    if row is None:
        raise refused(actor, what=model.__tablename__, record_id=record_id)
    return row, require_family(session, actor, row.family_id)


# --- a second click, and what was recorded by mistake ----------------------------------------


class AlreadySaved(Invalid):
    """The same worker saved the same thing for the same family a moment ago: a repeated
    click, not a second piece of news."""

    def __init__(self) -> None:
        super().__init__(N_("This was saved a moment ago."))


def recently_created(session: Session, actor: Actor, family_id: int, record_type: str):
    """Ids of the records of this kind this worker created for this family within the repeat
    window, read from the audit (which records every create, with who and when)."""
    since = utcnow() - timedelta(minutes=REPEAT_WINDOW_MINUTES)
    return select(col(AuditEvent.record_id)).where(
        col(AuditEvent.family_id) == family_id,
        col(AuditEvent.at) >= since,
        col(AuditEvent.worker_id) == actor.worker_id,
        col(AuditEvent.action) == audit.Action.CREATE,
        col(AuditEvent.record_type) == record_type,
    )


def refuse_repeat(session: Session, actor: Actor, family: Family, model, *, same: dict) -> None:
    """Raises AlreadySaved if this worker created a record of this kind for this family within
    the repeat window whose `same` fields hold the same values (and it wasn't withdrawn)."""
    still_there = [model.withdrawn_at.is_(None)] if hasattr(model, "withdrawn_at") else []
    match = session.exec(
        select(model.id).where(
            model.id.in_(recently_created(session, actor, stored_id(family), record_type(model))),
            *still_there,
            *(getattr(model, name) == value for name, value in same.items()),
        )
    ).first()
    if match is not None:
        raise AlreadySaved()


WITHDRAWABLE: dict[str, tuple[Any, str]] = {
    record_type(model): (model, what)
    for model, what in [
        (Goal, N_("this goal")),
        (Meeting, N_("this meeting")),
        (PlanStep, N_("this plan step")),
        (ConversationItem, N_("this")),
    ]
}


@checked
def withdraw(actor: Actor, *, record_type: str, record_id: int, reason: str) -> None:
    """Marks a record as recorded by mistake: it leaves every view and count, stays in the
    record's history and in a copy of everything held, and the withdrawal is audited. Any
    worker who may open the family's record may do it; nothing is deleted."""
    if record_type not in WITHDRAWABLE:
        raise Invalid(N_("That kind of record can't be withdrawn."))
    model, what = WITHDRAWABLE[record_type]
    reason = text(
        reason, N_("why it is being withdrawn"), limit=max_chars(model, "withdrawn_reason")
    )
    with write_session() as session:
        row = session.get(model, record_id)
        if row is None:
            raise refused(actor, what=model.__tablename__, record_id=record_id)
        owner = session.get(Conversation, row.conversation_id) if model is ConversationItem else row
        if owner is None:
            raise refused(actor, what=model.__tablename__, record_id=record_id)
        family = require_family(session, actor, owner.family_id)
        session.refresh(row)  # read again now the family is locked: a withdrawal is never twice
        if row.withdrawn_at is not None:
            raise Invalid(N_("{what} was already withdrawn.", what=what))
        taken_along = _came_with(session, row) if model is Meeting else []
        for kind, each in [(record_type, row), *taken_along]:
            each.withdrawn_at = utcnow()
            each.withdrawn_by = actor.worker_id
            each.withdrawn_reason = reason
            if hasattr(each, "version"):
                each.version += 1  # an edit form drawn before is a conflict, not a quiet save
            session.add(each)
            changed(
                session,
                actor,
                family,
                audit.Action.WITHDRAW,
                kind,
                each.id,
                ["withdrawn_at", "withdrawn_by", "withdrawn_reason"],
            )


# --- what a meeting brought with it ------------------------------------------------------


def agreed_at(session: Session, meeting_id: int) -> bool:
    """Whether plan steps or a child's views still stand from this meeting: it happened."""
    step = select(PlanStep.id).where(
        col(PlanStep.meeting_id) == meeting_id, col(PlanStep.withdrawn_at).is_(None)
    )
    view = select(ChildView.id).where(col(ChildView.meeting_id) == meeting_id)
    return session.exec(step.limit(1)).first() is not None or (
        session.exec(view.limit(1)).first() is not None
    )


def booked_by(session: Session, meeting_id: int) -> list[Meeting]:
    """The catch-up on the plan a conference booked, while it is still to come."""
    return list(
        session.exec(
            select(Meeting).where(
                col(Meeting.follows_meeting_id) == meeting_id,
                col(Meeting.status) == MeetingStatus.planned,
                col(Meeting.withdrawn_at).is_(None),
            )
        ).all()
    )


def _came_with(session: Session, meeting: Meeting) -> list[tuple[str, Any]]:
    """A meeting recorded by mistake (on the wrong family, say) takes with it the plan steps
    agreed at it and the catch-up it booked: otherwise they stay on the family's screen, its
    copy and the huddle. (Its children's views leave with it: they are read through it.)"""
    steps = session.exec(
        select(PlanStep).where(
            col(PlanStep.meeting_id) == meeting.id, col(PlanStep.withdrawn_at).is_(None)
        )
    ).all()
    return [(record_type(PlanStep), step) for step in steps] + [
        (record_type(Meeting), catch_up) for catch_up in booked_by(session, stored_id(meeting))
    ]
