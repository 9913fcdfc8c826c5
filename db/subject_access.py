"""Right of access and erasure, and the retention review.

- `export_family`: everything held about one family, as JSON ("a copy of everything we hold
  about you"), audited as an export.
- `erase_family`: admin only, with a reason. The record is anonymised in place: every piece of
  free text about the family is replaced, birth years are cleared, and Family.erased_at is set.
  Nothing is hard-deleted, so foreign keys, counts and continuity figures stay whole. The audit
  holds names and ids but never values, so nothing of the erased words lingers there.
- `retention_report`: closed families whose closure is older than RETENTION_YEARS. Nothing is
  deleted automatically; an admin decides.

The family's tables are found from the schema itself: every table with a `family_id` column
(except the audit) and every table that points at one of those (meeting attendees, children's
views, conversation items, scores). A table added later is included without changing this file.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import pandas as pd
from sqlalchemy import Enum as SAEnum
from sqlalchemy import String, Table, case, exists, func, literal, or_, update
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel, col, select

from db.rules import audit
from db.rules.access import Actor, refused, require_role
from db.rules.validation import Invalid
from db.rules.writes import touch
from db.settings import RETENTION_YEARS
from db.store.engine import read_session, write_session
from db.store.models import (
    Family,
    FamilyStatus,
    FamilyStatusChange,
    Note,
    NoteKind,
    Role,
    Team,
    Worker,
)
from db.store.types import utcnow

ERASED = "[erased]"
NOT_FAMILY_DATA = {"auditevent", "family"}
# Plain strings that are keys or settings, not anything a person said or is called.
NOT_FREE_TEXT = {"token", "time_zone"}


# --- which tables hold the family --------------------------------------------------------


def family_tables() -> list[Table]:
    """Tables keyed directly by family_id."""
    return [
        table
        for table in SQLModel.metadata.sorted_tables
        if "family_id" in table.c and table.name not in NOT_FAMILY_DATA
    ]


def child_tables() -> list[tuple[Table, list[tuple[str, Table]]]]:
    """Tables that point at a family table's rows, each with [(its column, parent table)]."""
    parents = {table.name: table for table in family_tables()}
    found = []
    for table in SQLModel.metadata.sorted_tables:
        if table.name in parents or table.name in NOT_FAMILY_DATA:
            continue
        links = [
            (column.name, key.column.table)
            for column in table.c
            for key in column.foreign_keys
            if key.column.table.name in parents and key.column.name == "id"
        ]
        if links:
            found.append((table, links))
    return found


def _family_rows(table: Table, family_id: int):
    return sa_select(table.c.id).where(table.c.family_id == family_id)


def _child_filter(table: Table, links: list[tuple[str, Table]], family_id: int):
    return or_(*(table.c[column].in_(_family_rows(parent, family_id)) for column, parent in links))


def _is_text(kind) -> bool:
    if isinstance(kind, TypeDecorator):  # SQLModel's AutoString wraps a String
        kind = kind.impl_instance
    return isinstance(kind, String) and not isinstance(kind, SAEnum)


def _free_text_columns(table: Table) -> list:
    return [
        column
        for column in table.c
        if _is_text(column.type)
        and column.name not in NOT_FREE_TEXT
        and not column.foreign_keys
        and not column.primary_key
    ]


# --- access ------------------------------------------------------------------------------


def _may_export(actor: Actor, family: Family | None) -> bool:
    if family is None:
        return False
    return actor.has(Role.admin) or (
        actor.has(Role.manager) and family.team_id in actor.led_team_ids
    )


def find_family(
    actor: Actor, *, family_id: int | None = None, council_reference: str = ""
) -> dict | None:
    """For an admin answering a request: the family by its id or council reference, with just
    enough to be sure it is the right one. Audited as a look-up; None when nothing matches."""
    require_role(actor, Role.admin, what="subject_access", record_id=family_id)
    with write_session() as session:
        query = select(Family, col(Team.name)).join(Team, col(Team.id) == Family.team_id)
        if family_id is not None:
            query = query.where(col(Family.id) == family_id)
        elif council_reference.strip():
            query = query.where(
                func.lower(col(Family.council_reference)) == council_reference.strip().lower()
            )
        else:
            return None
        found = session.exec(query.order_by(col(Family.id))).first()
        if found is None:
            return None
        family, team_name = found
        audit.record(
            session,
            actor,
            audit.Action.VIEW,
            family_id=family.id,
            record_type="subject_access_lookup",
            record_id=family.id,
            fields=["known_as", "team", "status", "erased_at"],
        )
        return {
            "family_id": family.id,
            "known_as": family.known_as,
            "team": team_name,
            "status": family.status.value,
            "erased_at": family.erased_at,
            "council_reference": family.council_reference,
        }


# --- export ------------------------------------------------------------------------------


def _plain(value):
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _rows(session, query) -> list[dict]:
    return [
        {key: _plain(value) for key, value in row._mapping.items()}
        for row in session.execute(query)
    ]


