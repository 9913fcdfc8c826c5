"""Right of access and erasure, and the retention review.

- Records requests ("a copy of everything we hold about you") need two people: an admin
  records who asked, when and for which family (`ask_for_copy`, seeing its number and council
  reference, never its case); a manager who leads the family's team, and didn't record it,
  approves or refuses it (`approve_request`, `refuse_request`); then that manager or an admin
  prepares the copy once (`prepare_copy`: everything held, as JSON). Every step is audited.
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
import secrets
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any, cast

import pandas as pd
from sqlalchemy import Enum as SAEnum
from sqlalchemy import String, Table, and_, case, exists, func, literal, or_, update
from sqlalchemy import select as sa_select
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import aliased
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, SQLModel, col, select

from db.auth import end_every_session
from db.i18n import N_
from db.rules import audit
from db.rules.access import (
    Actor,
    may_decide_records_request,
    may_prepare_records_copy,
    refused,
    require_role,
)
from db.rules.validation import Invalid, checked, day, max_chars, record_id, text
from db.rules.writes import touch
from db.settings import DEFAULT_TIME_ZONE, RETENTION_YEARS
from db.store.clock import family_today, today_in, utcnow
from db.store.engine import read_session, write_session
from db.store.ids import stored_id
from db.store.models import (
    AuditEvent,
    Family,
    FamilyInvitation,
    FamilyLogin,
    FamilyStatus,
    FamilyStatusChange,
    LoginAttempt,
    Note,
    NoteKind,
    RecordsRequest,
    RecordsRequestStatus,
    Role,
    Team,
    Worker,
)

ERASED = "[erased]"
NOT_FAMILY_DATA = {"auditevent", "family"}
# Plain strings that are keys or settings, not anything a person said or is called (an
# invitation's code hash is unique: it can't be overwritten with one shared word).
NOT_FREE_TEXT = {"token", "time_zone", "code_hash"}


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


def _worker_columns() -> set[str]:
    """Columns naming a worker (recorded_by, decided_by…): the copy gives their names."""
    return {
        column.name
        for table in SQLModel.metadata.sorted_tables
        for column in table.c
        for key in column.foreign_keys
        if key.column.table.name == "worker"
    }


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


# --- finding the family (for an admin: numbers and references, no case content) ----------


@checked
def find_family(
    actor: Actor, *, family_id: int | None = None, council_reference: str = ""
) -> dict | None:
    """For an admin answering a request: the family by its number or council reference, with
    its team and whether it was erased, never its name or anything about its case. Audited as
    a look-up; None when nothing matches."""
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
            fields=["council_reference", "team", "erased_at"],
        )
        return {
            "family_id": family.id,
            "team": team_name,
            "erased_at": family.erased_at,
            "council_reference": family.council_reference,
        }


# --- records requests: recorded by an admin, decided by a second person, then prepared ------

OPEN = (RecordsRequestStatus.asked, RecordsRequestStatus.approved)


@checked
def ask_for_copy(actor: Actor, family_id: int, *, asked_by_whom: str, asked_on: date) -> int:
    """Records a family's request for a copy of everything we hold about them. Admin only; the
    copy can't be prepared until a manager who leads the family's team approves. Returns the
    request's number."""
    require_role(actor, Role.admin, what="records_request", record_id=family_id)
    family_id = record_id(family_id, N_("that family"))
    who = text(asked_by_whom, N_("who asked"), limit=max_chars(RecordsRequest, "asked_by_whom"))
    with write_session() as session:
        family = session.get(Family, family_id, with_for_update=True)
        if family is None:
            raise Invalid(N_("There is no family with that number."))
        asked_on = day(asked_on, N_("the day they asked"), today=family_today(session, family))
        waiting = session.exec(
            select(col(RecordsRequest.id)).where(
                col(RecordsRequest.family_id) == family_id, col(RecordsRequest.status).in_(OPEN)
            )
        ).first()
        if waiting is not None:
            raise Invalid(
                N_(
                    "This family already has a request waiting (number {waiting}): it needs "
                    "deciding or preparing before another is recorded.",
                    waiting=waiting,
                )
            )
        request = RecordsRequest(
            family_id=family_id, asked_by_whom=who, asked_on=asked_on, recorded_by=actor.worker_id
        )
        session.add(request)
        session.flush()
        _audit_request(session, actor, audit.Action.REQUEST, request, ["asked_by_whom", "asked_on"])
        return stored_id(request)


