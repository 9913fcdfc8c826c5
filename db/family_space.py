"""The family's own space: a family member's login (invited by their worker with a one-time
code), what they see of their own family (only items shared with them), and what they do
there — score their goals at home, tick off plan steps or add one they took, and send their
worker a few words. Also what the team sees of it: who has a login, messages, and which
families were heard from through their space.

A family member's login is a worker-table account with the role family_member, bound to one
family and one person by FamilyLogin, so logging in, lockout, cookies and ending sessions are
the workers' own machinery (db.auth). Every read and write here for a family member starts
with `require_own_family`; every staff one with `require_family` or the team rules, which a
family member never passes.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pandas as pd
from sqlmodel import Session, col, func, select

from db.auth import end_every_session, hash_password, password_problem
from db.families import family_terms_in
from db.goals import goal_scores, goals_and_whose
from db.i18n import N_, joined, words_column
from db.rules import audit
from db.rules.access import (
    Actor,
    family_read,
    refused,
    require_case_team,
    require_family,
    require_led_team,
)
from db.rules.validation import Invalid, checked, max_chars, text, whole_number
from db.rules.visibility import Audience, hidden_people
from db.rules.writes import (
    AlreadySaved,
    changed,
    family_write,
    own_family_write,
    save_edit,
    save_new,
    touch,
)
from db.settings import INVITATION_DAYS, REPEAT_WINDOW_MINUTES
from db.store.clock import family_today, local_day, team_zone, utcnow
from db.store.engine import read_session, write_session
from db.store.ids import stored_id
from db.store.models import (
    ChildView,
    Conversation,
    ConversationColumn,
    ConversationItem,
    Family,
    FamilyInvitation,
    FamilyLogin,
    FamilyMessage,
    Goal,
    GoalScore,
    GoalStatus,
    Meeting,
    MeetingPerson,
    MeetingStatus,
    Person,
    PlanStep,
    Relationship,
    Role,
    ScoreRound,
    Visibility,
    Worker,
    WorkerRole,
)
from db.store.query import of_family
from db.words import MEETING_KIND

# What a family member reads when an invitation can't be used. Kind, and never saying which.
INVITATION_NOT_USABLE = N_(
    "This invitation can't be used any more: it may have been used already, or it has run "
    "out, or it was stopped. Please ask your worker for a new one. Nothing is wrong."
)
ALL_OF_US = N_("All of us")  # whose a goal of the whole family is
USERNAME_CHARACTERS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.strip().encode("utf-8", "replace")).hexdigest()


# --- the worker's side: inviting, and the logins of a family -----------------------------


def _is_young_person(person: Person, today: date) -> bool:
    """A child of the family, or anyone under 18 by their year of birth: their own login
    needs their own agreement, whether or not the worker thought to say so."""
    under_18 = person.birth_year is not None and today.year - person.birth_year < 18
    return person.relationship == Relationship.child or under_18


@checked
def invite_family_member(
    actor: Actor,
    *,
    family_id: int,
    person_id: int,
    young_person: bool = False,
    child_agreed: bool = False,
) -> str:
    """A one-time invitation code (192 random bits) for a person in the family, shown once to
    the worker to pass on; only its hash is stored. A young person's invitation needs the
    child's own agreement, recorded here."""
    with family_write(actor, family_id) as (session, family):
        person = session.get(Person, person_id)
        if person is None or person.family_id != family_id:
            raise Invalid(N_("That person isn't part of this family's world."))
        if person.relationship == Relationship.professional:
            raise Invalid(N_("A family's own space is for the family, not for professionals."))
        if person.must_not_see_plan:
            raise Invalid(
                N_("{name} is marked as someone who must not see the plan.", name=person.name)
            )
        if person.must_not_invite:  # the space shows the plan and when the family next meets
            raise Invalid(
                N_(
                    "{name} is marked as someone who must not be invited to meetings.",
                    name=person.name,
                )
            )
        young_person = young_person or _is_young_person(person, family_today(session, family))
        if young_person and not child_agreed:
            raise Invalid(N_("Please check with the young person that they agree, and tick it."))
        code = secrets.token_urlsafe(24)
        row = FamilyInvitation(
            code_hash=_code_hash(code),
            family_id=family_id,
            person_id=person_id,
            young_person=young_person,
            child_agreed=child_agreed,
            created_by=actor.worker_id,
            expires_at=utcnow() + timedelta(days=INVITATION_DAYS),
        )
        save_new(
            session,
            actor,
            family,
            row,
            fields=["person_id", "young_person", "child_agreed", "expires_at"],
        )
    return code


