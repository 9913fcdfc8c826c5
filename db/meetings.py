"""Meetings, family group conferences, conversations and the family's plan: writes and reads.

Writes follow db.rules.writes' rules (validated, audited, one transaction); reads check access and
filter by audience, so a family-facing screen never receives what it may not show.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pandas as pd
from sqlmodel import Session, col, select

from db.i18n import N_
from db.rules import audit
from db.rules.access import Actor, family_read, refused, require_family
from db.rules.validation import (
    Invalid,
    RecordId,
    checked,
    choice,
    day,
    person_in_family,
    save_versioned,
    text,
    worker_in_team,
)
from db.rules.visibility import Audience, hidden_people
from db.rules.writes import (
    AlreadySaved,
    agreed_at,
    booked_by,
    changed,
    family_record,
    family_write,
    recently_created,
    refuse_repeat,
    save_edit,
    save_new,
)
from db.settings import LONG_TEXT
from db.store.clock import family_today, local_day, team_zone, utcnow
from db.store.engine import read_session, write_session
from db.store.ids import stored_id
from db.store.models import (
    ChildView,
    Conversation,
    ConversationColumn,
    ConversationItem,
    Family,
    Meeting,
    MeetingKind,
    MeetingPerson,
    MeetingStatus,
    Person,
    PlanStep,
    Team,
    Visibility,
    Worker,
)
from db.store.query import of_family, select_columns
from db.words import CONVERSATION_COLUMN, MEETING_KIND, MEETING_STATUS


@dataclass(frozen=True)
class ChildViewIn:
    person_id: int
    words: str
    visibility: str = Visibility.family.value


@dataclass(frozen=True)
class PlanStepIn:
    what: str
    who: str = ""
    by_when: date | None = None
    how_we_will_know: str = ""
    visibility: str = Visibility.family.value


@dataclass(frozen=True)
class MeetingIn:
    kind: str
    status: str
    starts_at: datetime  # aware; stored in UTC
    place: str = ""
    summary: str = ""
    written_together: bool = False
    invited: tuple[RecordId, ...] = ()  # people in the family's world
    came: tuple[RecordId, ...] = ()
    workers: tuple[RecordId, ...] = ()  # workers who came
    child_views: tuple[ChildViewIn, ...] = ()
    # A family group conference is a process, not just a meeting:
    coordinator: str = ""
    preparation_visits: int = 0
    private_family_time: bool = False
    plan_steps: tuple[PlanStepIn, ...] = ()
    if_plan_does_not_work: str = ""
    look_again_on: date | None = None


def _when(value: datetime) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise Invalid(N_("Please give the meeting's date and time."))
    return value


def _plan_step_values(session: Session, step: PlanStepIn, agreed_on: date) -> dict:
    by_when = day(step.by_when, N_("by when"), today=None) if step.by_when else None
    if by_when and by_when < agreed_on:
        raise Invalid(N_("A plan step can't be due before the day it was agreed."))
    return {
        "what": text(step.what, N_("what will happen"), limit=500),
        "who": text(step.who, N_("who will do it"), required=False, limit=200),
        "by_when": by_when,
        "how_we_will_know": text(
            step.how_we_will_know, N_("how we'll know"), required=False, limit=500
        ),
        "visibility": choice(Visibility, step.visibility, N_("who can see this step")),
    }


@checked
def record_meeting(actor: Actor, *, family_id: int, meeting: MeetingIn) -> int:
    """Records a meeting (and, for a conference, its plan and when to look at it again)."""
    with family_write(actor, family_id) as (session, family):
        kind = choice(MeetingKind, meeting.kind, N_("the kind of meeting"))
        status = choice(MeetingStatus, meeting.status, N_("whether it happened"))
        starts_at = _when(meeting.starts_at)
        if status == MeetingStatus.held and starts_at > utcnow() + timedelta(minutes=5):
            raise Invalid(
                N_("A meeting in the future can't have happened yet: mark it as planned.")
            )
        people = {
            p: person_in_family(session, family_id, p, N_("someone invited"))
            for p in {*meeting.invited, *meeting.came}
        }
        for person in people.values():
            if person.must_not_invite:
                raise Invalid(
                    N_("{name} must not be invited to meetings with this family.", name=person.name)
                )
        if not 0 <= int(meeting.preparation_visits) <= 50:
            raise Invalid(N_("Preparation visits should be a number from 0 to 50."))
        summary = text(meeting.summary, N_("the summary"), required=False, limit=LONG_TEXT)
        refuse_repeat(
            session,
            actor,
            family,
            Meeting,
            same={"kind": kind, "status": status, "starts_at": starts_at, "summary": summary},
        )
        row = Meeting(
            family_id=family_id,
            kind=kind,
            status=status,
            starts_at=starts_at,
            place=text(meeting.place, N_("where"), required=False),
            summary=summary,
            written_together=bool(meeting.written_together),
            coordinator=text(meeting.coordinator, N_("the coordinator"), required=False),
            preparation_visits=int(meeting.preparation_visits),
            private_family_time=bool(meeting.private_family_time),
            if_plan_does_not_work=text(
                meeting.if_plan_does_not_work,
                N_("what happens if the plan doesn't work"),
                required=False,
                limit=2000,
            ),
            look_again_on=day(
                meeting.look_again_on, N_("when to look at the plan again"), today=None
            )
            if meeting.look_again_on
            else None,
            recorded_by=actor.worker_id,
        )
        session.add(row)
        session.flush()
        for person_id in people:
            session.add(
                MeetingPerson(
                    meeting_id=stored_id(row),
                    person_id=person_id,
                    invited=person_id in meeting.invited,
                    came=person_id in meeting.came,
                )
            )
        for worker_id in set(meeting.workers):
            worker_in_team(session, worker_id, family.team_id)
            session.add(MeetingPerson(meeting_id=stored_id(row), worker_id=worker_id, came=True))
        _add_child_views(session, family_id, stored_id(row), meeting.child_views)
        meeting_day = local_day(starts_at, team_zone(session, family.team_id))
        for step in meeting.plan_steps:
            session.add(
                PlanStep(
                    family_id=family_id,
                    agreed_on=meeting_day,
                    meeting_id=row.id,
                    **_plan_step_values(session, step, meeting_day),
                )
            )
        if row.look_again_on:
            if row.look_again_on < meeting_day:
                raise Invalid(N_("Looking at the plan again has to be after the meeting."))
            session.add(_planned_catch_up(session, row, actor))
        changed(
            session,
            actor,
            family,
            audit.Action.CREATE,
            "meeting",
            row.id,
            [f for f, v in meeting.__dict__.items() if v not in ("", (), None, 0, False)],
        )
        return stored_id(row)


def _add_child_views(
    session: Session, family_id: int, meeting_id: int, views: tuple[ChildViewIn, ...]
) -> None:
    for view in views:
        person = person_in_family(session, family_id, view.person_id, N_("the child"))
        if person.relationship.value != "child":
            raise Invalid(
                N_(
                    "{name} isn't one of the children: a child's views are their own.",
                    name=person.name,
                )
            )
        session.add(
            ChildView(
                meeting_id=meeting_id,
                person_id=view.person_id,
                words=text(view.words, N_("{name}'s views", name=person.name), limit=2000),
                visibility=choice(Visibility, view.visibility, N_("who can see it")),
            )
        )


def _planned_catch_up(session: Session, conference: Meeting, actor: Actor) -> Meeting:
    from db.store.models import Family

    team = session.get_one(Team, session.get_one(Family, conference.family_id).team_id)
    on = typing.cast(date, conference.look_again_on)
    starts = datetime.combine(on, time(10, 0), ZoneInfo(team.time_zone)).astimezone(timezone.utc)
    return Meeting(
        family_id=conference.family_id,
        kind=MeetingKind.plan_catch_up,
        status=MeetingStatus.planned,
        starts_at=starts,
        place="To be agreed with the family",
        follows_meeting_id=conference.id,
        recorded_by=actor.worker_id,
    )


@checked
def update_meeting_notes(
    actor: Actor,
    *,
    meeting_id: int,
    seen_version: int,
    summary: str,
    status: str,
    written_together: bool,
) -> None:
    """Edits a meeting's summary and status; refused if someone else saved it first."""
    with write_session() as session:
        row, family = family_record(session, actor, Meeting, meeting_id)
        values = {
            "summary": text(summary, N_("the summary"), required=False, limit=LONG_TEXT),
            "status": choice(MeetingStatus, status, N_("whether it happened")),
            "written_together": bool(written_together),
        }
        if values["status"] == MeetingStatus.held and row.starts_at > utcnow():
            raise Invalid(N_("A meeting in the future can't have happened yet."))
        called_off = values["status"] == MeetingStatus.cancelled != row.status
        if called_off and agreed_at(session, meeting_id):
            raise Invalid(
                N_(
                    "Steps of the plan or a child's views were recorded at this meeting, so it "
                    "happened. If it was recorded by mistake, withdraw it instead."
                )
            )
        save_edit(
            session,
            actor,
            family,
            Meeting,
            meeting_id,
            seen_version,
            values,
            what=N_("this meeting"),
        )
        if called_off:
            for catch_up in booked_by(session, meeting_id):
                catch_up.status = MeetingStatus.cancelled
                catch_up.version += 1  # a form drawn before can't plan it again unseen
                session.add(catch_up)
                changed(
                    session, actor, family, audit.Action.UPDATE, "meeting", catch_up.id, ["status"]
                )