def _audit_request(
    session: Session, actor: Actor, action: str, request: RecordsRequest, fields
) -> None:
    """The audit row of each step of a request for a copy of a family's records: asked,
    decided, prepared (which fields or tables, never what they hold)."""
    audit.record(
        session,
        actor,
        action,
        family_id=request.family_id,
        record_type="records_request",
        record_id=request.id,
        fields=fields,
    )


def _locked_request(session, request_id: int) -> RecordsRequest:
    request = session.get(RecordsRequest, request_id, with_for_update=True)
    if request is None:  # requests are never deleted; a reload shows the list as it is
        raise Invalid(N_("That request isn't known here: please reload the page."))
    return request


def _request_and_team(request_id: int) -> tuple[RecordsRequest, int] | None:
    with read_session() as session:
        found = session.exec(
            select(RecordsRequest, col(Family.team_id))
            .join(Family, col(Family.id) == RecordsRequest.family_id)
            .where(col(RecordsRequest.id) == request_id)
        ).first()
    return (found[0], found[1]) if found else None


def _refused_request(
    actor: Actor, request_id: int, found: tuple[RecordsRequest, int] | None
) -> Exception:
    """A refused step of a request, audited against its family when the request exists (so
    the managers who lead the family's team see it)."""
    return refused(
        actor,
        what="records_request",
        record_id=request_id,
        family_id=found[0].family_id if found else None,
    )


def _decide(actor: Actor, request_id: int, status: RecordsRequestStatus, because: str = "") -> None:
    request_id = record_id(request_id, N_("that request"))
    found = _request_and_team(request_id)
    if found is None or not may_decide_records_request(
        actor, team_id=found[1], asked_by=found[0].recorded_by
    ):
        raise _refused_request(actor, request_id, found)
    with write_session() as session:
        request = _locked_request(session, request_id)
        if request.status != RecordsRequestStatus.asked:
            raise Invalid(N_("Someone has already decided this request: reload to see what."))
        request.status = status
        request.decided_by = actor.worker_id
        request.decided_at = utcnow()
        request.refused_because = because
        session.add(request)
        _audit_request(
            session,
            actor,
            audit.Action.APPROVE
            if status == RecordsRequestStatus.approved
            else audit.Action.TURN_DOWN,
            request,
            ["status", "decided_by", "decided_at"] + (["refused_because"] if because else []),
        )


@checked
def approve_request(actor: Actor, request_id: int) -> None:
    """A manager who leads the family's team, and who didn't record the request, approves it:
    the copy may now be prepared."""
    _decide(actor, request_id, RecordsRequestStatus.approved)


@checked
def refuse_request(actor: Actor, request_id: int, *, because: str) -> None:
    """A manager who leads the family's team turns the request down, saying why (the admin who
    answers the family reads the reason)."""
    because = text(
        because, N_("why it is turned down"), limit=max_chars(RecordsRequest, "refused_because")
    )
    _decide(actor, request_id, RecordsRequestStatus.refused, because)