LOGIN_COLUMNS = [
    "login_id",
    "person",
    "username",
    "young_person",
    "started_at",
    "last_used_at",
    "state",
    "paused",
    "ended",
]
INVITATION_COLUMNS = ["invitation_id", "person", "young_person", "created_at", "expires_at"]


@dataclass(frozen=True)
class FamilyLogins:
    logins: pd.DataFrame  # LOGIN_COLUMNS
    invitations: pd.DataFrame  # open invitations: INVITATION_COLUMNS


def family_logins(actor: Actor, family_id: int) -> FamilyLogins:
    """Who in the family has a login, when it was last used and whether it stands; and the
    invitations not yet used."""
    now = utcnow()
    with family_read(actor, family_id) as (session, _family):
        rows = session.exec(
            select(FamilyLogin, Worker, Person)
            .join(Worker, col(Worker.id) == FamilyLogin.worker_id)
            .join(Person, col(Person.id) == FamilyLogin.person_id)
            .where(col(FamilyLogin.family_id) == family_id)
            .order_by(col(FamilyLogin.started_at))
        ).all()
        open_invitations = session.exec(
            select(FamilyInvitation, Person)
            .join(Person, col(Person.id) == FamilyInvitation.person_id)
            .where(
                col(FamilyInvitation.family_id) == family_id,
                col(FamilyInvitation.used_at).is_(None),
                col(FamilyInvitation.withdrawn_at).is_(None),
                col(FamilyInvitation.expires_at) > now,
            )
            .order_by(col(FamilyInvitation.created_at))
        ).all()
    logins = pd.DataFrame(
        [
            {
                "login_id": login.worker_id,
                "person": person.name,
                "username": worker.username,
                "young_person": login.young_person,
                "started_at": login.started_at,
                "last_used_at": login.last_used_at,
                "state": N_("Ended")
                if login.ended_at is not None
                else (N_("Paused") if login.paused else N_("Can log in")),
                "paused": login.paused,
                "ended": login.ended_at is not None,
            }
            for login, worker, person in rows
        ],
        columns=LOGIN_COLUMNS,
    )
    invitations = pd.DataFrame(
        [
            {
                "invitation_id": invitation.id,
                "person": person.name,
                "young_person": invitation.young_person,
                "created_at": invitation.created_at,
                "expires_at": invitation.expires_at,
            }
            for invitation, person in open_invitations
        ],
        columns=INVITATION_COLUMNS,
    )
    return FamilyLogins(logins, invitations)


def _login_of(session: Session, actor: Actor, family_id: int, login_id: int):
    family = require_family(session, actor, family_id)
    login = session.get(FamilyLogin, login_id)
    if login is None or login.family_id != family_id:
        raise refused(actor, what="family_login", record_id=login_id, family_id=family_id)
    worker = session.get_one(Worker, login.worker_id)  # every login has its account
    return family, login, worker


@checked
def pause_family_login(actor: Actor, *, family_id: int, login_id: int, paused: bool) -> None:
    """Pauses a family member's login at once (every session ends, and it can't log in) or
    lets it log in again. An ended login stays ended."""
    now = utcnow()
    with write_session() as session:
        family, login, worker = _login_of(session, actor, family_id, login_id)
        if login.ended_at is not None:
            raise Invalid(N_("This login has ended. Invite them again if they want one."))
        login.paused = paused
        login.version += 1
        worker.is_active = not paused
        session.add(login)
        if paused:
            end_every_session(session, worker, now)
        session.add(worker)
        changed(session, actor, family, audit.Action.UPDATE, "family_login", login_id, ["paused"])


