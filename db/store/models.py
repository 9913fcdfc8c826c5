"""The tables behind Golden Thread.

Integrity lives in the database, not only in forms: foreign keys, scores between 0 and 10,
enums stored as checked strings, wording that cannot be blank, and times stored in UTC.
Nothing is hard-deleted from the screens; changes of status are new dated rows.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from db.settings import DEFAULT_TIME_ZONE
from db.store.clock import today_in, utcnow
from db.store.types import UTCDateTime, checked_enum

# Stable constraint names, so migrations can find and change them later.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# --- enums (stored values; what people see lives in db/words.py) ---------------------------


class Role(enum.StrEnum):
    practitioner = "practitioner"
    manager = "manager"
    admin = "admin"
    # A parent, carer or young person with a login to their family's own space: bound to one
    # family and one person (FamilyLogin), never a staff page.
    family_member = "family_member"


class FamilyStatus(enum.StrEnum):
    waiting = "waiting"
    working_together = "working_together"
    keeping_in_touch = "keeping_in_touch"
    closed = "closed"


class Rhythm(enum.StrEnum):
    weekly = "weekly"
    fortnightly = "fortnightly"
    monthly = "monthly"
    every_two_months = "every_two_months"


class Relationship(enum.StrEnum):
    child = "child"
    parent = "parent"
    carer = "carer"
    grandparent = "grandparent"
    brother_or_sister = "brother_or_sister"
    other_family = "other_family"
    friend = "friend"
    neighbour = "neighbour"
    professional = "professional"


class RelationshipRole(enum.StrEnum):
    lead = "lead"
    supporting = "supporting"


class EndReason(enum.StrEnum):
    worker_left = "worker_left"
    sickness = "sickness"
    team_change = "team_change"
    family_asked = "family_asked"
    family_closed = "family_closed"


class MeetingKind(enum.StrEnum):
    home_visit = "home_visit"
    call = "call"
    family_meeting = "family_meeting"
    family_group_conference = "family_group_conference"
    plan_catch_up = "plan_catch_up"
    group_session = "group_session"
    other = "other"


class MeetingStatus(enum.StrEnum):
    planned = "planned"
    held = "held"
    cancelled = "cancelled"


class Visibility(enum.StrEnum):
    """Agreed with the person who said it: who may see it on a shared screen or in a copy."""

    everyone = "everyone"  # the whole network at a conference
    family = "family"  # the household
    private = "private"  # the person and their workers


class ConversationColumn(enum.StrEnum):
    going_well = "going_well"
    hard = "hard"
    needs_to_happen = "needs_to_happen"


class GoalStatus(enum.StrEnum):
    working_on_it = "working_on_it"
    achieved = "achieved"
    set_aside = "set_aside"


class HelpKind(enum.StrEnum):
    food = "food"
    money = "money"
    grant = "grant"
    debt_advice = "debt_advice"
    housing = "housing"
    equipment = "equipment"
    other = "other"


class NoteKind(enum.StrEnum):
    huddle = "huddle"
    oversight = "oversight"
    worry_shared = "worry_shared"


class RecordsRequestStatus(enum.StrEnum):
    asked = "asked"  # recorded by an admin, waiting for a manager of the family's team
    approved = "approved"
    refused = "refused"
    prepared = "prepared"  # the copy was made once; another copy needs another request


class LoginOutcome(enum.StrEnum):
    checking = "checking"  # a slot taken before the password check, which runs outside any lock
    succeeded = "succeeded"
    failed = "failed"
    paused = "paused"  # refused unchecked: the username was paused for this source or everyone


def _not_blank(column: str) -> CheckConstraint:
    return CheckConstraint(f"length(trim({column})) > 0", name=f"{column}_not_blank")


def _withdrawn_reason_given() -> CheckConstraint:
    return CheckConstraint(
        "withdrawn_at IS NULL OR length(trim(withdrawn_reason)) > 0", name="withdrawn_with_reason"
    )


def _when(*, nullable: bool = False, default=True):
    return Field(
        default_factory=utcnow if default else None, sa_type=UTCDateTime(), nullable=nullable
    )


# --- people who use Golden Thread ---------------------------------------------------------


class Team(SQLModel, table=True):
    __table_args__ = (_not_blank("name"),)
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=120)
    community: str = Field(default="", max_length=200)
    time_zone: str = Field(default=DEFAULT_TIME_ZONE, max_length=64)
    # Bumped by every write to any of the team's families: team-wide caches key on it.
    data_version: int = Field(default=0)


class TeamTerm(SQLModel, table=True):
    """A word a team says its own way ("hui" for a family meeting), in one language; the
    catalogue's word is used wherever a team has none (db/i18n.py TERMS)."""

    __table_args__ = (UniqueConstraint("team_id", "term", "language"), _not_blank("words"))
    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id")
    term: str = Field(max_length=32)
    language: str = Field(max_length=8)
    words: str = Field(max_length=60)
    version: int = Field(default=1)