# --- conversations: what's going well, what's hard, what needs to happen -----------------


@dataclass(frozen=True)
class ItemIn:
    column: str
    words: str
    said_by_person_id: int | None = None
    visibility: str = Visibility.family.value


@checked
def add_conversation(
    actor: Actor,
    *,
    family_id: int,
    held_on: date,
    items: list[ItemIn],
    meeting_id: int | None = None,
) -> int:
    with family_write(actor, family_id) as (session, family):
        items = [i for i in items if str(i.words or "").strip()]
        if not items:
            raise Invalid(N_("Please write at least one thing that was said."))
        if meeting_id is not None:
            meeting = session.get(Meeting, meeting_id)
            if meeting is None or meeting.family_id != family_id:
                raise Invalid(N_("That meeting isn't one of this family's meetings."))
        _refuse_repeated_conversation(session, actor, family, items)
        row = Conversation(
            family_id=family_id,
            held_on=day(held_on, N_("the day you talked"), today=family_today(session, family)),
            meeting_id=meeting_id,
            recorded_by=actor.worker_id,
        )
        session.add(row)
        session.flush()
        for item in items:
            person_in_family(session, family_id, item.said_by_person_id, N_("who said it"))
            session.add(
                ConversationItem(
                    conversation_id=stored_id(row),
                    column=choice(ConversationColumn, item.column, N_("which column")),
                    words=text(item.words, N_("what was said"), limit=1000),
                    said_by_person_id=item.said_by_person_id,
                    visibility=choice(Visibility, item.visibility, N_("who can see it")),
                )
            )
        changed(session, actor, family, audit.Action.CREATE, "conversation", row.id, ["items"])
        return stored_id(row)