@checked
def prepare_copy(actor: Actor, request_id: int) -> str:
    """The copy of everything held about the family, as JSON, for an approved request: by a
    manager who leads the family's team or an admin. Only once per request. Refused (and
    audited) before approval, after a refusal, and for anyone else."""
    request_id = record_id(request_id, N_("that request"))
    found = _request_and_team(request_id)
    if (
        found is None
        or found[0].status not in (RecordsRequestStatus.approved, RecordsRequestStatus.prepared)
        or not may_prepare_records_copy(actor, team_id=found[1])
    ):
        raise _refused_request(actor, request_id, found)
    with write_session() as session:
        request = _locked_request(session, request_id)
        if request.status != RecordsRequestStatus.approved:
            raise Invalid(
                N_("This copy has already been prepared. For another copy, record a new request.")
            )
        document, tables = _everything_held(session, request.family_id)
        request.status = RecordsRequestStatus.prepared
        request.prepared_by = actor.worker_id
        request.prepared_at = utcnow()
        session.add(request)
        _audit_request(session, actor, audit.Action.EXPORT, request, tables)
    return document


REQUEST_COLUMNS = [
    "request_id",
    "family_id",
    "council_reference",
    "team",
    "asked_by_whom",
    "asked_on",
    "recorded_by",
    "status",
    "decided_by",
    "refused_because",
    "team_id",  # not shown: who may prepare (and then download) the copy depends on it
]


def _requests_query():
    recorder, decider = aliased(Worker), aliased(Worker)
    return (
        select(
            col(RecordsRequest.id),
            col(Family.id),
            col(Family.council_reference),
            col(Team.name),
            col(RecordsRequest.asked_by_whom),
            col(RecordsRequest.asked_on),
            recorder.name,
            col(RecordsRequest.status),
            decider.name,
            col(RecordsRequest.refused_because),
            col(Family.team_id),
            col(RecordsRequest.recorded_by),
            col(Family.known_as),
        )
        .join(Family, col(Family.id) == RecordsRequest.family_id)
        .join(Team, col(Team.id) == Family.team_id)
        .join(recorder, recorder.id == RecordsRequest.recorded_by)
        .join(decider, decider.id == RecordsRequest.decided_by, isouter=True)
        .order_by(col(RecordsRequest.id).desc())
    )


def _request_frame(rows) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=REQUEST_COLUMNS + ["recorded_by_id", "family"])
    frame["status"] = frame["status"].map(RecordsRequestStatus)
    frame["decided_by"] = frame["decided_by"].fillna("")
    return frame


def requests_for_admins(actor: Actor, *, limit: int = 200) -> pd.DataFrame:
    """Every records request, newest first, for the admins who answer families: numbers,
    references and who did what, never the family's name or case content."""
    require_role(actor, Role.admin, what="records_requests")
    with read_session() as session:
        rows = session.exec(_requests_query().limit(limit)).all()
    return _request_frame(rows)[REQUEST_COLUMNS]


def requests_for_managers(actor: Actor) -> pd.DataFrame:
    """Open records requests (waiting for a decision, or approved and not yet prepared) for
    the families of the teams this manager leads, with the family's name, and whether this
    manager may decide each (not one they recorded themselves)."""
    require_role(actor, Role.manager, what="records_requests")
    with read_session() as session:
        rows = session.exec(
            _requests_query().where(
                col(Family.team_id).in_(actor.led_team_ids), col(RecordsRequest.status).in_(OPEN)
            )
        ).all()
    frame = _request_frame(rows)
    frame["may_decide"] = frame["recorded_by_id"] != actor.worker_id
    return frame[REQUEST_COLUMNS + ["family", "may_decide"]]


# --- the copy ----------------------------------------------------------------------------


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


def _everything_held(session, family_id: int) -> tuple[str, list[str]]:
    """Everything held about one family as a JSON document, and the tables it came from (for
    the audit, which names tables, never their contents)."""
    family = session.get(Family, family_id)
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
        if key in _worker_columns() and isinstance(row[key], int)
    }
    workers = (
        {
            w.id: w.name
            for w in session.exec(select(Worker).where(col(Worker.id).in_(worker_ids))).all()
        }
        if worker_ids
        else {}
    )
    team = session.get(Team, family.team_id)
    document = {
        "what_this_is": "A copy of everything Golden Thread holds about this family.",
        "made_at": utcnow().isoformat(),
        "family_id": family_id,
        "team": team.name if team else "",
        "time_zone": team.time_zone if team else DEFAULT_TIME_ZONE,
        "workers": {str(key): name for key, name in sorted(workers.items())},
        "records": held,
    }
    return json.dumps(document, indent=2, ensure_ascii=False, default=str), sorted(held)