def export_family(actor: Actor, family_id: int) -> str:
    """Everything held about one family, as a JSON document. Audited as an export (which
    tables, never their contents). Admins, and managers of the family's team, may export."""
    with read_session() as session:
        allowed = _may_export(actor, session.get(Family, family_id))
    if not allowed:
        raise refused(actor, what="subject_access", record_id=family_id)
    with write_session() as session:
        family = session.get_one(Family, family_id)
        family_table = Family.__table__  # type: ignore[attr-defined]  # set on table models, not typed
        held: dict[str, list[dict]] = {
            "family": _rows(session, sa_select(family_table).where(family_table.c.id == family_id))
        }
        for table in family_tables():
            held[table.name] = _rows(
                session,
                sa_select(table)
                .where(table.c.family_id == family_id)
                .order_by(*table.primary_key.columns),
            )
        for table, links in child_tables():
            held[table.name] = _rows(
                session,
                sa_select(table)
                .where(_child_filter(table, links, family_id))
                .order_by(*table.primary_key.columns),
            )
        worker_ids = {
            row[key]
            for rows in held.values()
            for row in rows
            for key in row
            if key.endswith(("worker_id", "recorded_by", "written_by", "held_by"))
            and isinstance(row[key], int)
        }
        workers = (
            {
                w.id: w.name
                for w in session.exec(select(Worker).where(col(Worker.id).in_(worker_ids))).all()
            }
            if worker_ids
            else {}
        )
        team = session.get_one(Team, family.team_id)
        audit.record(
            session,
            actor,
            audit.Action.EXPORT,
            family_id=family_id,
            record_type="subject_access",
            record_id=family_id,
            fields=sorted(held),
        )
    document = {
        "what_this_is": "A copy of everything Golden Thread holds about this family.",
        "made_at": utcnow().isoformat(),
        "family_id": family_id,
        "team": team.name if team else "",
        "workers": {str(key): name for key, name in sorted(workers.items())},
        "records": held,
    }
    return json.dumps(document, indent=2, ensure_ascii=False, default=str)


# --- erasure -----------------------------------------------------------------------------


def erase_family(
    actor: Actor, family_id: int, *, reason: str, confirm_known_as: str, now: datetime | None = None
) -> list[str]:
    """Anonymises the family's record in place. Admin only; the reason is required, and the
    admin types the family's name to confirm. Returns the changed fields (table.column)."""
    require_role(actor, Role.admin, what="erasure", record_id=family_id)
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise Invalid("Please write the reason for erasing this record (at least a few words).")
    now = now or utcnow()
    changed: list[str] = []
    with write_session() as session:
        family = session.get(Family, family_id)
        if family is None:
            raise Invalid("There is no family with that number.")
        if family.erased_at is not None:
            raise Invalid("This family's record has already been erased.")
        if confirm_known_as.strip().lower() != family.known_as.strip().lower():
            raise Invalid(
                "The name typed to confirm doesn't match the family's name, so nothing was erased."
            )
        targets = [(table, table.c.family_id == family_id) for table in family_tables()]
        targets += [
            (table, _child_filter(table, links, family_id)) for table, links in child_tables()
        ]
        for table, where in targets:
            values: dict[str, Any] = {}
            for column in _free_text_columns(table):
                values[column.name] = case(
                    (func.length(func.trim(column)) > 0, literal(ERASED)), else_=column
                )
                changed.append(f"{table.name}.{column.name}")
            if "birth_year" in table.c:
                values["birth_year"] = None
                changed.append(f"{table.name}.birth_year")
            if values:
                session.execute(update(table).where(where).values(values))
        family.known_as = f"Erased record {family.id}"
        family.council_reference = ""
        family.erased_at = now
        family.version += 1
        touch(session, family)
        changed += ["family.known_as", "family.council_reference", "family.erased_at"]
        # The reason stays with the (anonymised) record, not in the audit.
        session.add(
            Note(
                family_id=family_id,
                kind=NoteKind.oversight,
                words=f"Record erased on request. Reason: {reason}"[:2000],
                written_on=now.date(),
                written_by=actor.worker_id,
            )
        )
        audit.record(
            session,
            actor,
            audit.Action.ERASE,
            family_id=family_id,
            record_type="family",
            record_id=family_id,
            fields=sorted(set(changed)),
        )
    return sorted(set(changed))


# --- retention ---------------------------------------------------------------------------

RETENTION_COLUMNS = ["family_id", "team", "council_reference", "closed_on", "years_closed"]


def retention_report(
    actor: Actor, *, today: date | None = None, years: int = RETENTION_YEARS
) -> pd.DataFrame:
    """Closed families whose closure is more than `years` ago and not yet erased. A list for
    an admin to review; nothing is deleted automatically."""
    require_role(actor, Role.admin, what="retention_report")
    today = today or date.today()
    try:
        cutoff = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        cutoff = today.replace(year=today.year - years, day=28)
    # Start from closures older than the cutoff (indexed by status and date) and keep those
    # not followed by a later closure: a scan of every closed family took ~0.3 s on a large
    # council's data.
    old, later = aliased(FamilyStatusChange), aliased(FamilyStatusChange)
    closed_again = exists().where(
        col(later.family_id) == old.family_id,
        col(later.status) == FamilyStatus.closed,
        col(later.changed_on) > old.changed_on,
    )
    with read_session() as session:
        rows = session.exec(
            select(
                col(Family.id), col(Team.name), col(Family.council_reference), col(old.changed_on)
            )
            .select_from(old)
            .join(Family, col(Family.id) == old.family_id)
            .join(Team, col(Team.id) == Family.team_id)
            .where(
                col(old.status) == FamilyStatus.closed,
                col(old.changed_on) < cutoff,
                ~closed_again,
                col(Family.status) == FamilyStatus.closed,
                col(Family.erased_at).is_(None),
            )
            .order_by(col(old.changed_on), col(Family.id))
        ).all()
    frame = pd.DataFrame(rows, columns=RETENTION_COLUMNS[:4])
    frame["years_closed"] = frame["closed_on"].map(lambda d: round((today - d).days / 365.25, 1))
    return frame