def _refuse_repeated_conversation(
    session: Session, actor: Actor, family, items: list[ItemIn]
) -> None:
    """The same things said, in the same columns, saved by this worker a moment ago: a repeated
    click on Save."""
    said = sorted((str(i.column), str(i.words).strip()) for i in items)
    recent: dict[int, list[tuple[str, str]]] = {}
    for conversation_id, column, words in session.exec(
        select(
            col(ConversationItem.conversation_id),
            col(ConversationItem.column),
            col(ConversationItem.words),
        ).where(
            col(ConversationItem.conversation_id).in_(
                recently_created(session, actor, family.id, "conversation")
            ),
            col(ConversationItem.withdrawn_at).is_(None),
        )
    ).all():
        recent.setdefault(conversation_id, []).append((column.value, words))
    if any(sorted(earlier) == said for earlier in recent.values()):
        raise AlreadySaved()


# --- the family's plan -------------------------------------------------------------------


@checked
def add_plan_step(
    actor: Actor, *, family_id: int, step: PlanStepIn, agreed_on: date | None = None
) -> int:
    with family_write(actor, family_id) as (session, family):
        today = family_today(session, family)
        agreed = day(agreed_on or today, N_("the day it was agreed"), today=today)
        values = _plan_step_values(session, step, agreed)
        refuse_repeat(session, actor, family, PlanStep, same={"what": values["what"]})
        row = PlanStep(family_id=family_id, agreed_on=agreed, **values)
        return save_new(session, actor, family, row, fields=values.keys())


