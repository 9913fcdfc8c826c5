"""The family's world: people who matter, agreements, keeping safe, practical help, worries
shared with social work, who works with the family and where things are. Writes and reads.

Status changes and worker changes are new dated rows, never overwritten; the continuity
figures are computed from exactly these records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import func
from sqlmodel import Session, col, select

from db.i18n import LANGUAGES, N_
from db.rules import audit
from db.rules.access import Actor, family_read, require_led_team
from db.rules.validation import (
    Conflict,
    Invalid,
    checked,
    choice,
    day,
    max_chars,
    person_in_family,
    text,
    worker_in_team,
)
from db.rules.writes import changed, family_write, save_edit, save_new
from db.settings import AGREEMENT_CHECK_DAYS
from db.store.clock import family_today, today_in, utcnow
from db.store.ids import stored_id
from db.store.models import (
    Agreement,
    EndReason,
    Family,
    FamilyStatus,
    FamilyStatusChange,
    HelpKind,
    KeepingSafe,
    Note,
    NoteKind,
    Person,
    PracticalHelp,
    Relationship,
    RelationshipRole,
    Rhythm,
    Worker,
    WorkerRelationship,
    WorkerTeam,
)
from db.store.query import of_family
from db.words import HELP_KIND, NOTE_KIND

# --- people who matter -------------------------------------------------------------------


@dataclass(frozen=True)
class PersonIn:
    name: str
    relationship: str
    organisation: str = ""
    birth_year: int | None = None
    in_household: bool = False
    how_they_help: str = ""
    language: str = "English"
    needs_interpreter: bool = False
    must_not_invite: bool = False
    must_not_see_plan: bool = False


def _person_values(person: PersonIn) -> dict:
    relationship = choice(Relationship, person.relationship, N_("who they are to the family"))
    year = person.birth_year
    this_year = today_in().year  # a year's window: the default zone's date serves every team
    if year is not None and not (this_year - 110 <= int(year) <= this_year):
        raise Invalid(N_("Please check the year of birth."))
    return {
        "name": text(person.name, N_("their name"), limit=120),
        "relationship": relationship,
        "organisation": text(
            person.organisation, N_("the organisation"), required=False, limit=120
        ),
        "birth_year": int(year) if year is not None else None,
        "in_household": bool(person.in_household),
        "how_they_help": text(person.how_they_help, N_("how they help"), required=False, limit=500),
        "language": text(person.language, N_("their language"), required=False, limit=60)
        or "English",
        "needs_interpreter": bool(person.needs_interpreter),
        "must_not_invite": bool(person.must_not_invite),
        "must_not_see_plan": bool(person.must_not_see_plan),
    }


@checked
def add_person(actor: Actor, *, family_id: int, person: PersonIn) -> int:
    with family_write(actor, family_id) as (session, family):
        values = _person_values(person)
        row = Person(family_id=family_id, **values)
        return save_new(
            session,
            actor,
            family,
            row,
            fields=values.keys(),
            repeat_if_same=("name", "relationship"),
        )


def person(actor: Actor, *, family_id: int, person_id: int) -> Person:
    """One person in the family's world as stored, for the form that corrects their details."""
    with family_read(actor, family_id) as (session, _family):
        row = person_in_family(session, family_id, person_id)
    if row is None:  # person_in_family passes a missing id through as None
        raise Invalid(N_("Please choose someone in the family's world."))
    return row


@checked
def update_person(
    actor: Actor, *, family_id: int, person_id: int, seen_version: int, person: PersonIn
) -> None:
    """Corrects someone's details; refused with Conflict if someone else saved them since the
    form was drawn."""
    with family_write(actor, family_id) as (session, family):
        person_in_family(session, family_id, person_id)
        save_edit(
            session,
            actor,
            family,
            Person,
            person_id,
            seen_version,
            _person_values(person),
            what=N_("this person's details"),
        )


# --- agreements --------------------------------------------------------------------------