@checked
def end_family_login(actor: Actor, *, family_id: int, login_id: int) -> None:
    """Ends a family member's login for good, and every session it has open."""
    now = utcnow()
    with write_session() as session:
        family, login, worker = _login_of(session, actor, family_id, login_id)
        if login.ended_at is not None:
            return
        login.ended_at = now
        login.version += 1
        worker.is_active = False
        session.add(login)
        end_every_session(session, worker, now)
        changed(session, actor, family, audit.Action.UPDATE, "family_login", login_id, ["ended_at"])


@checked
def withdraw_invitation(actor: Actor, *, family_id: int, invitation_id: int) -> None:
    """Stops an invitation that hasn't been used (sent to the wrong phone, say)."""
    with family_write(actor, family_id) as (session, family):
        invitation = session.get(FamilyInvitation, invitation_id)
        if invitation is None or invitation.family_id != family_id:
            raise refused(actor, what="family_invitation", record_id=invitation_id)
        if invitation.used_at is not None or invitation.withdrawn_at is not None:
            return
        invitation.withdrawn_at = utcnow()
        session.add(invitation)
        changed(
            session,
            actor,
            family,
            audit.Action.WITHDRAW,
            "family_invitation",
            invitation_id,
            ["withdrawn_at"],
        )


MESSAGE_COLUMNS = ["message_id", "person", "words", "sent_at"]


def family_messages(actor: Actor, family_id: int, *, limit: int = 20) -> pd.DataFrame:
    """What the family told their worker through their space, newest first."""
    with family_read(actor, family_id) as (session, _family):
        rows = session.exec(
            select(FamilyMessage, col(Person.name))
            .join(Person, col(Person.id) == FamilyMessage.person_id)
            .where(col(FamilyMessage.family_id) == family_id)
            .order_by(col(FamilyMessage.sent_at).desc())
            .limit(limit)
        ).all()
    return pd.DataFrame(
        [
            {"message_id": m.id, "person": name, "words": m.words, "sent_at": m.sent_at}
            for m, name in rows
        ],
        columns=MESSAGE_COLUMNS,
    )


HEARD_COLUMNS = ["family_id", "family", "why", "messages"]


def heard_from_families(
    actor: Actor, team_id: int, *, since: datetime, until: datetime
) -> pd.DataFrame:
    """The team's families who scored at home, ticked or added a step, or told their worker
    something through their space in a week: by family name, with the reasons (never a
    count to rank by)."""
    require_case_team(actor, team_id, what="heard_from_families")
    with read_session() as session:
        families = {
            stored_id(f): f.known_as
            for f in session.exec(
                select(Family).where(
                    col(Family.team_id) == team_id, col(Family.erased_at).is_(None)
                )
            )
        }
        if not families:
            return pd.DataFrame(columns=HEARD_COLUMNS)
        ids = list(families)
        scored = set(
            session.exec(
                select(col(ScoreRound.family_id)).where(
                    col(ScoreRound.family_id).in_(ids),
                    col(ScoreRound.at_home),
                    col(ScoreRound.recorded_at) >= since,
                    col(ScoreRound.recorded_at) < until,
                )
            ).all()
        )
        zone = team_zone(session, team_id)
        first, last = local_day(since, zone), local_day(until, zone)
        stepped = set(
            session.exec(
                select(col(PlanStep.family_id)).where(
                    col(PlanStep.family_id).in_(ids),
                    col(PlanStep.withdrawn_at).is_(None),
                    col(PlanStep.done_by_person_id).is_not(None),
                    col(PlanStep.done_on) >= first,
                    col(PlanStep.done_on) <= last,
                )
            ).all()
        )
        messages: dict[int, list[str]] = {}
        for family_id, words in session.exec(
            select(col(FamilyMessage.family_id), col(FamilyMessage.words))
            .where(
                col(FamilyMessage.family_id).in_(ids),
                col(FamilyMessage.sent_at) >= since,
                col(FamilyMessage.sent_at) < until,
            )
            .order_by(col(FamilyMessage.sent_at))
        ).all():
            messages.setdefault(family_id, []).append(words)
    rows = []
    for family_id in sorted(scored | stepped | set(messages), key=lambda i: families[i].lower()):
        why = []
        if family_id in scored:
            why.append(N_("scored at home"))
        if family_id in stepped:
            why.append(N_("ticked off a step of their plan"))
        if family_id in messages:
            why.append(N_("told us something through their space"))
        rows.append(
            {
                "family_id": family_id,
                "family": families[family_id],
                "why": joined(why).capital(),
                "messages": messages.get(family_id, []),
            }
        )
    frame = pd.DataFrame(rows, columns=HEARD_COLUMNS)
    frame["why"] = words_column((row["why"] for row in rows), frame.index)
    return frame


