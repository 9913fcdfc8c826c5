"""Every write: validated, audited and committed in one transaction (BEGIN IMMEDIATE on SQLite).

Each function takes the acting worker first and keyword arguments after, checks access, and
raises Invalid with a sentence that says what to change. Nothing is stored half-way.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import update
from sqlmodel import Session, select

from db import audit
from db.access import Actor, NotAllowed
from db.engine import write_session
from db.models import (Conversation, ConversationItem, Family, Goal, GoalScore, GoalStatus,
                       Meeting, ScoreRound, Team, Visibility)
from db.queries import open_family
from db.validation import Conflict, Invalid  # noqa: F401  (screens and tests catch them here)
from db.validation import choice, day, person_in_family, save_versioned, text


def touch(session: Session, family: Family) -> None:
    """Marks the family's and its team's cached views as out of date. The increments happen in
    the database: a read-modify-write in Python lost bumps under concurrent writes on
    PostgreSQL, leaving a cached view stale."""
    session.flush()
    session.execute(update(Family).where(Family.id == family.id)
                    .values(data_version=Family.data_version + 1)
                    .execution_options(synchronize_session=False))
    session.execute(update(Team).where(Team.id == family.team_id)
                    .values(data_version=Team.data_version + 1)
                    .execution_options(synchronize_session=False))
    session.expire(family, ["data_version"])


def save_new(session: Session, actor: Actor, family: Family, row, *, record_type: str,
             fields) -> int:
    """The end of every create: the new record stored, the family's cached views marked out of
    date, and which fields were filled audited. Returns the new record's id."""
    session.add(row)
    session.flush()
    touch(session, family)
    audit.record(session, actor, audit.Action.CREATE, family_id=family.id,
                 record_type=record_type, record_id=row.id, fields=fields)
    return row.id


def save_edit(session: Session, actor: Actor, family: Family, model, record_id: int,
              seen_version: int, values: dict, *, what: str, record_type: str) -> None:
    """The end of every edit: saved only if nobody else saved since the form was drawn, the
    family's cached views marked out of date, and which fields changed audited."""
    save_versioned(session, model, record_id, seen_version, values, what)
    touch(session, family)
    audit.record(session, actor, audit.Action.UPDATE, family_id=family.id,
                 record_type=record_type, record_id=record_id, fields=values.keys())


def record_view(actor: Actor, family_id: int) -> None:
    """A view of a family record (the page calls this once per session and family)."""
    with write_session() as session:
        open_family(session, actor, family_id)
        audit.record(session, actor, audit.Action.VIEW, family_id=family_id, record_type="family",
                     record_id=family_id)


def family_record(session: Session, actor: Actor, model, record_id: int):
    """A record that belongs to a family, and its family, if this worker may open it; a
    missing record is refused like an out-of-scope one, so ids can't be probed."""
    row = session.get(model, record_id)
    if row is None:
        raise NotAllowed(actor=actor, what=model.__tablename__)
    return row, open_family(session, actor, row.family_id)


# --- goals and scores --------------------------------------------------------------------

@dataclass(frozen=True)
class GoalIn:
    wording: str
    person_id: int | None = None          # None: the whole family's goal
    zero_means: str = ""
    ten_means: str = ""
    visibility: str = Visibility.family.value
    set_on: date | None = None
    from_item_id: int | None = None


def _goal_values(session: Session, family_id: int, goal: GoalIn) -> dict:
    person_in_family(session, family_id, goal.person_id, "whose goal it is")
    return {
        "wording": text(goal.wording, "the goal, in their own words", limit=300),
        "person_id": goal.person_id,
        "zero_means": text(goal.zero_means, "what 0 means", required=False, limit=300),
        "ten_means": text(goal.ten_means, "what 10 means", required=False, limit=300),
        "visibility": choice(Visibility, goal.visibility, "who can see it"),
    }


def add_goal(actor: Actor, *, family_id: int, goal: GoalIn) -> int:
    with write_session() as session:
        family = open_family(session, actor, family_id)
        values = _goal_values(session, family_id, goal)
        set_on = day(goal.set_on or date.today(), "the day the goal was set")
        if goal.from_item_id is not None:
            item = session.get(ConversationItem, goal.from_item_id)
            conversation = session.get(Conversation, item.conversation_id) if item else None
            if conversation is None or conversation.family_id != family_id:
                raise Invalid("That conversation item isn't part of this family's record.")
        row = Goal(family_id=family_id, set_on=set_on, from_item_id=goal.from_item_id, **values)
        return save_new(session, actor, family, row, record_type="goal", fields=values.keys())