@checked
def add_agreement(
    actor: Actor, *, family_id: int, what: str, with_whom: str = "", agreed_on: date | None = None
) -> int:
    with family_write(actor, family_id) as (session, family):
        today = family_today(session, family)
        on = day(agreed_on or today, N_("the day they agreed"), today=today)
        row = Agreement(
            family_id=family_id,
            what=text(what, N_("what they agreed to"), limit=500),
            with_whom=text(with_whom, N_("with whom"), required=False),
            agreed_on=on,
            last_checked_on=on,
        )
        fields = ["what", "with_whom", "agreed_on"]
        return save_new(session, actor, family, row, fields=fields, repeat_if_same=fields)


@checked
def agreement_checked(
    actor: Actor, *, family_id: int, agreement_id: int, on: date | None = None
) -> None:
    with family_write(actor, family_id) as (session, family):
        row = session.get(Agreement, agreement_id)
        if row is None or row.family_id != family_id:
            raise Invalid(N_("That agreement isn't part of this family's record."))
        today = family_today(session, family)
        row.last_checked_on = day(on or today, N_("the day you checked"), today=today)
        session.add(row)
        changed(
            session,
            actor,
            family,
            audit.Action.UPDATE,
            "agreement",
            stored_id(row),
            ["last_checked_on"],
        )


def agreements(actor: Actor, family_id: int, *, today: date | None = None) -> pd.DataFrame:
    with family_read(actor, family_id) as (session, family):
        today = today or family_today(session, family)
        rows = session.exec(
            of_family(Agreement, family_id).order_by(col(Agreement.agreed_on))
        ).all()
    return pd.DataFrame(
        [
            {
                "agreement_id": a.id,
                "what": a.what,
                "with_whom": a.with_whom,
                "agreed_on": a.agreed_on,
                "last_checked_on": a.last_checked_on,
                "time_to_check": (today - a.last_checked_on).days > AGREEMENT_CHECK_DAYS,
            }
            for a in rows
        ],
        columns=[
            "agreement_id",
            "what",
            "with_whom",
            "agreed_on",
            "last_checked_on",
            "time_to_check",
        ],
    )


# --- keeping safe (never on a shared screen or in any copy) ------------------------------


@checked
def save_keeping_safe(
    actor: Actor,
    *,
    family_id: int,
    seen_version: int,
    safe_phone: str,
    ok_to_leave_messages: bool,
    never_show: str,
) -> None:
    """Saves the keeping-safe details; refused with Conflict if someone else saved them since
    the form was drawn (seen_version 0: there were none yet)."""
    with family_write(actor, family_id) as (session, family):
        values: dict[str, Any] = {
            "safe_phone": text(safe_phone, N_("the safe phone number"), required=False, limit=40),
            "ok_to_leave_messages": bool(ok_to_leave_messages),
            "never_show": text(
                never_show, N_("what must never be shown"), required=False, limit=1000
            ),
        }
        row = session.exec(of_family(KeepingSafe, family_id)).first()
        what = N_("the keeping-safe details")
        if row is None:
            if seen_version != 0:
                raise Conflict(what)
            new = KeepingSafe(family_id=family_id, **values)
            save_new(session, actor, family, new, fields=list(values))
            return
        values["updated_at"] = utcnow()
        save_edit(
            session, actor, family, KeepingSafe, stored_id(row), seen_version, values, what=what
        )


def keeping_safe(actor: Actor, family_id: int) -> KeepingSafe | None:
    """Staff screens only. No family-facing renderer calls this."""
    with family_read(actor, family_id) as (session, _family):
        return session.exec(of_family(KeepingSafe, family_id)).first()


# --- practical help and worries shared ---------------------------------------------------


@checked
def add_help(
    actor: Actor, *, family_id: int, kind: str, what: str, given_on: date, who_from: str = ""
) -> int:
    with family_write(actor, family_id) as (session, family):
        row = PracticalHelp(
            family_id=family_id,
            kind=choice(HelpKind, kind, N_("the kind of help")),
            what=text(what, N_("what the help was"), limit=300),
            given_on=day(given_on, N_("when it was given"), today=family_today(session, family)),
            who_from=text(who_from, N_("who it came from"), required=False),
        )
        fields = ["kind", "what", "given_on", "who_from"]
        return save_new(session, actor, family, row, fields=fields, repeat_if_same=fields)