@dataclass(frozen=True)
class SpaceUse:
    families: int  # families working with the team (not closed)
    with_a_login: int  # of them, families with a login that stands
    used_lately: int  # of them, families whose space was used in the last 28 days


def space_use(actor: Actor, team_id: int, *, days: int = 28) -> SpaceUse:
    """How many of the team's families use their own space: for managers, for the whole team
    (never per worker)."""
    require_led_team(actor, team_id, what="space_use")
    since = utcnow() - timedelta(days=days)
    with read_session() as session:
        family_ids = select(col(Family.id)).where(
            col(Family.team_id) == team_id, col(Family.erased_at).is_(None)
        )
        total = session.exec(
            select(func.count(col(Family.id))).where(
                col(Family.team_id) == team_id,
                col(Family.erased_at).is_(None),
                col(Family.status) != "closed",
            )
        ).one()
        standing = select(col(FamilyLogin.family_id)).where(
            col(FamilyLogin.family_id).in_(family_ids),
            col(FamilyLogin.ended_at).is_(None),
            col(FamilyLogin.paused).is_(False),
        )
        with_login = len(set(session.exec(standing).all()))
        used = len(set(session.exec(standing.where(col(FamilyLogin.last_used_at) >= since)).all()))
    return SpaceUse(total, with_login, used)


# --- logged out: taking up an invitation --------------------------------------------------


def _usable_invitation(
    session: Session, code: str, *, taking_it: bool = False
) -> FamilyInvitation | None:
    """`taking_it`: the row stays locked until the transaction ends, so two people sending the
    same code at once can't both make a login with it."""
    if not isinstance(code, str) or not code.strip() or len(code) > 200:
        return None
    query = select(FamilyInvitation).where(col(FamilyInvitation.code_hash) == _code_hash(code))
    invitation = session.exec(query.with_for_update() if taking_it else query).first()
    if (
        invitation is None
        or invitation.used_at is not None
        or invitation.withdrawn_at is not None
        or invitation.expires_at <= utcnow()
    ):
        return None
    family = session.get(Family, invitation.family_id)
    person = session.get(Person, invitation.person_id)
    if (
        family is None
        or family.erased_at is not None
        or person is None
        or person.must_not_see_plan
        or person.must_not_invite
    ):
        return None
    return invitation


def invitation_first_name(code: str) -> str | None:
    """The first name of the person an invitation is for, if it can still be used; None
    otherwise (used, run out, stopped, or never one of ours)."""
    with read_session() as session:
        invitation = _usable_invitation(session, code)
        if invitation is None:
            return None
        person = session.get_one(Person, invitation.person_id)
        return person.name.split()[0]


