"""The weekly huddle: a team's families in fixed sections by reason, alphabetical inside each.

Never a ranking. Every reason is computed here from the records (no hand-set flags), and one
team's huddle reads only that team's data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from db import metrics
from db.families import current_workers, still_working
from db.goals import SCORE_AND_SCORER
from db.i18n import N_, Nn_, Words, joined, words_column
from db.rules import audit
from db.rules.access import Actor, refused, require_case_team
from db.rules.validation import Invalid, checked, day, text
from db.rules.writes import AlreadySaved, changed, recently_created
from db.settings import HUDDLE_FALLBACK_DAYS
from db.store.cache import VersionedCache
from db.store.clock import local_day, today_in
from db.store.engine import read_session, write_session
from db.store.ids import stored_id
from db.store.models import (
    Family,
    FamilyStatus,
    FamilyStatusChange,
    Goal,
    GoalScore,
    GoalStatus,
    Huddle,
    HuddleFamily,
    Meeting,
    MeetingStatus,
    Note,
    NoteKind,
    Person,
    PlanStep,
    Team,
    Worker,
    WorkerRelationship,
    WorkerTeam,
)
from db.store.query import meeting_held, per_family, select_columns
from db.words import MEETING_KIND, RHYTHM, RHYTHM_DAYS

SECTIONS = [
    ("waiting", N_("Waiting to meet a worker")),
    # Shown only when someone is in it: a worker who left or moved team is still named as
    # working with these families until someone there takes them on.
    ("worker_gone", N_("Their worker has left or moved team")),
    ("harder", N_("Told us things are harder")),
    ("not_met", N_("Longer than we agreed since we last met")),
    ("plan_overdue", N_("Plan steps overdue")),
    ("this_week", N_("Meetings and conferences this week")),
    ("good_news", N_("Good news")),
]
# sparklines: a list of lines (each a list of scores), one per family member per goal;
# spark_who: whose each line is, in the same order.
ROW_COLUMNS = ["section", "family_id", "family", "workers", "why", "sparklines", "spark_who"]
FOLLOW_UP_COLUMNS = ["family_id", "family", "action", "who", "by_when", "past_its_date"]
SPARK_POINTS = 10
SPARK_LINES = 3


@dataclass(frozen=True)
class HuddleBoard:
    team_id: int
    team_name: str
    week_start: date
    since: date  # the last huddle before this week, or the fallback
    rows: pd.DataFrame  # ROW_COLUMNS, alphabetical inside each section
    huddle_id: int | None  # this week's huddle, once it is held
    # Actions agreed at the last huddle before this week, to follow up (FOLLOW_UP_COLUMNS).
    follow_up: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=FOLLOW_UP_COLUMNS))
    # How many of the team's families are open (none: a new team, with nothing to huddle about).
    open_families: int = 0


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _local_bounds(week_start: date, zone: str) -> tuple[datetime, datetime]:
    tz = ZoneInfo(zone)
    start = datetime.combine(week_start, time(0), tz).astimezone(timezone.utc)
    end = datetime.combine(week_start + timedelta(days=7), time(0), tz).astimezone(timezone.utc)
    return start, end


_BOARDS: VersionedCache[HuddleBoard] = VersionedCache("huddle boards", size=64)


def board(
    actor: Actor, team_id: int, *, week_start: date | None = None, today: date | None = None
) -> HuddleBoard:
    """The huddle board for one of the worker's teams; cached by the team's data version and
    how many huddles it has held, read in the session that builds it on a miss."""
    require_case_team(actor, team_id, what="huddle")
    with read_session() as session:
        team = session.get_one(Team, team_id)
        today = today or today_in(team.time_zone)
        held = session.exec(
            select(func.count(col(Huddle.id))).where(col(Huddle.team_id) == team_id)
        ).one()
        monday = monday_of(week_start or today)
        return _BOARDS.get(
            (team_id, monday, today),
            versions=(team.data_version, held),
            build=lambda: _build_board(session, team, monday, today),
        )


def _build_board(session: Session, team: Team, week_start: date, today: date) -> HuddleBoard:
    team_id = stored_id(team)
    last = session.exec(
        select(func.max(col(Huddle.held_on))).where(
            col(Huddle.team_id) == team_id, col(Huddle.held_on) < week_start
        )
    ).one()
    this_week = session.exec(
        select(col(Huddle.id)).where(
            col(Huddle.team_id) == team_id,
            col(Huddle.held_on) >= week_start,
            col(Huddle.held_on) < week_start + timedelta(days=7),
        )
    ).first()
    # With no earlier huddle, a looked-back-on week counts from a week before its own end.
    week_end = min(today, week_start + timedelta(days=6))
    since = last or (week_end - timedelta(days=HUDDLE_FALLBACK_DAYS))
    families = session.exec(
        select(Family).where(
            col(Family.team_id) == team_id,
            col(Family.status) != FamilyStatus.closed,
            col(Family.erased_at).is_(None),
        )
    ).all()
    ids = [stored_id(f) for f in families]
    rows = (
        _waiting(session, families, today)
        + _worker_gone(session, team_id, ids)
        + _not_met(session, families, today, team.time_zone)
        + _plan_overdue(session, ids, today)
        + _this_week(session, ids, *_local_bounds(week_start, team.time_zone), team.time_zone)
    )
    # Scores are counted up to the week's end: a week looked back on shows what its huddle
    # could have known, not scores given in the weeks after it.
    scores = _recent_scores(session, ids, since, week_end)
    rows += _score_sections(scores, since, session, ids)
    workers = current_workers(session, ids)
    sparks = _sparklines(session, ids, week_end)
    follow_up = _follow_up(session, team_id, last, today)
    names = {f.id: f.known_as for f in families}
    frame = pd.DataFrame(rows, columns=["section", "family_id", "why"])
    frame["why"] = words_column((why for _section, _family, why in rows), frame.index)
    frame["family"] = frame["family_id"].map(names)
    frame["workers"] = words_column(
        (workers.get(i, N_("Not yet chosen")) for i in frame["family_id"]), frame.index
    )
    frame["sparklines"] = frame["family_id"].map(lambda i: sparks.get(i, ([], ""))[0])
    frame["spark_who"] = words_column(
        (sparks.get(i, ([], ""))[1] for i in frame["family_id"]), frame.index
    )
    order = {key: n for n, (key, _title) in enumerate(SECTIONS)}
    # `map`, not `.str`: a board with nobody on it has no text to lower (a new team's).
    frame = frame.assign(_order=frame["section"].map(order), _name=frame["family"].map(str.lower))
    frame = frame.sort_values(["_order", "_name", "family_id"]).drop(columns=["_order", "_name"])
    return HuddleBoard(
        team_id,
        team.name,
        week_start,
        since,
        frame[ROW_COLUMNS].reset_index(drop=True),
        this_week,
        follow_up,
        len(families),
    )


def _follow_up(session: Session, team_id: int, held_on: date | None, today: date) -> pd.DataFrame:
    """The actions agreed at the huddle held on `held_on` (the last one before this week):
    what, for which family, who and by when, A to Z by family."""
    if held_on is None:
        return pd.DataFrame(columns=FOLLOW_UP_COLUMNS)
    rows = session.exec(
        select_columns(
            col(HuddleFamily.family_id),
            col(Family.known_as),
            col(HuddleFamily.action),
            col(Worker.name),
            col(HuddleFamily.action_by),
        )
        .join(Huddle, col(Huddle.id) == HuddleFamily.huddle_id)
        .join(Family, col(Family.id) == HuddleFamily.family_id)
        .join(Worker, col(Worker.id) == HuddleFamily.action_worker_id, isouter=True)
        .where(
            col(Huddle.team_id) == team_id,
            col(Huddle.held_on) == held_on,
            col(HuddleFamily.action) != "",
            col(Family.erased_at).is_(None),
        )
        .order_by(func.lower(col(Family.known_as)), col(HuddleFamily.id))
    ).all()
    frame = pd.DataFrame(rows, columns=FOLLOW_UP_COLUMNS[:-1])
    frame["who"] = frame["who"].fillna("")
    frame["past_its_date"] = frame["by_when"].map(lambda by: by is not None and by < today)
    return frame[FOLLOW_UP_COLUMNS]


def _latest(
    session: Session, family_id: Any, when: Any, families: Sequence[Family], *where: Any
) -> dict[int, Any]:
    """Each of these families' latest `when` among its rows that meet `where` (families with
    no such rows are left out)."""
    latest = per_family(family_id, func.max(when), [f.id for f in families], *where)
    return dict(session.exec(latest).all())


def _waiting(session: Session, families: Sequence[Family], today: date) -> list[tuple]:
    waiting = [f for f in families if f.status == FamilyStatus.waiting]
    if not waiting:
        return []
    since = _latest(
        session,
        col(FamilyStatusChange.family_id),
        col(FamilyStatusChange.changed_on),
        waiting,
        col(FamilyStatusChange.status) == FamilyStatus.waiting,
    )
    rows = []
    for f in waiting:
        days = (today - since.get(stored_id(f), f.first_came_on)).days
        rows.append(("waiting", f.id, N_("Waiting {time} to meet a worker.", time=_days(days))))
    return rows


def _worker_gone(session: Session, team_id: int, ids: list[int]) -> list[tuple]:
    """Families one of whose current workers can't log in any more or no longer works in the
    team: nobody here would otherwise notice that the family has no one to reach."""
    if not ids:
        return []
    rows = session.exec(
        select(col(WorkerRelationship.family_id), col(Worker.name), col(Worker.is_active))
        .join(Worker, col(Worker.id) == WorkerRelationship.worker_id)
        .join(
            WorkerTeam,
            and_(col(WorkerTeam.worker_id) == Worker.id, col(WorkerTeam.team_id) == team_id),
            isouter=True,
        )
        .where(
            col(WorkerRelationship.family_id).in_(ids),
            still_working(),
            or_(col(Worker.is_active).is_(False), col(WorkerTeam.worker_id).is_(None)),
        )
        .order_by(col(WorkerRelationship.family_id), col(WorkerRelationship.role), col(Worker.name))
    ).all()
    gone: dict[int, list[Words]] = {}
    for family_id, name, active in rows:
        gone.setdefault(family_id, []).append(
            N_("{name} can't log in any more.", name=name)
            if not active
            else N_("{name} has moved to another team.", name=name)
        )
    see = N_("See Working together on the family's page.")
    return [
        ("worker_gone", family_id, joined([*said, see], " ")) for family_id, said in gone.items()
    ]


def _days(days: int) -> Words:
    if days < 28:
        return Nn_("{n} day", "{n} days", days)
    return Nn_("{n} week", "{n} weeks", days // 7)


def _not_met(session: Session, families: Sequence[Family], today: date, zone: str) -> list[tuple]:
    active = [
        f
        for f in families
        if f.status in (FamilyStatus.working_together, FamilyStatus.keeping_in_touch)
    ]
    if not active:
        return []
    last = _latest(session, col(Meeting.family_id), col(Meeting.starts_at), active, *meeting_held())
    rows = []
    for f in active:
        agreed = RHYTHM_DAYS[f.rhythm]
        met = last.get(stored_id(f))
        met_on = local_day(met, zone) if met is not None else None
        gap = (today - met_on).days if met_on else None
        if gap is None:
            rows.append(
                ("not_met", f.id, N_("We haven't met yet since starting to work together."))
            )
        elif gap > agreed:
            rows.append(
                (
                    "not_met",
                    f.id,
                    N_(
                        "Last met {time} ago; we agreed to meet {rhythm}.",
                        time=_days(gap),
                        rhythm=RHYTHM[f.rhythm].small(),
                    ),
                )
            )
    return rows


def _plan_overdue(session: Session, ids: list[int], today: date) -> list[tuple]:
    if not ids:
        return []
    counts = session.exec(
        select(col(PlanStep.family_id), func.count(col(PlanStep.id)))
        .where(
            col(PlanStep.family_id).in_(ids),
            col(PlanStep.done_on).is_(None),
            col(PlanStep.by_when) < today,
            col(PlanStep.withdrawn_at).is_(None),
        )
        .group_by(col(PlanStep.family_id))
    ).all()
    return [
        (
            "plan_overdue",
            family_id,
            Nn_(
                "{n} plan step is past the date we hoped for.",
                "{n} plan steps are past the date we hoped for.",
                n,
            ),
        )
        for family_id, n in counts
    ]


def _this_week(
    session: Session, ids: list[int], start: datetime, end: datetime, zone: str
) -> list[tuple]:
    if not ids:
        return []
    meetings = session.exec(
        select(Meeting)
        .where(
            col(Meeting.family_id).in_(ids),
            col(Meeting.starts_at) >= start,
            col(Meeting.starts_at) < end,
            col(Meeting.status) != MeetingStatus.cancelled,
            col(Meeting.withdrawn_at).is_(None),
        )
        .order_by(col(Meeting.starts_at))
    ).all()
    by_family: dict[int, list[Words]] = {}
    for m in meetings:
        local = m.starts_at.astimezone(ZoneInfo(zone))
        by_family.setdefault(m.family_id, []).append(
            N_("{kind} {when}", kind=MEETING_KIND[m.kind], when=local)  # Home visit Sat 18:00
        )
    return [("this_week", family_id, joined(items)) for family_id, items in by_family.items()]


def _recent_scores(session: Session, ids: list[int], since: date, until: date) -> pd.DataFrame:
    """Every score up to `until` of goals scored from `since` to `until` (so the last score
    before `since` is there too)."""
    if not ids:
        return pd.DataFrame(columns=metrics.SCORE_COLUMNS + ["family_id"])
    recent_goals = (
        select(col(GoalScore.goal_id))
        .join(Goal, col(Goal.id) == GoalScore.goal_id)
        .where(
            col(Goal.family_id).in_(ids),
            col(GoalScore.scored_on) >= since,
            col(GoalScore.scored_on) <= until,
            col(Goal.withdrawn_at).is_(None),
        )
        .distinct()
    )
    rows = session.exec(
        select_columns(
            *SCORE_AND_SCORER, col(GoalScore.scored_on), col(GoalScore.score), col(Goal.family_id)
        )
        .join(Goal, col(Goal.id) == GoalScore.goal_id)
        .join(Person, col(Person.id) == GoalScore.person_id, isouter=True)
        .where(col(GoalScore.goal_id).in_(recent_goals), col(GoalScore.scored_on) <= until)
    ).all()
    return pd.DataFrame(
        [
            {
                "score_id": sid,
                "goal_id": gid,
                "scorer_key": f"p:{pid}" if pid else f"w:{wid}",
                "scorer": name or "worker",
                "is_worker_view": pid is None,
                "scored_on": on,
                "score": score,
                "family_id": fid,
            }
            for sid, gid, pid, wid, name, on, score, fid in rows
        ],
        columns=metrics.SCORE_COLUMNS + ["family_id"],
    )


def _score_sections(
    scores: pd.DataFrame, since: date, session: Session, ids: list[int]
) -> list[tuple]:
    rows = []
    changes = (
        metrics.change_since(scores.drop(columns="family_id"), since)
        if not scores.empty
        else pd.DataFrame(
            columns=["goal_id", "scorer", "change", "real_change", "before", "latest"]
        )
    )
    family_of = dict(zip(scores["goal_id"], scores["family_id"])) if not scores.empty else {}
    harder = changes[changes["real_change"] & (changes["change"] < 0)]
    for family_id, group in harder.groupby(harder["goal_id"].map(family_of)):
        who = ", ".join(f"{r.scorer} ({r.before} → {r.latest})" for r in group.itertuples())
        rows.append(
            (
                "harder",
                int(family_id),
                N_("Scores fell: {who}. Worth talking it through with them.", who=who),
            )
        )
    up = changes[changes["change"] > 0]
    achieved = (
        session.exec(
            per_family(
                col(Goal.family_id),
                func.count(col(Goal.id)),
                ids,
                col(Goal.status) == GoalStatus.achieved,
                col(Goal.withdrawn_at).is_(None),
                col(Goal.id).in_(scores["goal_id"].tolist() or [-1]),
            )
        ).all()
        if ids
        else []
    )
    good: dict[int, list[Words]] = {}
    for family_id, group in up.groupby(up["goal_id"].map(family_of)):
        good.setdefault(int(family_id), []).append(
            Nn_("{n} score went up", "{n} scores went up", len(group))
        )
    for family_id, n in achieved:
        good.setdefault(family_id, []).append(Nn_("{n} goal achieved", "{n} goals achieved", n))
    rows += [
        (
            "good_news",
            family_id,
            N_("{news} and {more}.", news=parts[0], more=parts[1])
            if len(parts) > 1
            else N_("{news}.", news=parts[0]),
        )
        for family_id, parts in good.items()
    ]
    return rows


def _sparklines(
    session: Session, ids: list[int], until: date
) -> dict[int, tuple[list[list[int]], Words | str]]:
    """Each family's goals being worked on: one line per family member per goal, of their own
    scores by the day given (the last SPARK_POINTS), and whose each line is — "Mia, Dad", or
    "Mia (goal 1), Dad (goal 2)" when there are several goals. The first SPARK_LINES lines, by
    goal, then by who scored it first. Scores given after `until` (the week's end) are left
    out."""
    if not ids:
        return {}
    rows = session.exec(
        select_columns(
            col(Goal.family_id),
            col(GoalScore.goal_id),
            col(GoalScore.person_id),
            col(Person.name),
            col(GoalScore.score),
        )
        .join(Goal, col(Goal.id) == GoalScore.goal_id)
        .join(Person, col(Person.id) == GoalScore.person_id)
        .where(
            col(Goal.family_id).in_(ids),
            col(Goal.status) == GoalStatus.working_on_it,
            col(Goal.withdrawn_at).is_(None),
            col(GoalScore.person_id).is_not(None),
            col(GoalScore.scored_on) <= until,
        )
        .order_by(col(GoalScore.scored_on), col(GoalScore.id))
    ).all()
    frame = pd.DataFrame(rows, columns=["family_id", "goal_id", "person_id", "name", "score"])
    sparks: dict[int, tuple[list[list[int]], Words | str]] = {}
    for family_id, family in frame.groupby("family_id", sort=True):
        # sort=False keeps each goal's people in the order they first scored it.
        goals = sorted(family["goal_id"].unique())
        lines = sorted(
            family.groupby(["goal_id", "person_id"], sort=False),
            key=lambda line: goals.index(line[0][0]),
        )[:SPARK_LINES]
        points = [group["score"].tail(SPARK_POINTS).tolist() for _key, group in lines]
        names = [str(group["name"].iloc[0]) for _key, group in lines]
        who: Words | str = ", ".join(names)  # people's names, in no language
        if len(goals) > 1:
            who = joined(
                [
                    N_("{name} (goal {number})", name=name, number=goals.index(goal) + 1)
                    for name, ((goal, _person), _group) in zip(names, lines)
                ],
                ", ",
            )
        sparks[int(family_id)] = (points, who)
    return sparks


# --- during the huddle -------------------------------------------------------------------


@checked
def hold(actor: Actor, team_id: int, on: date | None = None) -> int:
    """Records that the huddle is being held, so 'since the last huddle' has a meaning."""
    require_case_team(actor, team_id, what="huddle")
    with write_session() as session:
        team = session.get_one(
            Team, team_id, with_for_update=True
        )  # two pressing start: one huddle
        today = today_in(team.time_zone)
        on = day(on or today, N_("the day of the huddle"), today=today)
        existing = session.exec(
            select(Huddle).where(col(Huddle.team_id) == team_id, col(Huddle.held_on) == on)
        ).first()
        if existing:
            return stored_id(existing)
        row = Huddle(team_id=team_id, held_on=on, held_by=actor.worker_id)
        session.add(row)
        session.flush()
        audit.record(
            session,
            actor,
            audit.Action.CREATE,
            record_type="huddle",
            record_id=row.id,
            fields=["held_on"],
        )
        return stored_id(row)


@checked
def talked_about(
    actor: Actor,
    *,
    huddle_id: int,
    family_id: int,
    note: str = "",
    action: str = "",
    action_worker_id: int | None = None,
    action_by: date | None = None,
) -> int:
    """Marks a family as talked about, with an optional staff-only note and an action."""
    with write_session() as session:
        huddle = session.get(Huddle, huddle_id)
        # Locked, so a save clicked twice at once is checked for a repeat one after the other.
        family = session.get(Family, family_id, with_for_update=True)
        if huddle is None or family is None or family.team_id != huddle.team_id:
            raise refused(actor, what="huddle_family", record_id=family_id)
        require_case_team(actor, huddle.team_id, what="huddle")
        action = text(action, N_("the action"), required=False, limit=500)
        if action and action_worker_id is None:
            raise Invalid(N_("Please say which worker will do the action."))
        if action_worker_id is not None:
            if session.get(WorkerTeam, (action_worker_id, huddle.team_id)) is None:
                raise Invalid(N_("That worker isn't in this team."))
            # Only the team's active workers are offered, but a form drawn before someone was
            # stopped from logging in still offers them: nobody would see the action.
            worker = session.get_one(Worker, action_worker_id)
            if not worker.is_active:
                raise Invalid(
                    N_(
                        "{name} can't log in any more: please choose someone else for the action.",
                        name=worker.name,
                    )
                )
        if action_by is not None and action_by < huddle.held_on:
            raise Invalid(N_("The action can't be due before the huddle."))
        row = HuddleFamily(
            huddle_id=huddle_id,
            family_id=family_id,
            action=action,
            action_worker_id=action_worker_id if action else None,
            action_by=action_by if action else None,
        )
        note = text(note, N_("the huddle note"), required=False, limit=2000)
        _refuse_repeat(session, actor, family, row, note, huddle.held_on)
        session.add(row)
        if note:
            session.add(
                Note(
                    family_id=family_id,
                    kind=NoteKind.huddle,
                    words=note,
                    written_on=huddle.held_on,
                    written_by=actor.worker_id,
                )
            )
        session.flush()
        changed(
            session,
            actor,
            family,
            audit.Action.CREATE,
            "huddle_family",
            row.id,
            [f for f, v in (("note", note), ("action", action)) if v],
        )
        return stored_id(row)


def _refuse_repeat(
    session: Session, actor: Actor, family: Family, row: HuddleFamily, note: str, held_on: date
) -> None:
    """AlreadySaved if this worker marked this family at this huddle a moment ago (within the
    repeat window) with the same action, worker and day, and — when there is a note — wrote
    the same huddle note that day: a repeated click, stored once."""
    same_action = session.exec(
        select(col(HuddleFamily.id)).where(
            col(HuddleFamily.id).in_(
                recently_created(session, actor, stored_id(family), "huddle_family")
            ),
            col(HuddleFamily.huddle_id) == row.huddle_id,
            col(HuddleFamily.action) == row.action,
            col(HuddleFamily.action_worker_id) == row.action_worker_id,  # IS NULL for None
            col(HuddleFamily.action_by) == row.action_by,
        )
    ).first()
    if same_action is None:
        return
    if note:
        same_note = session.exec(
            select(col(Note.id)).where(
                col(Note.family_id) == family.id,
                col(Note.kind) == NoteKind.huddle,
                col(Note.written_on) == held_on,
                col(Note.written_by) == actor.worker_id,
                col(Note.words) == note,
            )
        ).first()
        if same_note is None:
            return
    raise AlreadySaved()


def talked_about_ids(actor: Actor, huddle_id: int | None) -> set[int]:
    if huddle_id is None:
        return set()
    with read_session() as session:
        huddle = session.get(Huddle, huddle_id)
        if huddle is None:
            raise refused(actor, what="huddle", record_id=huddle_id)
        require_case_team(actor, huddle.team_id, what="huddle")
        return set(
            session.exec(
                select(col(HuddleFamily.family_id)).where(col(HuddleFamily.huddle_id) == huddle_id)
            ).all()
        )