class Worker(SQLModel, table=True):
    __table_args__ = (
        _not_blank("name"),
        _not_blank("username"),
        # Single sign-on matches a person to a worker by email, whatever its case: stored
        # lower-case, so the unique constraint is case-insensitive.
        CheckConstraint("email = lower(email)", name="email_lower_case"),
    )
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    username: str = Field(unique=True, max_length=64)
    # The work email single sign-on matches (stored lower-case); None: no single sign-on.
    email: str | None = Field(default=None, max_length=254, unique=True)
    password_hash: str = Field(max_length=200)
    is_active: bool = Field(default=True)
    active_from: date = Field(default_factory=today_in)  # the default zone's day: no team yet
    active_until: date | None = None
    must_change_password: bool = Field(default=False)
    sessions_valid_after: datetime = _when()
    plain_language_hints: bool = Field(default=True)
    # The language the worker's own screens speak (db/i18n.py LANGUAGES).
    language: str = Field(default="en", max_length=8)
    is_demo: bool = Field(default=False)
    # Guards an admin's edit (name, roles, teams) against another admin's save in between.
    version: int = Field(default=1)


class WorkerRole(SQLModel, table=True):
    worker_id: int = Field(foreign_key="worker.id", primary_key=True)
    role: Role = Field(sa_type=checked_enum(Role), primary_key=True)


class WorkerTeam(SQLModel, table=True):
    worker_id: int = Field(foreign_key="worker.id", primary_key=True)
    team_id: int = Field(foreign_key="team.id", primary_key=True, index=True)
    leads: bool = Field(default=False)


# --- families and the people in their world -----------------------------------------------


class Family(SQLModel, table=True):
    __table_args__ = (_not_blank("known_as"), Index("ix_family_team_status", "team_id", "status"))
    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id")
    known_as: str = Field(max_length=120)
    first_came_on: date
    rhythm: Rhythm = Field(default=Rhythm.fortnightly, sa_type=checked_enum(Rhythm))
    council_reference: str = Field(default="", max_length=60)
    # How they came to us, in a worker's words (their school suggested us, they asked themselves).
    how_they_came: str = Field(default="", max_length=300)
    # The language the family's own screens and copies speak (db/i18n.py LANGUAGES), whatever
    # the worker's.
    preferred_language: str = Field(default="en", max_length=8)
    # The latest row of FamilyStatusChange, kept here so lists need no history scan.
    status: FamilyStatus = Field(default=FamilyStatus.waiting, sa_type=checked_enum(FamilyStatus))
    is_demo: bool = Field(default=False)
    erased_at: datetime | None = _when(nullable=True, default=False)
    # Bumped by every write about this family: caches of its page key on it.
    data_version: int = Field(default=0)
    # Bumped when the family's own details change; guards against lost edits.
    version: int = Field(default=1)


class FamilyStatusChange(SQLModel, table=True):
    __table_args__ = (
        Index("ix_familystatuschange_family_on", "family_id", "changed_on"),
        Index("ix_familystatuschange_status_on", "status", "changed_on"),
    )
    id: int | None = Field(default=None, primary_key=True)
    family_id: int = Field(foreign_key="family.id")
    status: FamilyStatus = Field(sa_type=checked_enum(FamilyStatus))
    changed_on: date
    recorded_by: int | None = Field(default=None, foreign_key="worker.id")
    recorded_at: datetime = _when()