def _clean_username(username: str) -> str:
    cleaned = text(username, N_("your username"), limit=max_chars(Worker, "username")).lower()
    if len(cleaned) < 3 or not set(cleaned) <= USERNAME_CHARACTERS:
        raise Invalid(
            N_(
                "Please choose a username of at least 3 letters or numbers (dots, dashes and "
                "underscores are fine, spaces are not)."
            )
        )
    return cleaned


def add_family_login(session: Session, account: Worker, **login) -> None:
    """Stores a family member's login in the caller's transaction: a worker-table account with
    the role family_member and no other, bound by its FamilyLogin (`login`: the family, the
    person, when it started, …) to one family and one person."""
    session.add(account)
    session.flush()
    session.add(WorkerRole(worker_id=stored_id(account), role=Role.family_member))
    session.add(FamilyLogin(worker_id=stored_id(account), **login))


@checked
def accept_invitation(code: str, *, username: str, password: str) -> None:
    """Takes up an invitation: a login of the family member's own, bound to their family and
    to them. The code works once; the audit never holds it."""
    username = _clean_username(username)
    if not isinstance(password, str) or (problem := password_problem(password)):
        raise Invalid(problem or "Please choose a password.")
    if password.strip().lower() == username:
        raise Invalid(N_("Please choose a password that isn't your username."))
    password_hash = hash_password(password)  # bcrypt outside any transaction
    with write_session() as session:
        invitation = _usable_invitation(session, code, taking_it=True)
        if invitation is None:
            raise Invalid(INVITATION_NOT_USABLE)
        if session.exec(select(Worker).where(col(Worker.username) == username)).first():
            raise Invalid(N_("That username is taken. Please choose another."))
        person = session.get_one(Person, invitation.person_id)
        family = session.get_one(Family, invitation.family_id)
        now = utcnow()
        invitation.used_at = now
        session.add(invitation)
        account = Worker(
            name=person.name,
            username=username,
            password_hash=password_hash,
            active_from=family_today(session, family),
        )
        add_family_login(
            session,
            account,
            family_id=invitation.family_id,
            person_id=invitation.person_id,
            young_person=invitation.young_person,
            child_agreed=invitation.child_agreed,
            invitation_id=invitation.id,
            started_at=now,
        )
        touch(session, family)
        audit.record(
            session,
            None,
            audit.Action.CREATE,
            username=audit.family_login_mark(stored_id(account)),
            family_id=family.id,
            record_type="family_login",
            record_id=account.id,
            fields=["username", "password"],
        )


# --- the family member's own space ----------------------------------------------------------


@dataclass(frozen=True)
class NextMeeting:
    starts_at: datetime
    kind: str
    place: str


@dataclass(frozen=True)
class OwnSpace:
    """What a family member sees: only what is shared with them. Treat as read-only."""

    family_id: int
    data_version: int  # read before the rows it came with: keys the charts drawn from them
    family: str
    person_name: str
    young_person: bool
    time_zone: str
    today: date
    goals: pd.DataFrame  # goal_id, wording, whose, zero_means, ten_means
    scores: pd.DataFrame  # metrics.SCORE_COLUMNS
    plan: pd.DataFrame  # step_id, what, who, by_when, done_on, version, family_word
    last_met_on: date | None
    agreed_last_time: pd.DataFrame  # what, who, by_when
    next_meeting: NextMeeting | None
    going_well: list[str]
    hard: list[str]
    children_views: pd.DataFrame  # who, words
    my_scores_today: dict[int, int]  # goal id -> this person's home score today
    my_words_today: dict[int, str] = field(default_factory=dict)  # goal id -> its comment
    # The family's own language and their team's own words (db/i18n.py use() and use_terms()).
    language: str = "en"
    terms: dict[tuple[str, str], str] = field(default_factory=dict)


def _me(actor: Actor) -> int:
    """The person a family member's login is bound to (require_own_family has checked it)."""
    if actor.person_id is None:
        raise refused(actor, what="own_space")
    return actor.person_id