@checked
def update_plan_step(
    actor: Actor, *, step_id: int, seen_version: int, step: PlanStepIn, done: bool
) -> None:
    """Changes a step of the plan; refused if someone else saved it since the form was drawn."""
    with write_session() as session:
        row, family = family_record(session, actor, PlanStep, step_id)
        values = _plan_step_values(session, step, row.agreed_on)
        values["done_on"] = (row.done_on or family_today(session, family)) if done else None
        save_edit(
            session,
            actor,
            family,
            PlanStep,
            step_id,
            seen_version,
            values,
            what=N_("this plan step"),
        )


# --- reads -------------------------------------------------------------------------------

PLAN_COLUMNS = [
    "step_id",
    "what",
    "who",
    "by_when",
    "how_we_will_know",
    "agreed_on",
    "done_on",
    "overdue",
    "visibility",
    "version",
    "family_word",  # ticked done, or added, by the family in their own space
]


def plan(
    actor: Actor, family_id: int, audience: str = Audience.STAFF, *, today: date | None = None
) -> pd.DataFrame:
    """The family's one plan, as far as the audience may see it: open steps first by when
    they're due, then what's done. Withdrawn steps are left out."""
    with family_read(actor, family_id) as (session, family):
        return plan_in(session, family, audience, today or family_today(session, family))


def plan_in(session: Session, family: Family, audience: str, today: date) -> pd.DataFrame:
    """The plan in the caller's session, after the caller's access check."""
    steps = session.exec(
        select(PlanStep)
        .where(
            col(PlanStep.family_id) == family.id,
            col(PlanStep.withdrawn_at).is_(None),
            col(PlanStep.visibility).in_(Audience.VISIBLE[Audience.check(audience)]),
        )
        .order_by(col(PlanStep.done_on).is_not(None), col(PlanStep.by_when), col(PlanStep.id))
    ).all()
    return pd.DataFrame(
        [
            {
                "step_id": s.id,
                "what": s.what,
                "who": s.who,
                "by_when": s.by_when,
                "how_we_will_know": s.how_we_will_know,
                "agreed_on": s.agreed_on,
                "done_on": s.done_on,
                "overdue": s.done_on is None and s.by_when is not None and s.by_when < today,
                "visibility": s.visibility.value,
                "version": s.version,
                "family_word": s.done_by_person_id is not None or s.added_by_person_id is not None,
            }
            for s in steps
        ],
        columns=PLAN_COLUMNS,
    )


@dataclass(frozen=True)
class PlanFollowUp:
    """What the family agreed happens if the plan doesn't work, and when everyone looks at it
    again: from the latest family group conference that recorded either."""

    if_plan_does_not_work: str = ""
    look_again_on: date | None = None


def plan_follow_up(actor: Actor, family_id: int) -> PlanFollowUp:
    with family_read(actor, family_id) as (session, _family):
        return plan_follow_up_in(session, family_id)


def plan_follow_up_in(session: Session, family_id: int) -> PlanFollowUp:
    """The follow-up in the caller's session, after the caller's access check."""
    latest = session.exec(
        of_family(
            Meeting,
            family_id,
            col(Meeting.kind) == MeetingKind.family_group_conference,
            col(Meeting.status) != MeetingStatus.cancelled,
            col(Meeting.withdrawn_at).is_(None),
            (col(Meeting.if_plan_does_not_work) != "") | col(Meeting.look_again_on).is_not(None),
        ).order_by(col(Meeting.starts_at).desc(), col(Meeting.id).desc())
    ).first()
    if latest is None:
        return PlanFollowUp()
    return PlanFollowUp(latest.if_plan_does_not_work, latest.look_again_on)


