"""How every write ends: the record stored or edited under a version check, the family's
cached views marked out of date, and the change audited — all in the caller's transaction.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session, col

from db.rules import audit
from db.rules.access import Actor, refused, require_family
from db.rules.validation import save_versioned
from db.store.models import Family, Team


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


def save_new(
    session: Session, actor: Actor, family: Family, row, *, record_type: str, fields
) -> int:
    """The end of every create: the new record stored, the family's cached views marked out of
    date, and which fields were filled audited. Returns the new record's id."""
    session.add(row)
    session.flush()
    touch(session, family)
    audit.record(
        session,
        actor,
        audit.Action.CREATE,
        family_id=family.id,
        record_type=record_type,
        record_id=row.id,
        fields=fields,
    )
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
    record_type: str,
) -> None:
    """The end of every edit: saved only if nobody else saved since the form was drawn, the
    family's cached views marked out of date, and which fields changed audited."""
    save_versioned(session, model, record_id, seen_version, values, what)
    touch(session, family)
    audit.record(
        session,
        actor,
        audit.Action.UPDATE,
        family_id=family.id,
        record_type=record_type,
        record_id=record_id,
        fields=values.keys(),
    )


def family_record(session: Session, actor: Actor, model, record_id: int):
    """A record that belongs to a family, and its family, if this worker may open it; a
    missing record is refused like an out-of-scope one, so ids can't be probed."""
    row = session.get(model, record_id)
    if row is None:
        raise refused(actor, what=model.__tablename__, record_id=record_id)
    return row, require_family(session, actor, row.family_id)