@dataclass(frozen=True)
class _Reader:
    """Who is reading their family's space, as the record says now: their own items, and
    whether they live in the household. Items shared with "the household" are for the people
    who live in it; a friend, a neighbour or a grandparent living elsewhere sees only what is
    shared with everyone (and what is their own), and only the meetings they are invited to."""

    person_id: int
    in_household: bool

    def sees(self, visibility: Visibility, owner_id: int | None) -> bool:
        return (
            owner_id == self.person_id
            or visibility == Visibility.everyone
            or (visibility == Visibility.family and self.in_household)
        )


def _reader(session: Session, actor: Actor) -> _Reader:
    person = session.get_one(Person, _me(actor))
    return _Reader(stored_id(person), person.in_household)


def _own_goals(session: Session, reader: _Reader, family_id: int, hidden: set[int]) -> list:
    goals = goals_and_whose(
        session, family_id, hidden, col(Goal.status) == GoalStatus.working_on_it
    )
    return [(goal, name) for goal, name in goals if reader.sees(goal.visibility, goal.person_id)]


def _own_steps(session: Session, reader: _Reader, family_id: int) -> list[PlanStep]:
    steps = session.exec(
        of_family(PlanStep, family_id, col(PlanStep.withdrawn_at).is_(None)).order_by(
            col(PlanStep.done_on).is_not(None), col(PlanStep.by_when), col(PlanStep.id)
        )
    ).all()
    return [s for s in steps if reader.sees(s.visibility, s.added_by_person_id)]


def _own_meetings(session: Session, reader: _Reader, family_id: int) -> list[Meeting]:
    """The family's meetings, oldest first; for someone outside the household, only those
    they were invited to."""
    query = of_family(Meeting, family_id, col(Meeting.withdrawn_at).is_(None))
    if not reader.in_household:
        invited = select(col(MeetingPerson.meeting_id)).where(
            col(MeetingPerson.person_id) == reader.person_id, col(MeetingPerson.invited)
        )
        query = query.where(col(Meeting.id).in_(invited))
    return list(session.exec(query.order_by(col(Meeting.starts_at))).all())