@checked
def add_note(
    actor: Actor,
    *,
    family_id: int,
    kind: str,
    words: str,
    written_on: date | None = None,
    shared_with: str = "",
    next_steps: str = "",
) -> int:
    """The one writer of staff-only notes: a huddle note, a worry shared with social work (who
    with, what next), or a manager's oversight note (for the teams they lead). Dated on the
    family's team's day unless a date is given; never before the family first came to us."""
    note_kind = choice(NoteKind, kind, N_("the kind of note"))
    if note_kind == NoteKind.worry_shared and not str(shared_with or "").strip():
        raise Invalid(N_("Please say who the worry was shared with."))
    with family_write(actor, family_id) as (session, family):
        if note_kind == NoteKind.oversight:  # a manager's decision, for the teams they lead
            require_led_team(actor, family.team_id, what="oversight_note")
        today = family_today(session, family)
        on = day(written_on or today, N_("the note's date"), today=today)
        if on < family.first_came_on:
            raise Invalid(N_("The note's date is before the family first came to us."))
        row = Note(
            family_id=family_id,
            kind=note_kind,
            words=text(words, N_("the note"), limit=max_chars(Note, "words")),
            written_on=on,
            written_by=actor.worker_id,
            shared_with=text(
                shared_with,
                N_("who it was shared with"),
                required=False,
                limit=max_chars(Note, "shared_with"),
            ),
            next_steps=text(
                next_steps,
                N_("what happens next"),
                required=False,
                limit=max_chars(Note, "next_steps"),
            ),
        )
        filled = ["kind", "words", "written_on"]
        filled += [f for f in ("shared_with", "next_steps") if getattr(row, f)]
        return save_new(
            session,
            actor,
            family,
            row,
            fields=filled,
            repeat_if_same=("kind", "words", "written_on"),
        )