CONVERSATION_COLUMNS = [
    "conversation_id",
    "held_on",
    "item_id",
    "column",
    "column_words",
    "words",
    "said_by",
    "said_by_person_id",
    "visibility",
    "version",
]


def conversations(actor: Actor, family_id: int, audience: str = Audience.STAFF) -> pd.DataFrame:
    with family_read(actor, family_id) as (session, _family):
        return conversations_in(session, family_id, audience)


def conversations_in(session: Session, family_id: int, audience: str) -> pd.DataFrame:
    """The conversations in the caller's session, after the caller's access check."""
    hidden = hidden_people(session, family_id, audience)
    rows = session.exec(
        select_columns(
            col(Conversation.id),
            col(Conversation.held_on),
            ConversationItem,
            col(Person.name),
            col(Conversation.version),
        )
        .join(ConversationItem, col(ConversationItem.conversation_id) == Conversation.id)
        .join(Person, col(Person.id) == ConversationItem.said_by_person_id, isouter=True)
        .where(
            col(Conversation.family_id) == family_id,
            col(ConversationItem.withdrawn_at).is_(None),
            col(ConversationItem.visibility).in_(Audience.VISIBLE[Audience.check(audience)]),
        )
        # Newest conversation first (two on one day: the later one), its items as said.
        .order_by(
            col(Conversation.held_on).desc(), col(Conversation.id).desc(), col(ConversationItem.id)
        )
    ).all()
    return pd.DataFrame(
        [
            {
                "conversation_id": cid,
                "held_on": held_on,
                "item_id": item.id,
                "column": item.column.value,
                "column_words": CONVERSATION_COLUMN[item.column],
                "words": item.words,
                "said_by": name or "",
                "said_by_person_id": item.said_by_person_id,
                "visibility": item.visibility.value,
                "version": version,
            }
            for cid, held_on, item, name, version in rows
            if item.said_by_person_id not in hidden
        ],
        columns=CONVERSATION_COLUMNS,
    )


def child_views(actor: Actor, family_id: int, audience: str = Audience.STAFF) -> pd.DataFrame:
    with family_read(actor, family_id) as (session, family):
        return child_views_in(session, family, audience)


def child_views_in(session: Session, family: Family, audience: str) -> pd.DataFrame:
    """The children's views in the caller's session, after the caller's access check."""
    family_id = stored_id(family)
    zone = session.get_one(Team, family.team_id).time_zone
    hidden = hidden_people(session, family_id, audience)
    rows = session.exec(
        select(ChildView, col(Person.name), col(Meeting.starts_at))
        .join(Person, col(Person.id) == ChildView.person_id)
        .join(Meeting, col(Meeting.id) == ChildView.meeting_id)
        .where(
            col(Meeting.family_id) == family_id,
            col(Meeting.withdrawn_at).is_(None),
            col(ChildView.visibility).in_(Audience.VISIBLE[Audience.check(audience)]),
        )
        .order_by(col(Meeting.starts_at).desc())
    ).all()
    return pd.DataFrame(
        [
            {
                "child": name,
                "words": view.words,
                "on": local_day(starts_at, zone),
                "visibility": view.visibility.value,
            }
            for view, name, starts_at in rows
            if view.person_id not in hidden
        ],
        columns=["child", "words", "on", "visibility"],
    )


@dataclass(frozen=True)
class MeetingDetail:
    meeting: Meeting
    family_name: str
    time_zone: str
    came: list[str] = field(default_factory=list)
    invited_only: list[str] = field(default_factory=list)
    child_views: list[tuple[str, str]] = field(default_factory=list)
    plan_steps: list[PlanStep] = field(default_factory=list)