def own_space(actor: Actor) -> OwnSpace:
    """Everything a family member's space shows, read for them alone (audited as a view)."""
    with own_family_write(actor, what="own_space") as (session, family):
        family_id, version = stored_id(family), family.data_version
        language, terms = family.preferred_language, family_terms_in(session, family)
        zone = team_zone(session, family.team_id)
        today = family_today(session, family)
        hidden = hidden_people(session, family_id, Audience.HOUSEHOLD)
        person = session.get_one(Person, actor.person_id)
        reader = _reader(session, actor)
        goal_rows = _own_goals(session, reader, family_id, hidden)
        scores = goal_scores(session, [g.id for g, _ in goal_rows], hidden)
        steps = _own_steps(session, reader, family_id)
        now = utcnow()
        meetings = _own_meetings(session, reader, family_id)
        held = [m for m in meetings if m.status == MeetingStatus.held and m.starts_at <= now]
        planned = [m for m in meetings if m.status == MeetingStatus.planned and m.starts_at >= now]
        last = held[-1] if held else None
        item_rows = session.exec(
            select(ConversationItem, col(Conversation.held_on))
            .join(Conversation, col(Conversation.id) == ConversationItem.conversation_id)
            .where(
                col(Conversation.family_id) == family_id,
                col(ConversationItem.withdrawn_at).is_(None),
                col(ConversationItem.column).in_(
                    [ConversationColumn.going_well, ConversationColumn.hard]
                ),
            )
            .order_by(col(Conversation.held_on).desc(), col(ConversationItem.id))
        ).all()
        items = [
            item
            for item, _on in item_rows
            if item.said_by_person_id not in hidden
            and reader.sees(item.visibility, item.said_by_person_id)
        ]
        views = session.exec(
            select(ChildView, col(Person.name))
            .join(Meeting, col(Meeting.id) == ChildView.meeting_id)
            .join(Person, col(Person.id) == ChildView.person_id)
            .where(col(Meeting.family_id) == family_id, col(Meeting.withdrawn_at).is_(None))
            .order_by(col(Meeting.starts_at).desc(), col(ChildView.id))
        ).all()
        views = [
            (view, name)
            for view, name in views
            if view.person_id not in hidden and reader.sees(view.visibility, view.person_id)
        ]
        words_today = dict(
            session.exec(
                select(col(GoalScore.goal_id), col(GoalScore.comment))
                .join(ScoreRound, col(ScoreRound.id) == GoalScore.round_id)
                .where(
                    col(ScoreRound.family_id) == family_id,
                    col(ScoreRound.at_home),
                    col(GoalScore.person_id) == reader.person_id,
                    col(GoalScore.scored_on) == today,
                )
            ).all()
        )
        audit.record(
            session, actor, audit.Action.VIEW, family_id=family_id, record_type="own_space"
        )
    mine = scores[
        scores["at_home"].astype(bool)
        & (scores["scorer_key"] == f"p:{actor.person_id}")
        & (scores["scored_on"] == today)
    ]
    mine_today = {int(goal): int(score) for goal, score in zip(mine["goal_id"], mine["score"])}
    plan = pd.DataFrame(
        [
            {
                "step_id": s.id,
                "what": s.what,
                "who": s.who,
                "by_when": s.by_when,
                "done_on": s.done_on,
                "version": s.version,
                "family_word": s.done_by_person_id is not None or s.added_by_person_id is not None,
                "ticked_by_me": s.done_by_person_id == actor.person_id,
            }
            for s in steps
        ],
        columns=[
            "step_id",
            "what",
            "who",
            "by_when",
            "done_on",
            "version",
            "family_word",
            "ticked_by_me",
        ],
    )
    agreed = plan[
        plan["step_id"].isin([s.id for s in steps if last is not None and s.meeting_id == last.id])
    ][["what", "who", "by_when"]]
    return OwnSpace(
        family_id=family_id,
        data_version=version,
        language=language,
        terms=terms,
        family=family.known_as,
        person_name=person.name,
        young_person=actor.young_person,
        time_zone=zone,
        today=today,
        goals=pd.DataFrame(
            [
                {
                    "goal_id": g.id,
                    "wording": g.wording,
                    "whose": name or ALL_OF_US,
                    "zero_means": g.zero_means,
                    "ten_means": g.ten_means,
                }
                for g, name in goal_rows
            ],
            columns=["goal_id", "wording", "whose", "zero_means", "ten_means"],
        ),
        scores=scores,
        plan=plan,
        last_met_on=local_day(last.starts_at, zone) if last else None,
        agreed_last_time=agreed.reset_index(drop=True),
        next_meeting=NextMeeting(
            planned[0].starts_at, MEETING_KIND[planned[0].kind], planned[0].place
        )
        if planned
        else None,
        going_well=[i.words for i in items if i.column == ConversationColumn.going_well],
        hard=[i.words for i in items if i.column == ConversationColumn.hard],
        children_views=pd.DataFrame(
            [{"who": name, "words": view.words} for view, name in views], columns=["who", "words"]
        ),
        my_scores_today=mine_today,
        my_words_today=words_today,
    )