# --- erasure -----------------------------------------------------------------------------


NAME_TRIES = 3
NAME_NOT_MATCHED = "erasure_name_not_matched"
NAME_TRIES_USED = N_(
    "The name typed to confirm didn't match three times in a day, so erasing this record is "
    "paused for a day. Please check the family's name with the team that asked."
)


@checked
def erase_family(
    actor: Actor, family_id: int, *, reason: str, confirm_known_as: str, now: datetime | None = None
) -> list[str]:
    """Anonymises the family's record in place. Admin only; the reason is required, and the
    admin types the family's name to confirm. Returns the changed fields (table.column)."""
    require_role(actor, Role.admin, what="erasure", record_id=family_id)
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise Invalid(N_("Please write the reason for erasing this record (at least a few words)."))
    now = now or utcnow()
    changed: list[str] = []
    with write_session() as session:
        family = session.get(Family, family_id)
        if family is None:
            raise Invalid(N_("There is no family with that number."))
        if family.erased_at is not None:
            raise Invalid(N_("This family's record has already been erased."))
        if _names_not_matched(session, actor, family_id, now) >= NAME_TRIES:
            raise Invalid(NAME_TRIES_USED)
        matched = confirm_known_as.strip().lower() == family.known_as.strip().lower()
        if matched:
            changed = _erase(session, actor, family, reason, now)
    if not matched:
        # Admins never see a family's name: a wrong one typed is audited (the family's
        # manager sees it) and only a few are allowed a day, so the box can't be used to
        # check guesses against a family number.
        with write_session() as session:
            audit.record(
                session,
                actor,
                audit.Action.REFUSED,
                record_type="family",
                record_id=family_id,
                fields=[NAME_NOT_MATCHED],
            )
        raise Invalid(
            N_("The name typed to confirm doesn't match the family's name, so nothing was erased.")
        )
    return changed


def _names_not_matched(session: Session, actor: Actor, family_id: int, now: datetime) -> int:
    """Names this admin typed for this family's erasure in the last day that didn't match."""
    return session.exec(
        select(func.count()).where(
            col(AuditEvent.worker_id) == actor.worker_id,
            col(AuditEvent.action) == audit.Action.REFUSED,
            col(AuditEvent.record_id) == family_id,
            col(AuditEvent.fields) == NAME_NOT_MATCHED,
            col(AuditEvent.at) >= now - timedelta(days=1),
        )
    ).one()


def _erase(session: Session, actor: Actor, family: Family, reason: str, now: datetime) -> list[str]:
    """Every word and name about the family replaced in the caller's transaction (dates and
    numbers stay, so the team's figures stay right), audited; the changed table.columns."""
    family_id = stored_id(family)
    changed: list[str] = []
    targets = [(table, table.c.family_id == family_id) for table in family_tables()]
    targets += [(table, _child_filter(table, links, family_id)) for table, links in child_tables()]
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
    # An invitation not yet taken up can never be: the person it was for is erased.
    withdrawn = cast(
        CursorResult,
        session.execute(
            update(FamilyInvitation)
            .where(
                col(FamilyInvitation.family_id) == family_id,
                col(FamilyInvitation.used_at).is_(None),
                col(FamilyInvitation.withdrawn_at).is_(None),
            )
            .values(withdrawn_at=now)
        ),
    )
    if withdrawn.rowcount:
        changed.append("familyinvitation.withdrawn_at")
    changed += _erase_family_logins(session, family_id, now)
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