def meeting_detail(actor: Actor, meeting_id: int) -> MeetingDetail:
    with read_session() as session:
        meeting = session.get(Meeting, meeting_id)
        if meeting is None:
            raise refused(actor, what="meeting", record_id=meeting_id)
        family = require_family(session, actor, meeting.family_id)
        team = session.get_one(Team, family.team_id)
        attendees = session.exec(
            select(MeetingPerson, col(Person.name), col(Worker.name))
            .join(Person, col(Person.id) == MeetingPerson.person_id, isouter=True)
            .join(Worker, col(Worker.id) == MeetingPerson.worker_id, isouter=True)
            .where(col(MeetingPerson.meeting_id) == meeting_id)
        ).all()
        views = session.exec(
            select(col(Person.name), col(ChildView.words))
            .join(ChildView, col(ChildView.person_id) == Person.id)
            .where(col(ChildView.meeting_id) == meeting_id)
        ).all()
        steps = session.exec(
            select(PlanStep)
            .where(col(PlanStep.meeting_id) == meeting_id, col(PlanStep.withdrawn_at).is_(None))
            .order_by(col(PlanStep.id))
        ).all()
    return MeetingDetail(
        meeting=meeting,
        family_name=family.known_as,
        time_zone=team.time_zone,
        came=[person or f"{worker} (worker)" for link, person, worker in attendees if link.came],
        invited_only=[
            person or worker for link, person, worker in attendees if link.invited and not link.came
        ],
        child_views=list(views),
        plan_steps=list(steps),
    )


def case_note(detail: MeetingDetail) -> str:
    """A meeting as plain text, ready to paste into the council's own system."""
    m = detail.meeting
    local = m.starts_at.astimezone(ZoneInfo(detail.time_zone))
    lines = [
        f"{MEETING_KIND[m.kind]} with {detail.family_name}",
        f"When: {local:%A %-d %B %Y, %H:%M}",
        f"Status: {MEETING_STATUS[m.status]}",
    ]
    if m.place:
        lines.append(f"Where: {m.place}")
    if detail.came:
        lines.append(f"Who came: {', '.join(detail.came)}")
    if detail.invited_only:
        lines.append(f"Invited but couldn't come: {', '.join(detail.invited_only)}")
    if m.kind == MeetingKind.family_group_conference:
        lines += [
            f"Independent coordinator: {m.coordinator or 'not recorded'}",
            f"Preparation visits: {m.preparation_visits}",
            f"Private family time: {'yes' if m.private_family_time else 'no'}",
        ]
    if m.summary:
        lines += ["", "Summary:", m.summary]
    for child, words in detail.child_views:
        lines.append(f'{child}\'s views, in their own words: "{words}"')
    if detail.plan_steps:
        lines += ["", "The family's plan:"]
        for step in detail.plan_steps:
            due = f" by {step.by_when:%-d %B %Y}" if step.by_when else ""
            who = f" ({step.who})" if step.who else ""
            lines.append(f"- {step.what}{who}{due}")
    if m.if_plan_does_not_work:
        lines.append(f"If the plan doesn't work: {m.if_plan_does_not_work}")
    if m.look_again_on:
        lines.append(f"We'll look at the plan again on {m.look_again_on:%-d %B %Y}.")
    if m.written_together:
        lines.append("We wrote this together with the family.")
    return "\n".join(lines)


@checked
def update_conversation_item(
    actor: Actor, *, item_id: int, seen_version: int, words: str, visibility: str
) -> None:
    """Corrects something said, in the speaker's words; refused if the conversation was saved
    by someone else since the form was drawn (the conversation's version guards its items)."""
    with write_session() as session:
        item = session.get(ConversationItem, item_id)
        if item is None:
            raise refused(actor, what="conversationitem", record_id=item_id)
        conversation, family = family_record(session, actor, Conversation, item.conversation_id)
        values = {
            "words": text(words, N_("what was said"), limit=1000),
            "visibility": choice(Visibility, visibility, N_("who can see it")),
        }
        save_versioned(
            session, Conversation, conversation.id, seen_version, {}, N_("this conversation")
        )
        for key, value in values.items():
            setattr(item, key, value)
        session.add(item)
        changed(
            session, actor, family, audit.Action.UPDATE, "conversation_item", item_id, values.keys()
        )