class Person(SQLModel, table=True):
    __table_args__ = (
        _not_blank("name"),
        CheckConstraint(
            "birth_year IS NULL OR birth_year BETWEEN 1900 AND 2100", name="birth_year_plausible"
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    family_id: int = Field(foreign_key="family.id", index=True)
    name: str = Field(max_length=120)
    relationship: Relationship = Field(sa_type=checked_enum(Relationship))
    organisation: str = Field(default="", max_length=120)
    birth_year: int | None = None
    in_household: bool = Field(default=True)
    how_they_help: str = Field(default="", max_length=500)
    language: str = Field(default="English", max_length=60)
    needs_interpreter: bool = Field(default=False)
    must_not_invite: bool = Field(default=False)
    must_not_see_plan: bool = Field(default=False)
    # Guards against lost edits: the version seen when the form was drawn must still be current.
    version: int = Field(default=1)


class KeepingSafe(SQLModel, table=True):
    """Never shown on a shared screen or in any copy."""

    id: int | None = Field(default=None, primary_key=True)
    family_id: int = Field(foreign_key="family.id", unique=True)
    safe_phone: str = Field(default="", max_length=40)
    ok_to_leave_messages: bool = Field(default=False)
    never_show: str = Field(default="", max_length=1000)
    updated_at: datetime = _when()
    # Guards against lost edits: the version seen when the form was drawn must still be current.
    version: int = Field(default=1)


class Agreement(SQLModel, table=True):
    __table_args__ = (_not_blank("what"),)
    id: int | None = Field(default=None, primary_key=True)
    family_id: int = Field(foreign_key="family.id", index=True)
    what: str = Field(max_length=500)
    with_whom: str = Field(default="", max_length=200)
    agreed_on: date
    last_checked_on: date


class WorkerRelationship(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="ends_after_start"),
        Index("ix_workerrelationship_family_started", "family_id", "started_on"),
    )
    id: int | None = Field(default=None, primary_key=True)
    family_id: int = Field(foreign_key="family.id")
    worker_id: int = Field(foreign_key="worker.id", index=True)
    role: RelationshipRole = Field(sa_type=checked_enum(RelationshipRole))
    started_on: date
    ended_on: date | None = None
    chosen_by_family: bool = Field(default=False)
    end_reason: EndReason | None = Field(default=None, sa_type=checked_enum(EndReason))


class WorkerOffer(SQLModel, table=True):
    """A worker the family met when they chose theirs: one row per worker offered on that day;
    the one they chose points at the relationship it began, so continuity can ask how often
    families had a choice and how long chosen relationships last."""

    __table_args__ = (
        CheckConstraint(
            "chosen = (relationship_id IS NOT NULL)", name="chosen_starts_relationship"
        ),
        Index("ix_workeroffer_family_offered", "family_id", "offered_on"),
    )
    id: int | None = Field(default=None, primary_key=True)
    family_id: int = Field(foreign_key="family.id")
    worker_id: int = Field(foreign_key="worker.id", index=True)
    offered_on: date
    chosen: bool = Field(default=False)
    relationship_id: int | None = Field(default=None, foreign_key="workerrelationship.id")
    recorded_by: int | None = Field(default=None, foreign_key="worker.id")
    recorded_at: datetime = _when()


# --- what happens with a family ----------------------------------------------------------


class Meeting(SQLModel, table=True):
    __table_args__ = (
        Index("ix_meeting_family_starts", "family_id", "starts_at"),
        CheckConstraint("preparation_visits >= 0", name="preparation_visits_not_negative"),
        _withdrawn_reason_given(),
    )
    id: int | None = Field(default=None, primary_key=True)
    family_id: int = Field(foreign_key="family.id")
    kind: MeetingKind = Field(sa_type=checked_enum(MeetingKind))
    status: MeetingStatus = Field(sa_type=checked_enum(MeetingStatus))
    starts_at: datetime = Field(sa_type=UTCDateTime())
    place: str = Field(default="", max_length=200)
    summary: str = Field(default="", max_length=5000)
    written_together: bool = Field(default=False)
    # Family group conference: the process around the meeting.
    coordinator: str = Field(default="", max_length=120)
    preparation_visits: int = Field(default=0)
    private_family_time: bool = Field(default=False)
    if_plan_does_not_work: str = Field(default="", max_length=2000)
    look_again_on: date | None = None
    # A catch-up on the plan booked by a family group conference: the conference it follows,
    # so the catch-up goes when the conference is withdrawn or called off.
    follows_meeting_id: int | None = Field(default=None, foreign_key="meeting.id")
    recorded_by: int | None = Field(default=None, foreign_key="worker.id")
    version: int = Field(default=1)
    # Recorded by mistake: withdrawn records leave every view and count but stay in the
    # record's history and in a copy of everything held, marked as withdrawn.
    withdrawn_at: datetime | None = _when(nullable=True, default=False)
    withdrawn_by: int | None = Field(default=None, foreign_key="worker.id")
    withdrawn_reason: str = Field(default="", max_length=300)


class MeetingPerson(SQLModel, table=True):
    """Someone invited to (and perhaps at) a meeting: a person in the family's world or a worker."""

    __table_args__ = (
        CheckConstraint("(person_id IS NULL) <> (worker_id IS NULL)", name="one_attendee"),
        UniqueConstraint("meeting_id", "person_id", "worker_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id")
    worker_id: int | None = Field(default=None, foreign_key="worker.id")
    invited: bool = Field(default=True)
    came: bool = Field(default=False)


class ChildView(SQLModel, table=True):
    """A child's own views, in their own words."""

    __table_args__ = (_not_blank("words"),)
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    person_id: int = Field(foreign_key="person.id")
    words: str = Field(max_length=2000)
    visibility: Visibility = Field(default=Visibility.family, sa_type=checked_enum(Visibility))


class Conversation(SQLModel, table=True):
    """What's going well, what's hard, what needs to happen."""

    __table_args__ = (Index("ix_conversation_family_held", "family_id", "held_on"),)
    id: int | None = Field(default=None, primary_key=True)
    family_id: int = Field(foreign_key="family.id")
    held_on: date
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id")
    recorded_by: int | None = Field(default=None, foreign_key="worker.id")
    version: int = Field(default=1)


class ConversationItem(SQLModel, table=True):
    __table_args__ = (_not_blank("words"), _withdrawn_reason_given())
    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id", index=True)
    column: ConversationColumn = Field(sa_type=checked_enum(ConversationColumn))
    words: str = Field(max_length=1000)
    said_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    visibility: Visibility = Field(default=Visibility.family, sa_type=checked_enum(Visibility))
    # Recorded by mistake: withdrawn records leave every view and count but stay in the
    # record's history and in a copy of everything held, marked as withdrawn.
    withdrawn_at: datetime | None = _when(nullable=True, default=False)
    withdrawn_by: int | None = Field(default=None, foreign_key="worker.id")
    withdrawn_reason: str = Field(default="", max_length=300)


class Goal(SQLModel, table=True):
    __table_args__ = (_not_blank("wording"), _withdrawn_reason_given())
    id: int | None = Field(default=None, primary_key=True)
    family_id: int = Field(foreign_key="family.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id")  # None: whole family
    wording: str = Field(max_length=300)
    zero_means: str = Field(default="", max_length=300)
    ten_means: str = Field(default="", max_length=300)
    visibility: Visibility = Field(default=Visibility.family, sa_type=checked_enum(Visibility))
    status: GoalStatus = Field(default=GoalStatus.working_on_it, sa_type=checked_enum(GoalStatus))
    status_reason: str = Field(default="", max_length=500)
    set_on: date
    from_item_id: int | None = Field(default=None, foreign_key="conversationitem.id")
    version: int = Field(default=1)
    # Recorded by mistake: withdrawn records leave every view and count but stay in the
    # record's history and in a copy of everything held, marked as withdrawn.
    withdrawn_at: datetime | None = _when(nullable=True, default=False)
    withdrawn_by: int | None = Field(default=None, foreign_key="worker.id")
    withdrawn_reason: str = Field(default="", max_length=300)


class ScoreRound(SQLModel, table=True):
    """One sitting of scores; its token makes a double submit store once."""

    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(unique=True, max_length=64)
    family_id: int = Field(foreign_key="family.id", index=True)
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id")
    scored_on: date
    recorded_by: int | None = Field(default=None, foreign_key="worker.id")
    recorded_at: datetime = _when()
    # Scored by the family themselves in their own space, away from a meeting.
    at_home: bool = Field(default=False)


class GoalScore(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint("score BETWEEN 0 AND 10", name="score_0_to_10"),
        CheckConstraint("(person_id IS NULL) <> (worker_id IS NULL)", name="one_scorer"),
        Index("ix_goalscore_goal_scored", "goal_id", "scored_on"),
    )
    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="scoreround.id", index=True)
    goal_id: int = Field(foreign_key="goal.id")
    scored_on: date
    score: int
    person_id: int | None = Field(default=None, foreign_key="person.id")
    # A worker's own view: recorded openly, visible to the family like the rest of the goal.
    worker_id: int | None = Field(default=None, foreign_key="worker.id")
    comment: str = Field(default="", max_length=500)


class PlanStep(SQLModel, table=True):
    """A step of the family's one plan."""

    __table_args__ = (
        _not_blank("what"),
        CheckConstraint("by_when IS NULL OR by_when >= agreed_on", name="due_after_agreed"),
        Index("ix_planstep_family_by_when", "family_id", "by_when"),
        _withdrawn_reason_given(),
    )
    id: int | None = Field(default=None, primary_key=True)
    family_id: int = Field(foreign_key="family.id")
    what: str = Field(max_length=500)
    who: str = Field(default="", max_length=200)
    by_when: date | None = None
    how_we_will_know: str = Field(default="", max_length=500)
    agreed_on: date
    done_on: date | None = None
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id")
    # The family's own word, from their own space: who ticked it done, who added it.
    done_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    added_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    # Agreed with the family, as for goals: a debt-advice step is not for the whole network.
    visibility: Visibility = Field(default=Visibility.family, sa_type=checked_enum(Visibility))
    version: int = Field(default=1)
    # Recorded by mistake: withdrawn records leave every view and count but stay in the
    # record's history and in a copy of everything held, marked as withdrawn.
    withdrawn_at: datetime | None = _when(nullable=True, default=False)
    withdrawn_by: int | None = Field(default=None, foreign_key="worker.id")
    withdrawn_reason: str = Field(default="", max_length=300)


class PracticalHelp(SQLModel, table=True):
    __table_args__ = (_not_blank("what"),)
    id: int | None = Field(default=None, primary_key=True)
    family_id: int = Field(foreign_key="family.id", index=True)
    kind: HelpKind = Field(sa_type=checked_enum(HelpKind))
    what: str = Field(max_length=300)
    given_on: date
    who_from: str = Field(default="", max_length=200)


class Note(SQLModel, table=True):
    """Staff-only notes: huddle notes, a manager's oversight, a worry shared with social work."""

    __table_args__ = (
        _not_blank("words"),
        Index("ix_note_family_written", "family_id", "written_on"),
    )
    id: int | None = Field(default=None, primary_key=True)
    family_id: int = Field(foreign_key="family.id")
    kind: NoteKind = Field(sa_type=checked_enum(NoteKind))
    words: str = Field(max_length=2000)
    written_on: date
    written_by: int | None = Field(default=None, foreign_key="worker.id")
    shared_with: str = Field(default="", max_length=200)
    next_steps: str = Field(default="", max_length=1000)


class Huddle(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("team_id", "held_on"),)
    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id")
    held_on: date
    held_by: int | None = Field(default=None, foreign_key="worker.id")


class HuddleFamily(SQLModel, table=True):
    """A family talked about at a huddle, and any action agreed for a worker."""

    id: int | None = Field(default=None, primary_key=True)
    huddle_id: int = Field(foreign_key="huddle.id", index=True)
    family_id: int = Field(foreign_key="family.id", index=True)
    action: str = Field(default="", max_length=500)
    action_worker_id: int | None = Field(default=None, foreign_key="worker.id")
    action_by: date | None = None


# --- keeping the records safe --------------------------------------------------------------


class RecordsRequest(SQLModel, table=True):
    """A family's request for a copy of everything we hold about them. An admin records it;
    a second person, a manager who leads the family's team, approves or refuses it; only then
    can the copy be prepared."""

    __table_args__ = (
        _not_blank("asked_by_whom"),
        CheckConstraint("decided_by IS NULL OR decided_by <> recorded_by", name="second_person"),
        CheckConstraint("(status = 'asked') = (decided_by IS NULL)", name="decided_unless_asked"),
        Index("ix_recordsrequest_family_status", "family_id", "status"),
    )
    id: int | None = Field(default=None, primary_key=True)
    family_id: int = Field(foreign_key="family.id")
    # Who made the request and how, as the admin recorded it (e.g. "Mum, by letter").
    asked_by_whom: str = Field(max_length=200)
    asked_on: date
    recorded_by: int = Field(foreign_key="worker.id")
    recorded_at: datetime = _when()
    status: RecordsRequestStatus = Field(
        default=RecordsRequestStatus.asked, sa_type=checked_enum(RecordsRequestStatus)
    )
    decided_by: int | None = Field(default=None, foreign_key="worker.id")
    decided_at: datetime | None = _when(nullable=True, default=False)
    refused_because: str = Field(default="", max_length=500)
    prepared_by: int | None = Field(default=None, foreign_key="worker.id")
    prepared_at: datetime | None = _when(nullable=True, default=False)


class AuditEvent(SQLModel, table=True):
    """Append-only. Names and ids, never values, so erasing a record leaves nothing here."""

    __table_args__ = (
        Index("ix_auditevent_family_at", "family_id", "at"),
        Index("ix_auditevent_worker_at", "worker_id", "at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _when()
    worker_id: int | None = Field(default=None, foreign_key="worker.id")
    username: str = Field(default="", max_length=64)
    roles: str = Field(default="", max_length=60)
    action: str = Field(max_length=40)
    family_id: int | None = Field(default=None, foreign_key="family.id")
    record_type: str = Field(default="", max_length=40)
    record_id: int | None = None
    fields: str = Field(default="", max_length=500)


class LoginAttempt(SQLModel, table=True):
    """One try at logging in. A username that matches no worker is stored as a hash (people
    type passwords into the username box); source is the connection's address, "" if unknown."""

    __table_args__ = (Index("ix_loginattempt_username_at", "username", "at"),)
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64)
    source: str = Field(default="", max_length=64)
    at: datetime = _when()
    outcome: LoginOutcome = Field(sa_type=checked_enum(LoginOutcome))


class LoginSession(SQLModel, table=True):
    """A login and the re-login cookie it wrote (the cookie carries this id, signed). Once
    ended — logout, idle, too long, or ended elsewhere — the cookie can't bring it back."""

    id: str = Field(primary_key=True, max_length=64)
    worker_id: int = Field(foreign_key="worker.id", index=True)
    started_at: datetime = _when()
    ended_at: datetime | None = _when(nullable=True, default=False)
    # When the login was last used (saved at most about once a minute; until then, its start):
    # a tab closed while idle leaves a cookie that must not outlast the idle logout.
    last_active_at: datetime | None = _when(nullable=True, default=False)
    # The family meeting screen this login has open with the family in the room: until the
    # worker's password takes it back, every page of this login (a reload too) shows only it.
    screen_family_id: int | None = Field(default=None)
    screen_audience: str | None = Field(default=None, max_length=20)
    screen_language: str | None = Field(default=None, max_length=10)


class HintSeen(SQLModel, table=True):
    """A plain-language hint is shown once per worker and term."""

    worker_id: int = Field(foreign_key="worker.id", primary_key=True)
    term: str = Field(primary_key=True, max_length=60)


# --- the family's own space ---------------------------------------------------------------


class FamilyInvitation(SQLModel, table=True):
    """A one-time code a worker gives a family member (in a text message or on paper). Only
    its hash is stored; it works once, before it expires, unless the worker withdrew it."""

    id: int | None = Field(default=None, primary_key=True)
    code_hash: str = Field(unique=True, max_length=64)
    family_id: int = Field(foreign_key="family.id", index=True)
    person_id: int = Field(foreign_key="person.id")
    young_person: bool = Field(default=False)
    # A young person's login needs the child's own agreement, recorded by the worker.
    child_agreed: bool = Field(default=False)
    created_by: int = Field(foreign_key="worker.id")
    created_at: datetime = _when()
    expires_at: datetime = Field(sa_type=UTCDateTime())
    used_at: datetime | None = _when(nullable=True, default=False)
    withdrawn_at: datetime | None = _when(nullable=True, default=False)


class FamilyLogin(SQLModel, table=True):
    """A family member's login: a worker-table account (role family_member) bound to one family
    and one person. Paused or ended by their worker at once (the account stops being active)."""

    __table_args__ = (CheckConstraint("NOT (young_person AND NOT child_agreed)", name="agreed"),)
    worker_id: int = Field(foreign_key="worker.id", primary_key=True)
    family_id: int = Field(foreign_key="family.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    young_person: bool = Field(default=False)
    child_agreed: bool = Field(default=False)
    invitation_id: int | None = Field(default=None, foreign_key="familyinvitation.id")
    started_at: datetime = _when()
    last_used_at: datetime | None = _when(nullable=True, default=False)
    paused: bool = Field(default=False)
    ended_at: datetime | None = _when(nullable=True, default=False)
    version: int = Field(default=1)


class FamilyMessage(SQLModel, table=True):
    """A few words a family member sends their worker from their own space."""

    __table_args__ = (
        _not_blank("words"),
        Index("ix_familymessage_family_sent", "family_id", "sent_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    family_id: int = Field(foreign_key="family.id")
    person_id: int = Field(foreign_key="person.id")
    words: str = Field(max_length=500)
    sent_at: datetime = _when()


class DemoInfo(SQLModel, table=True):
    """Present only in a demo database: when it was made and from which seed."""

    id: int | None = Field(default=None, primary_key=True)
    made_at: datetime = _when()
    seed: int
    families: int


__all__ = [name for name in dir() if not name.startswith("_")]
