"""Goals in the family's own words and their rounds of scores: the reads the goal screens draw
and the writes that change them, validated, audited and committed in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import ClassVar

import pandas as pd
from sqlmodel import Field, Session, col, select

from db.families import family_people
from db.i18n import N_
from db.metrics import SCORE_COLUMNS
from db.rules import audit
from db.rules.access import Actor, family_read
from db.rules.validation import (
    Input,
    Invalid,
    RecordId,
    WholeNumber,
    checked,
    choice,
    day,
    max_chars,
    person_in_family,
    record_id,
    text,
)
from db.rules.visibility import Audience, hidden_people
from db.rules.writes import changed, family_record, family_write, refuse_repeat, save_edit, save_new
from db.store.cache import VersionedCache
from db.store.clock import family_today, local_day
from db.store.engine import write_session
from db.store.ids import stored_id
from db.store.models import (
    Conversation,
    ConversationItem,
    Family,
    Goal,
    GoalScore,
    GoalStatus,
    Meeting,
    Person,
    Relationship,
    ScoreRound,
    Team,
    Visibility,
    Worker,
)
from db.store.query import meeting_held, select_columns
from db.words import GOAL_STATUS, WHOLE_FAMILY, WORKER_VIEW

# --- goals and scores --------------------------------------------------------------------

GOAL_COLUMNS = [
    "goal_id",
    "wording",
    "whose",
    "person_id",
    "zero_means",
    "ten_means",
    "visibility",
    "status",
    "status_words",
    "status_reason",
    "set_on",
    "version",
]


@dataclass(frozen=True)
class GoalData:
    """Everything the goal screens draw for one family and audience. Treat as read-only."""

    goals: pd.DataFrame
    scores: pd.DataFrame  # metrics.SCORE_COLUMNS
    meeting_days: pd.DataFrame  # column "on": days a meeting was held
    data_version: int


# A score and who gave it (a family member, or a worker's view): read by the goal screens and
# the huddle alike (joined to Person, outer).
SCORE_AND_SCORER = (
    col(GoalScore.id),
    col(GoalScore.goal_id),
    col(GoalScore.person_id),
    col(GoalScore.worker_id),
    col(Person.name),
)

_GOAL_DATA: VersionedCache[GoalData] = VersionedCache("goal data", size=512)


def goal_data(actor: Actor, family_id: int, audience: str = "staff") -> GoalData:
    with family_read(actor, family_id) as (session, family):
        return goal_data_in(session, family, audience)


def goal_data_in(session: Session, family: Family, audience: str = "staff") -> GoalData:
    """The family's goal data in the caller's session, after the caller's access check: cached
    by family, audience and the family's data version (any write about the family makes a new
    key)."""
    family_id = stored_id(family)
    return _GOAL_DATA.get(
        (family_id, Audience.check(audience)),
        versions=family.data_version,
        build=lambda: _build_goal_data(session, family_id, family.data_version, audience),
    )


def _build_goal_data(
    session: Session, family_id: int, data_version: int, audience: str
) -> GoalData:
    hidden = hidden_people(session, family_id, audience)
    goal_rows = goals_and_whose(
        session, family_id, hidden, col(Goal.visibility).in_(Audience.VISIBLE[audience])
    )
    scores = goal_scores(session, [g.id for g, _ in goal_rows], hidden)
    held = session.exec(
        select(col(Meeting.starts_at)).where(col(Meeting.family_id) == family_id, *meeting_held())
    ).all()
    zone = session.exec(
        select(col(Team.time_zone))
        .join(Family, col(Family.team_id) == Team.id)
        .where(col(Family.id) == family_id)
    ).one()
    goals = pd.DataFrame(
        [
            {
                "goal_id": g.id,
                "wording": g.wording,
                "whose": name or WHOLE_FAMILY,
                "person_id": g.person_id,
                "zero_means": g.zero_means,
                "ten_means": g.ten_means,
                "visibility": g.visibility.value,
                "status": g.status.value,
                "status_words": GOAL_STATUS[g.status],
                "status_reason": g.status_reason,
                "set_on": g.set_on,
                "version": g.version,
            }
            for g, name in goal_rows
        ],
        columns=GOAL_COLUMNS,
    )
    meeting_days = pd.DataFrame({"on": sorted({local_day(t, zone) for t in held})}, columns=["on"])
    return GoalData(goals, scores, meeting_days, data_version)


def goals_and_whose(
    session: Session, family_id: int, hidden: set[int], *where
) -> list[tuple[Goal, str | None]]:
    """The family's goals (not withdrawn) that meet `where`, oldest first, each with the name
    of whose goal it is (None: the whole family's), leaving out hidden people's goals."""
    rows = session.exec(
        select(Goal, col(Person.name))
        .join(Person, col(Person.id) == Goal.person_id, isouter=True)
        .where(col(Goal.family_id) == family_id, col(Goal.withdrawn_at).is_(None), *where)
        .order_by(col(Goal.set_on), col(Goal.id))
    ).all()
    return [(goal, name) for goal, name in rows if goal.person_id not in hidden]


def goal_scores(session: Session, goal_ids: list, hidden: set[int]) -> pd.DataFrame:
    """Every score of these goals, oldest first, with who gave it (a family member, or a
    worker's view), leaving out the people hidden from the audience: what the goal screens
    and a family member's own space both draw."""
    score_rows = (
        session.exec(
            select_columns(
                *SCORE_AND_SCORER,
                col(Worker.name),
                col(GoalScore.scored_on),
                col(GoalScore.score),
                col(ScoreRound.at_home),
            )
            .join(ScoreRound, col(ScoreRound.id) == GoalScore.round_id)
            .join(Person, col(Person.id) == GoalScore.person_id, isouter=True)
            .join(Worker, col(Worker.id) == GoalScore.worker_id, isouter=True)
            .where(col(GoalScore.goal_id).in_(goal_ids))
            .order_by(col(GoalScore.goal_id), col(GoalScore.scored_on), col(GoalScore.id))
        ).all()
        if goal_ids
        else []
    )
    scores = pd.DataFrame(
        [
            {
                "score_id": sid,
                "goal_id": gid,
                "scorer_key": f"p:{pid}" if pid is not None else f"w:{wid}",
                "scorer": pname if pid is not None else f"{wname} ({WORKER_VIEW})",
                "is_worker_view": pid is None,
                "scored_on": on,
                "score": score,
                "at_home": at_home,
            }
            for sid, gid, pid, wid, pname, wname, on, score, at_home in score_rows
            if pid is None or pid not in hidden
        ],
        columns=SCORE_COLUMNS,
    )
    return _one_name_each(scores)


def _one_name_each(scores: pd.DataFrame) -> pd.DataFrame:
    """Two scorers who share a name (two Jordans) are told apart, "Jordan" and "Jordan (2)",
    so a chart draws each their own line."""
    first_seen = scores.drop_duplicates("scorer_key")
    nth = first_seen.groupby("scorer").cumcount()
    if not nth.any():
        return scores
    names = dict(zip(first_seen["scorer_key"], first_seen["scorer"]))
    for key, n in zip(first_seen["scorer_key"], nth):
        if n:
            names[key] = f"{names[key]} ({n + 1})"
    return scores.assign(scorer=scores["scorer_key"].map(names))


def active_goals_and_scorers(actor: Actor, family_id: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """For a round of scores: the goals being worked on, and the family members who may score."""
    data = goal_data(actor, family_id)
    people = family_people(actor, family_id)
    scorers = people[people["relationship_code"] != Relationship.professional.value]
    return data.goals[data.goals["status"] == GoalStatus.working_on_it.value], scorers


# --- goals and scores --------------------------------------------------------------------


class GoalIn(Input):
    """A goal as a form gives it. The length limits are the table's (db.store.models.Goal)."""

    positional: ClassVar[tuple[str, ...]] = (
        "wording",
        "person_id",
        "zero_means",
        "ten_means",
        "visibility",
        "set_on",
        "from_item_id",
    )
    wording: str = Field(
        min_length=1,
        max_length=max_chars(Goal, "wording"),
        title=N_("the goal"),
        description=N_("the goal, in their own words"),
    )
    # None: everyone's
    person_id: RecordId | None = Field(default=None, title=N_("whose goal it is"))
    zero_means: str = Field(
        default="", max_length=max_chars(Goal, "zero_means"), title=N_("what 0 means")
    )
    ten_means: str = Field(
        default="", max_length=max_chars(Goal, "ten_means"), title=N_("what 10 means")
    )
    visibility: Visibility = Field(default=Visibility.family, title=N_("who can see it"))
    set_on: date | None = Field(default=None, title=N_("the day the goal was set"))
    from_item_id: RecordId | None = Field(default=None, title=N_("the conversation item"))


def _goal_values(session: Session, family_id: int, goal: GoalIn) -> dict:
    goal = GoalIn.check(goal)
    person_in_family(session, family_id, goal.person_id, N_("whose goal it is"))
    return {
        "wording": goal.wording,
        "person_id": goal.person_id,
        "zero_means": goal.zero_means,
        "ten_means": goal.ten_means,
        "visibility": goal.visibility,
    }


@checked
def add_goal(actor: Actor, *, family_id: int, goal: GoalIn) -> int:
    with family_write(actor, family_id) as (session, family):
        goal = GoalIn.check(goal)
        values = _goal_values(session, family_id, goal)
        today = family_today(session, family)
        set_on = day(goal.set_on or today, N_("the day the goal was set"), today=today)
        if goal.from_item_id is not None:
            item = session.get(ConversationItem, goal.from_item_id)
            conversation = session.get(Conversation, item.conversation_id) if item else None
            if conversation is None or conversation.family_id != family_id:
                raise Invalid(N_("That conversation item isn't part of this family's record."))
        refuse_repeat(
            session,
            actor,
            family,
            Goal,
            same={"wording": values["wording"], "person_id": values["person_id"]},
        )
        row = Goal(family_id=family_id, set_on=set_on, from_item_id=goal.from_item_id, **values)
        return save_new(session, actor, family, row, fields=values.keys())


@checked
def update_goal(
    actor: Actor,
    *,
    goal_id: int,
    seen_version: int,
    goal: GoalIn,
    status: str = GoalStatus.working_on_it.value,
    status_reason: str = "",
) -> None:
    with write_session() as session:
        row, family = family_record(session, actor, Goal, goal_id)
        values = _goal_values(session, row.family_id, goal)
        values["status"] = choice(GoalStatus, status, N_("how the goal is going"))
        values["status_reason"] = text(
            status_reason, N_("the reason"), required=False, limit=max_chars(Goal, "status_reason")
        )
        if values["status"] == GoalStatus.set_aside and not values["status_reason"]:
            raise Invalid(N_("Please add, in their words, why the goal is being put to one side."))
        save_edit(session, actor, family, Goal, goal_id, seen_version, values, what=N_("this goal"))


class ScoreIn(Input):
    """One score in a round: a family member's own, or a worker's view recorded openly."""

    positional: ClassVar[tuple[str, ...]] = (
        "goal_id",
        "score",
        "person_id",
        "worker_id",
        "comment",
    )
    goal_id: RecordId = Field(title=N_("the goal"))
    score: WholeNumber = Field(ge=0, le=10, title=N_("the score"))
    person_id: RecordId | None = Field(default=None, title=N_("the person scoring"))
    worker_id: RecordId | None = Field(default=None, title=N_("the worker"))
    comment: str = Field(
        default="", max_length=max_chars(GoalScore, "comment"), title=N_("the comment")
    )


@checked
def record_scores(
    actor: Actor,
    *,
    family_id: int,
    token: str,
    scored_on: date,
    scores: list[ScoreIn],
    meeting_id: int | None = None,
) -> tuple[int, bool]:
    """Saves a round of scores in one transaction. Returns (round id, newly saved); a second
    submit of the same form (same token) stores nothing and returns the first round."""
    token = text(token, N_("the form token"), limit=64)
    with family_write(actor, family_id) as (session, family):
        existing = session.exec(select(ScoreRound).where(col(ScoreRound.token) == token)).first()
        if existing is not None:
            if existing.family_id != family_id:
                raise Invalid(N_("That form belongs to another family: please reload the page."))
            return stored_id(existing), False
        if not isinstance(scores, (list, tuple)) or not scores:
            raise Invalid(N_("Please give at least one score."))
        scores = [ScoreIn.check(entry) for entry in scores]
        scored_on = day(scored_on, N_("the day of the scores"), today=family_today(session, family))
        if meeting_id is not None:
            meeting = session.get(Meeting, record_id(meeting_id, N_("that meeting")))
            if meeting is None or meeting.family_id != family_id:
                raise Invalid(N_("That meeting isn't one of this family's meetings."))
        round_row = ScoreRound(
            token=token,
            family_id=family_id,
            meeting_id=meeting_id,
            scored_on=scored_on,
            recorded_by=actor.worker_id,
        )
        session.add(round_row)
        session.flush()
        seen: set[tuple] = set()
        for entry in scores:
            goal = session.get(Goal, entry.goal_id)
            if goal is None or goal.family_id != family_id:
                raise Invalid(N_("One of those goals isn't this family's goal."))
            if scored_on < goal.set_on:
                raise Invalid(
                    N_(
                        "The goal “{goal}” was set on {day}: scores can't be dated before that.",
                        goal=goal.wording,
                        day=goal.set_on,
                    )
                )
            if (entry.person_id is None) == (entry.worker_id is None):
                raise Invalid(N_("Each score needs one person who gave it."))
            person_in_family(session, family_id, entry.person_id, N_("the person scoring"))
            if entry.worker_id is not None and entry.worker_id != actor.worker_id:
                raise Invalid(N_("A worker's view can only be recorded by that worker."))
            key = (entry.goal_id, entry.person_id, entry.worker_id)
            if key in seen:
                raise Invalid(N_("Each person can give one score per goal in a round."))
            seen.add(key)
            session.add(
                GoalScore(
                    round_id=stored_id(round_row),
                    goal_id=entry.goal_id,
                    scored_on=scored_on,
                    score=entry.score,
                    person_id=entry.person_id,
                    worker_id=entry.worker_id,
                    comment=entry.comment,
                )
            )
        changed(
            session,
            actor,
            family,
            audit.Action.CREATE,
            "score_round",
            round_row.id,
            ["score", "comment"],
        )
        return stored_id(round_row), True