@checked
def score_at_home(actor: Actor, *, goal_id: int, score: int, comment: str = "") -> None:
    """A family member's own score for one of their goals, marked as scored at home. Scoring
    the same goal again on the same day replaces that day's score."""
    score = whole_number(score, N_("the score"), low=0, high=10)
    comment = text(
        comment,
        N_("what made the difference"),
        required=False,
        limit=max_chars(GoalScore, "comment"),
    )
    with own_family_write(actor, what="goal") as (session, family):
        family_id = stored_id(family)
        hidden = hidden_people(session, family_id, Audience.HOUSEHOLD)
        reader = _reader(session, actor)
        if goal_id not in {g.id for g, _ in _own_goals(session, reader, family_id, hidden)}:
            raise refused(actor, what="goal", record_id=goal_id, family_id=family_id)
        today = family_today(session, family)
        existing = session.exec(
            select(GoalScore)
            .join(ScoreRound, col(ScoreRound.id) == GoalScore.round_id)
            .where(
                col(GoalScore.goal_id) == goal_id,
                col(GoalScore.person_id) == actor.person_id,
                col(GoalScore.scored_on) == today,
                col(ScoreRound.at_home),
            )
        ).first()
        if existing is not None:
            existing.score, existing.comment = score, comment
            session.add(existing)
            round_row = session.get_one(ScoreRound, existing.round_id)
            round_row.recorded_at = utcnow()
            session.add(round_row)
            fields = ["score", "comment"]
            changed(session, actor, family, audit.Action.UPDATE, "goal_score", existing.id, fields)
            return
        round_row = ScoreRound(
            token=secrets.token_hex(16),
            family_id=family_id,
            scored_on=today,
            recorded_by=actor.worker_id,
            at_home=True,
        )
        session.add(round_row)
        session.flush()
        row = GoalScore(
            round_id=stored_id(round_row),
            goal_id=goal_id,
            scored_on=today,
            score=score,
            person_id=actor.person_id,
            comment=comment,
        )
        save_new(session, actor, family, row, fields=["score", "comment"])


@checked
def tick_step(actor: Actor, *, step_id: int, seen_version: int, done: bool = True) -> None:
    """A family member ticks a step of their plan as done ("I did this"), or takes their own
    tick off a step ticked by mistake (a tick someone else gave stays theirs to take off)."""
    with own_family_write(actor, what="plan_step") as (session, family):
        step = session.get(PlanStep, step_id)
        if step is None or step.id not in {
            s.id for s in _own_steps(session, _reader(session, actor), stored_id(family))
        }:
            raise refused(actor, what="plan_step", record_id=step_id, family_id=family.id)
        if not done and step.done_by_person_id != actor.person_id:
            raise Invalid(
                N_("Only the person who ticked this step can take the tick off. Please ask them.")
            )
        values = (
            {"done_on": family_today(session, family), "done_by_person_id": actor.person_id}
            if done
            else {"done_on": None, "done_by_person_id": None}
        )
        save_edit(
            session, actor, family, PlanStep, step_id, seen_version, values, what=N_("this step")
        )


@checked
def add_own_step(actor: Actor, *, what: str) -> int:
    """A step the family member took on themselves, added to the plan as done, in their words."""
    what = text(what, N_("what you did"), limit=max_chars(PlanStep, "what"))
    with own_family_write(actor, what="plan_step") as (session, family):
        person = session.get_one(Person, actor.person_id)
        today = family_today(session, family)
        row = PlanStep(
            family_id=stored_id(family),
            what=what,
            who=person.name,
            agreed_on=today,
            done_on=today,
            done_by_person_id=actor.person_id,
            added_by_person_id=actor.person_id,
            visibility=Visibility.family,
        )
        fields = ["what", "done_on"]
        return save_new(session, actor, family, row, fields=fields, repeat_if_same=fields)


@checked
def send_message(actor: Actor, *, words: str) -> int:
    """A few words for the family's worker: shown on the Family page and in the huddle."""
    words = text(words, N_("your message"), limit=max_chars(FamilyMessage, "words"))
    with own_family_write(actor, what="family_message") as (session, family):
        since = utcnow() - timedelta(minutes=REPEAT_WINDOW_MINUTES)
        if session.exec(
            select(FamilyMessage).where(
                col(FamilyMessage.person_id) == actor.person_id,
                col(FamilyMessage.words) == words,
                col(FamilyMessage.sent_at) >= since,
            )
        ).first():
            raise AlreadySaved()
        row = FamilyMessage(family_id=stored_id(family), person_id=_me(actor), words=words)
        return save_new(session, actor, family, row, fields=["words"])