def _erase_family_logins(session: Session, family_id: int, now: datetime) -> list[str]:
    """A family member's own login is a worker account named after them: it ends for good (on
    every device), and keeps neither their name, nor the username they chose, nor an email."""
    changed: list[str] = []
    for login, account in session.exec(
        select(FamilyLogin, Worker)
        .join(Worker, col(Worker.id) == FamilyLogin.worker_id)
        .where(col(FamilyLogin.family_id) == family_id)
    ).all():
        if login.ended_at is None:
            login.ended_at = now
            login.version += 1
            session.add(login)
        end_every_session(session, account, now)
        account.is_active = False
        account.name = "Erased"
        chosen, account.username = account.username, f"erased-{account.id}"
        if session.exec(
            select(col(Worker.id)).where(
                col(Worker.username) == account.username, col(Worker.id) != account.id
            )
        ).first():  # someone chose that very username: still none of this person's
            account.username += f"-{secrets.token_hex(4)}"
        _forget_username(session, chosen, account.username)
        account.email = None
        account.version += 1
        session.add(account)
        changed = [
            "familylogin.ended_at",
            "worker.name",
            "worker.username",
            "worker.email",
            "worker.is_active",
        ]
    return changed


def _forget_username(session: Session, chosen: str, erased: str) -> None:
    """The username a family member chose is often their name. The audit never holds it
    (audit.family_login_mark); login attempts written before that did: they keep their place
    under the erased name."""
    session.execute(
        update(LoginAttempt).where(col(LoginAttempt.username) == chosen).values(username=erased)
    )


# --- retention ---------------------------------------------------------------------------

RETENTION_COLUMNS = ["family_id", "team", "council_reference", "closed_on", "years_closed"]


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def retention_report(
    actor: Actor, *, today: date | None = None, years: int = RETENTION_YEARS
) -> pd.DataFrame:
    """Closed families whose closure is more than `years` ago and not yet erased, counted on
    each team's own day (`today`, when given, for every team). A list for an admin to review;
    nothing is deleted automatically."""
    require_role(actor, Role.admin, what="retention_report")
    # Start from closures older than the cutoff (indexed by status and date) and keep those
    # not followed by a later closure (on a later day, or later the same day: closed, reopened
    # and closed again): a scan of every closed family took ~0.3 s on a large council's data.
    old, later = aliased(FamilyStatusChange), aliased(FamilyStatusChange)
    closed_again = exists().where(
        col(later.family_id) == old.family_id,
        col(later.status) == FamilyStatus.closed,
        or_(
            col(later.changed_on) > old.changed_on,
            and_(col(later.changed_on) == old.changed_on, col(later.id) > old.id),
        ),
    )
    with read_session() as session:
        zones = dict(session.exec(select(col(Team.id), col(Team.time_zone))).all())
        days = {team: today or today_in(zone) for team, zone in zones.items()}
        cutoffs = {team: _years_before(day, years) for team, day in days.items()}
        rows = (
            session.execute(
                sa_select(
                    col(Family.id),
                    col(Team.name),
                    col(Family.council_reference),
                    col(old.changed_on),
                    col(Team.id),
                )
                .select_from(old)
                .join(Family, col(Family.id) == old.family_id)
                .join(Team, col(Team.id) == Family.team_id)
                .where(
                    col(old.status) == FamilyStatus.closed,
                    col(old.changed_on) < max(cutoffs.values()),  # the team's own: below
                    ~closed_again,
                    col(Family.status) == FamilyStatus.closed,
                    col(Family.erased_at).is_(None),
                )
                .order_by(col(old.changed_on), col(Family.id))
            ).all()
            if cutoffs
            else []
        )
    rows = [row for row in rows if row[3] < cutoffs[row[4]]]
    frame = pd.DataFrame([row[:4] for row in rows], columns=RETENTION_COLUMNS[:4])
    frame["years_closed"] = [round((days[row[4]] - row[3]).days / 365.25, 1) for row in rows]
    return frame