def update_goal(actor: Actor, *, goal_id: int, seen_version: int, goal: GoalIn,
                status: str = GoalStatus.working_on_it.value, status_reason: str = "") -> None:
    with write_session() as session:
        row, family = family_record(session, actor, Goal, goal_id)
        values = _goal_values(session, row.family_id, goal)
        values["status"] = choice(GoalStatus, status, "how the goal is going")
        values["status_reason"] = text(status_reason, "the reason", required=False, limit=500)
        if values["status"] == GoalStatus.set_aside and not values["status_reason"]:
            raise Invalid("Please add, in their words, why the goal is being put to one side.")
        save_edit(session, actor, family, Goal, goal_id, seen_version, values, what="this goal",
                  record_type="goal")


@dataclass(frozen=True)
class ScoreIn:
    goal_id: int
    score: object                  # checked here: a whole number from 0 to 10
    person_id: int | None = None   # a family member's own score …
    worker_id: int | None = None   # … or a worker's view, recorded openly
    comment: str = ""


def _score_value(value) -> int:
    if isinstance(value, bool):
        raise Invalid("Scores are whole numbers from 0 to 10.")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise Invalid("Scores are whole numbers from 0 to 10.") from None
    if not number.is_integer() or not 0 <= number <= 10:
        raise Invalid("Scores are whole numbers from 0 to 10.")
    return int(number)


def record_scores(actor: Actor, *, family_id: int, token: str, scored_on: date,
                  scores: list[ScoreIn], meeting_id: int | None = None) -> tuple[int, bool]:
    """Saves a round of scores in one transaction. Returns (round id, newly saved); a second
    submit of the same form (same token) stores nothing and returns the first round."""
    token = text(token, "the form token", limit=64)
    with write_session() as session:
        family = open_family(session, actor, family_id)
        existing = session.exec(select(ScoreRound).where(ScoreRound.token == token)).first()
        if existing is not None:
            if existing.family_id != family_id:
                raise Invalid("That form belongs to another family: please reload the page.")
            return existing.id, False
        if not scores:
            raise Invalid("Please give at least one score.")
        scored_on = day(scored_on, "the day of the scores")
        if meeting_id is not None:
            meeting = session.get(Meeting, meeting_id)
            if meeting is None or meeting.family_id != family_id:
                raise Invalid("That meeting isn't one of this family's meetings.")
        round_row = ScoreRound(token=token, family_id=family_id, meeting_id=meeting_id,
                               scored_on=scored_on, recorded_by=actor.worker_id)
        session.add(round_row)
        session.flush()
        seen: set[tuple] = set()
        for entry in scores:
            goal = session.get(Goal, entry.goal_id)
            if goal is None or goal.family_id != family_id:
                raise Invalid("One of those goals isn't this family's goal.")
            if scored_on < goal.set_on:
                raise Invalid(f"The goal '{goal.wording}' was set on {goal.set_on:%-d %B %Y}: "
                              f"scores can't be dated before that.")
            if (entry.person_id is None) == (entry.worker_id is None):
                raise Invalid("Each score needs one person who gave it.")
            person_in_family(session, family_id, entry.person_id, "the person scoring")
            if entry.worker_id is not None and entry.worker_id != actor.worker_id:
                raise Invalid("A worker's view can only be recorded by that worker.")
            key = (entry.goal_id, entry.person_id, entry.worker_id)
            if key in seen:
                raise Invalid("Each person can give one score per goal in a round.")
            seen.add(key)
            session.add(GoalScore(round_id=round_row.id, goal_id=entry.goal_id,
                                  scored_on=scored_on, score=_score_value(entry.score),
                                  person_id=entry.person_id, worker_id=entry.worker_id,
                                  comment=text(entry.comment, "the comment", required=False,
                                                limit=500)))
        touch(session, family)
        audit.record(session, actor, audit.Action.CREATE, family_id=family_id,
                     record_type="score_round", record_id=round_row.id,
                     fields=["score", "comment"])
        return round_row.id, True


def record_copy(actor: Actor, family_id: int, audience: str) -> None:
    """A family copy was made (downloaded) for this audience."""
    with write_session() as session:
        open_family(session, actor, family_id)
        audit.record(session, actor, audit.Action.COPY, family_id=family_id,
                     record_type=f"family_copy_{audience}", record_id=family_id)