def help_and_notes(actor: Actor, family_id: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    with family_read(actor, family_id) as (session, _family):
        helps = session.exec(
            of_family(PracticalHelp, family_id).order_by(col(PracticalHelp.given_on).desc())
        ).all()
        notes = session.exec(
            of_family(Note, family_id).order_by(col(Note.written_on).desc(), col(Note.id).desc())
        ).all()
    return (
        pd.DataFrame(
            [
                {
                    "given_on": h.given_on,
                    "kind": HELP_KIND[h.kind],
                    "what": h.what,
                    "who_from": h.who_from,
                }
                for h in helps
            ],
            columns=["given_on", "kind", "what", "who_from"],
        ),
        pd.DataFrame(
            [
                {
                    "written_on": n.written_on,
                    "kind": NOTE_KIND[n.kind],
                    "words": n.words,
                    "shared_with": n.shared_with,
                    "next_steps": n.next_steps,
                }
                for n in notes
            ],
            columns=["written_on", "kind", "words", "shared_with", "next_steps"],
        ),
    )


# --- who works with the family, and where things are -------------------------------------


def _open_relationships(session: Session, family_id: int, role: RelationshipRole | None = None):
    query = of_family(WorkerRelationship, family_id, col(WorkerRelationship.ended_on).is_(None))
    if role is not None:
        query = query.where(col(WorkerRelationship.role) == role)
    return session.exec(query).all()


def _active_worker_in_team(session: Session, worker_id: int, team_id: int) -> None:
    """A worker of the family's team who can still log in: only they can start working with a
    family. The forms offer only these, but one drawn before an admin stopped someone logging
    in still offers them, and the family would be left with a worker nobody can reach."""
    worker_in_team(session, worker_id, team_id)
    worker = session.get_one(Worker, worker_id)
    if not worker.is_active:
        raise Invalid(
            N_("{name} can't log in any more: please choose someone else.", name=worker.name)
        )


@checked
def assign_worker(
    actor: Actor,
    *,
    family_id: int,
    worker_id: int,
    role: str = "lead",
    chosen_by_family: bool = False,
    started_on: date | None = None,
) -> int:
    """A worker starts with the family. A second main worker needs a handover instead."""
    with family_write(actor, family_id) as (session, family):
        row = start_relationship(
            session, actor, family, worker_id, role, chosen_by_family, started_on
        )
        return stored_id(row)


def start_relationship(
    session: Session,
    actor: Actor,
    family: Family,
    worker_id: int,
    role: str,
    chosen_by_family: bool,
    started_on: date | None,
) -> WorkerRelationship:
    """A worker starts with the family, inside the caller's transaction: checked, stored,
    the family moved from waiting to working together when it is their main worker, audited."""
    family_id = stored_id(family)
    _active_worker_in_team(session, worker_id, family.team_id)
    relationship_role = choice(RelationshipRole, role, N_("main or supporting worker"))
    today = family_today(session, family)
    start = day(started_on or today, N_("the start date"), today=today)
    if start < family.first_came_on:
        raise Invalid(N_("A worker can't start before the family first came to us."))
    if relationship_role == RelationshipRole.lead and _open_relationships(
        session, family_id, RelationshipRole.lead
    ):
        raise Invalid(N_("The family already has a main worker: use a handover to change."))
    if any(r.worker_id == worker_id for r in _open_relationships(session, family_id)):
        raise Invalid(N_("That worker already works with this family."))
    row = WorkerRelationship(
        family_id=family_id,
        worker_id=worker_id,
        role=relationship_role,
        started_on=start,
        chosen_by_family=bool(chosen_by_family),
    )
    if family.status == FamilyStatus.waiting and relationship_role == RelationshipRole.lead:
        # The move to working together is dated from the start: it can't come before the
        # family began waiting (a reopened family would read as waiting ever after).
        _not_before_last_change(session, family_id, start)
        _set_status(session, family, FamilyStatus.working_together, start, actor)
    session.add(row)
    session.flush()
    changed(
        session,
        actor,
        family,
        audit.Action.CREATE,
        "worker_relationship",
        stored_id(row),
        ["worker_id", "role", "started_on", "chosen_by_family"],
    )
    return row


@checked
def hand_over(
    actor: Actor,
    *,
    family_id: int,
    to_worker_id: int,
    reason: str | None,  # None (nothing chosen) is refused with a plain message
    on: date | None = None,
    chosen_by_family: bool = False,
) -> int:
    """The main worker changes: the old relationship ends with a reason, a new one starts."""
    with family_write(actor, family_id) as (session, family):
        _active_worker_in_team(session, to_worker_id, family.team_id)
        why, on_day = _ending(
            session, family, reason, on, N_("why the worker is changing"), N_("the handover date")
        )
        current = _open_relationships(session, family_id, RelationshipRole.lead)
        if not current:
            raise Invalid(N_("The family has no main worker yet: choose one first."))
        if any(row.worker_id == to_worker_id for row in current):
            raise Invalid(N_("That worker is already the family's main worker."))
        _end(session, current, on_day, why)
        # A supporting worker stepping up: their supporting time ends as their main time
        # begins, so they are never listed twice.
        for row in _open_relationships(session, family_id, RelationshipRole.supporting):
            if row.worker_id == to_worker_id:
                row.ended_on = max(on_day, row.started_on)
                session.add(row)
        new = WorkerRelationship(
            family_id=family_id,
            worker_id=to_worker_id,
            role=RelationshipRole.lead,
            started_on=on_day,
            chosen_by_family=bool(chosen_by_family),
        )
        session.add(new)
        session.flush()
        changed(
            session,
            actor,
            family,
            audit.Action.UPDATE,
            "worker_relationship",
            stored_id(new),
            ["ended_on", "end_reason", "worker_id", "started_on", "chosen_by_family"],
        )
        return stored_id(new)


@checked
def end_supporting(
    actor: Actor,
    *,
    family_id: int,
    worker_id: int,
    reason: str | None,  # None (nothing chosen) is refused with a plain message
    on: date | None = None,
) -> None:
    """A supporting worker's time with the family ends, with a reason: when they leave, move
    team or the family asks. (The main worker changes by a handover.)"""
    with family_write(actor, family_id) as (session, family):
        why, on_day = _ending(
            session, family, reason, on, N_("why the worker is stopping"), N_("the last day")
        )
        rows = [
            row
            for row in _open_relationships(session, family_id, RelationshipRole.supporting)
            if row.worker_id == worker_id
        ]
        if not rows:
            raise Invalid(N_("That worker isn't supporting this family now."))
        _end(session, rows, on_day, why)
        session.flush()
        changed(
            session,
            actor,
            family,
            audit.Action.UPDATE,
            "worker_relationship",
            stored_id(rows[0]),
            ["ended_on", "end_reason"],
        )


def _ending(
    session: Session, family: Family, reason, on: date | None, why_words, day_words
) -> tuple[EndReason, date]:
    """Why a worker's time with the family ends (never "closed": closing the family ends
    everyone's) and on which day of the team's, checked; `why_words` and `day_words` name the
    two boxes in a refusal."""
    why = choice(EndReason, reason, why_words)
    if why == EndReason.family_closed:
        raise Invalid(N_("To stop working with the family, close the family instead."))
    today = family_today(session, family)
    return why, day(on or today, day_words, today=today)


def _end(session: Session, rows: list[WorkerRelationship], on: date, why: EndReason) -> None:
    for row in rows:
        if on < row.started_on:
            raise Invalid(N_("A relationship can't end before it began."))
        row.ended_on, row.end_reason = on, why
        session.add(row)


def _not_before_last_change(session: Session, family_id: int, on: date) -> None:
    """Where things are changes in order: never dated before the last change."""
    last = session.exec(
        select(func.max(col(FamilyStatusChange.changed_on))).where(
            col(FamilyStatusChange.family_id) == family_id
        )
    ).one()
    if last is not None and on < last:
        raise Invalid(N_("The last change was on {day}: please pick that day or later.", day=last))


def _set_status(
    session: Session, family: Family, status: FamilyStatus, on: date, actor: Actor
) -> None:
    session.add(
        FamilyStatusChange(
            family_id=stored_id(family), status=status, changed_on=on, recorded_by=actor.worker_id
        )
    )
    family.status = status
    session.add(family)


@checked
def change_status(actor: Actor, *, family_id: int, status: str, on: date | None = None) -> None:
    """Moves the family between waiting, working together, keeping in touch and closed, or
    reopens it. Every change is a new dated row; closing ends the open relationships."""
    with family_write(actor, family_id) as (session, family):
        new = choice(FamilyStatus, status, N_("where things are"))
        today = family_today(session, family)
        on_day = day(on or today, N_("the date of the change"), today=today)
        if new == family.status:
            raise Invalid(N_("The family is already there."))
        if new == FamilyStatus.waiting and _open_relationships(
            session, family_id, RelationshipRole.lead
        ):
            raise Invalid(
                N_(
                    "The family has a main worker, so they aren't waiting to meet one: to "
                    "change worker, use a handover."
                )
            )
        _not_before_last_change(session, family_id, on_day)
        if new == FamilyStatus.closed:
            for row in _open_relationships(session, family_id):
                row.ended_on, row.end_reason = max(on_day, row.started_on), EndReason.family_closed
                session.add(row)
        _set_status(session, family, new, on_day, actor)
        changed(
            session,
            actor,
            family,
            audit.Action.UPDATE,
            "family_status",
            family_id,
            ["status", "changed_on"],
        )


@checked
def update_family_details(
    actor: Actor,
    *,
    family_id: int,
    seen_version: int,
    known_as: str,
    rhythm: str,
    council_reference: str,
    preferred_language: str | None = None,
) -> None:
    """The family's details; `preferred_language` (left as it was when None) is the language
    their own screens and copies speak."""
    with family_write(actor, family_id) as (session, family):
        values = {
            "known_as": text(known_as, N_("the name the family chose"), limit=120),
            "rhythm": choice(Rhythm, rhythm, N_("how often we meet")),
            "council_reference": text(
                council_reference, N_("the council reference"), required=False, limit=60
            ),
        }
        if preferred_language is not None:
            if preferred_language not in LANGUAGES:
                raise Invalid(N_("Please choose one of the languages Golden Thread speaks."))
            values["preferred_language"] = preferred_language
        save_edit(
            session,
            actor,
            family,
            Family,
            family_id,
            seen_version,
            values,
            what=N_("the family's details"),
        )


def team_workers(actor: Actor, family_id: int) -> pd.DataFrame:
    """Workers of the family's team who could work with them (for assigning and handovers)."""
    with family_read(actor, family_id) as (session, family):
        rows = session.exec(
            select(col(Worker.id), col(Worker.name))
            .join(WorkerTeam, col(WorkerTeam.worker_id) == Worker.id)
            .where(col(WorkerTeam.team_id) == family.team_id, col(Worker.is_active))
            .order_by(col(Worker.name))
        ).all()
    return pd.DataFrame(rows, columns=["worker_id", "name"])
