"""A believable demo data set, made from a seed, with dates relative to today.

    python -m db.ops.demo                      # the demo set into the configured database
    python -m db.ops.demo --tier small         # ~600 families, 40 workers, 3 years
    python -m db.ops.demo --families 200 --seed 7

Everything is synthetic. Rows are built as plain dicts and inserted in bulk, so the large tier
(25,000 families, ~2 million scores) takes minutes, not hours.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from time import monotonic
from typing import Callable
from zoneinfo import ZoneInfo

from sqlalchemy import insert, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, col, select

from db.auth import hash_password
from db.family_space import add_family_login
from db.settings import DEMO_PASSWORD
from db.store.clock import today_in, utcnow
from db.store.engine import get_engine
from db.store.ids import stored_id, stored_ids
from db.store.models import (
    Agreement,
    ChildView,
    Conversation,
    ConversationColumn,
    ConversationItem,
    DemoInfo,
    Family,
    FamilyMessage,
    FamilyStatus,
    FamilyStatusChange,
    Goal,
    GoalScore,
    GoalStatus,
    HelpKind,
    Huddle,
    KeepingSafe,
    Meeting,
    MeetingKind,
    MeetingPerson,
    MeetingStatus,
    Note,
    NoteKind,
    Person,
    PlanStep,
    PracticalHelp,
    Relationship,
    Rhythm,
    Role,
    ScoreRound,
    Team,
    Visibility,
    Worker,
    WorkerRelationship,
    WorkerRole,
    WorkerTeam,
)
from db.store.query import of_family


@dataclass(frozen=True)
class Tier:
    families: int
    teams: int
    workers: int
    years: int
    open_share: float  # chance a family is open today (those who came back after closing add to it)
    goals: tuple[int, ...] = (3,)  # how many goals a family sets (drawn from these)
    spread_open: bool = False  # open families evenly spread rather than drawn at random


# Shapes were tuned (tests/store/test_tiers.py checks them) so small and large give about
# MEETINGS_PER_FAMILY meetings and SCORES_PER_FAMILY scores a family, and large ~5,000 open
# families: families who came back after closing are open too, hence open_share below 20%.
TIERS = {
    "demo": Tier(families=60, teams=3, workers=12, years=2, open_share=0.7),
    "small": Tier(
        families=600, teams=4, workers=40, years=3, open_share=0.35, goals=(4,), spread_open=True
    ),
    "large": Tier(
        families=25_000,
        teams=80,
        workers=600,
        years=5,
        open_share=0.125,
        goals=(3, 4, 4, 4),
        spread_open=True,
    ),
}
# What each tier promises (the words), checked within 10% by the tier tests.
PROMISED_OPEN = {"large": 5_000}
FLUSH_EVERY = 2_000  # families per batch of inserts

# Expected shape per family in the small and large tiers: about 16 meetings and 80 scores.
MEETINGS_PER_FAMILY = 16
SCORES_PER_FAMILY = 80

# The demo's made-up teams, people and words are data, kept in demo_content.json; the order
# matters (the same seed draws the same demo).
_CONTENT = json.loads(Path(__file__).with_name("demo_content.json").read_text(encoding="utf-8"))
COMMUNITIES: list[tuple[str, str]] = [tuple(pair) for pair in _CONTENT["communities"]]
FIRST_NAMES: list[str] = _CONTENT["first_names"]
CHILD_NAMES: list[str] = _CONTENT["child_names"]
SURNAMES: list[str] = _CONTENT["surnames"]
WORKER_NAMES: list[str] = _CONTENT["worker_names"]
GOALS: list[tuple[str, str, str]] = [tuple(goal) for goal in _CONTENT["goals"]]
GOING_WELL: list[str] = _CONTENT["going_well"]
HARD: list[str] = _CONTENT["hard"]
NEEDS: list[str] = _CONTENT["needs"]
CHILD_VIEWS: list[str] = _CONTENT["child_views"]
PLACES: list[str] = _CONTENT["places"]
PROFESSIONALS: list[tuple[str, str]] = [tuple(pair) for pair in _CONTENT["professionals"]]
HELP = [(HelpKind(kind), what) for kind, what in _CONTENT["help"]]
STORIES = ["climb", "stuck", "dip_and_recover", "achieved", "slow_climb", "recent_dip"]


def _score_story(story: str, steps: int, rng: random.Random) -> list[int]:
    start = rng.randint(1, 4)
    scores = []
    for i in range(steps):
        share = i / max(steps - 1, 1)
        if story == "climb":
            value = start + 6 * share
        elif story == "slow_climb":
            value = start + 3 * share
        elif story == "stuck":
            value = start + 1
        elif story == "recent_dip":  # going well, then a hard few weeks: the huddle should see it
            value = (
                start + 5 * share if i < steps - 1 else start + 5 * (i - 1) / max(steps - 1, 1) - 4
            )
        elif story == "dip_and_recover":
            value = (
                start + 2 - 3 * min(share, 0.4) / 0.4 + (7 * (share - 0.4) if share > 0.4 else 0)
            )
        else:  # achieved
            value = start + 8 * min(1, share * 1.3)
        scores.append(int(max(0, min(10, round(value + rng.choice([-1, 0, 0, 0, 1]))))))
    return scores


class _Builder:
    """Collects rows per table with ids assigned here, so links need no round trips."""

    def __init__(self) -> None:
        self.rows: dict[type[SQLModel], list[dict]] = {}
        self.next_id: dict[type[SQLModel], int] = {}

    def add(self, model: type[SQLModel], **values) -> int:
        new_id = self.next_id.get(model, 1)
        self.next_id[model] = new_id + 1
        if "id" in model.model_fields:
            values["id"] = new_id
        self.rows.setdefault(model, []).append(values)
        return new_id


# Someone in a family's world: what is not given is the ordinary (outside the household,
# English, no interpreter, nothing barred).
PERSON_DEFAULTS = {
    "organisation": "",
    "birth_year": None,
    "in_household": False,
    "how_they_help": "",
    "language": "English",
    "needs_interpreter": False,
    "must_not_invite": False,
    "must_not_see_plan": False,
}


def _person(b: _Builder, family_id: int, name: str, relationship: str, **facts) -> int:
    return b.add(
        Person,
        **{
            **PERSON_DEFAULTS,
            "family_id": family_id,
            "name": name,
            "relationship": relationship,
            **facts,
        },
    )


def _invited(
    b: _Builder,
    meeting_id: int,
    *,
    person_id: int | None = None,
    worker_id: int | None = None,
    came: bool,
) -> None:
    b.add(
        MeetingPerson,
        meeting_id=meeting_id,
        person_id=person_id,
        worker_id=worker_id,
        invited=True,
        came=came,
    )


def _local(day: date, hour: int, minute: int, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour, minute), zone).astimezone(timezone.utc)


def _meeting_time(rng: random.Random) -> tuple[int, int]:
    # Families' lives are not 9 to 5: some evenings and weekends are ordinary.
    return rng.choice(
        [
            (9, 30),
            (10, 0),
            (11, 0),
            (13, 30),
            (14, 0),
            (15, 30),
            (16, 0),
            (17, 30),
            (18, 0),
            (19, 0),
            (8, 30),
        ]
    )


def build(
    shape: Tier,
    *,
    seed: int,
    today: date,
    password_hash: str,
    flush: Callable[[_Builder], None] | None = None,
    flush_every: int = 2_000,
) -> _Builder:
    """Every row of the demo set of this shape, ids assigned here. With `flush`, rows are handed
    over (and forgotten) every `flush_every` families, so a large tier never holds millions of
    rows."""
    families, teams, workers, years = shape.families, shape.teams, shape.workers, shape.years
    rng = random.Random(seed)
    b = _Builder()
    zone = ZoneInfo("Europe/London")
    team_ids = []
    for i in range(teams):
        name, community = COMMUNITIES[i % len(COMMUNITIES)]
        if i >= len(COMMUNITIES):
            name = f"{name.replace(' Family Team', '')} {i // len(COMMUNITIES) + 1} Family Team"
        team_ids.append(
            b.add(Team, name=name, community=community, time_zone="Europe/London", data_version=0)
        )
    earliest = today - timedelta(days=365 * years)

    # Workers: the three demo logins first, then the rest spread over the teams.
    def worker(name: str, username: str, roles: list[Role], team_links: list[tuple[int, bool]]):
        worker_id = b.add(
            Worker,
            name=name,
            username=username,
            # Made-up addresses (.example never reaches anyone), for trying single sign-on.
            email=f"{username}@golden-thread.example",
            password_hash=password_hash,
            is_active=True,
            active_from=earliest,
            active_until=None,
            must_change_password=False,
            sessions_valid_after=_local(earliest, 0, 0, zone),
            plain_language_hints=True,
            is_demo=True,
        )
        for role in roles:
            b.add(WorkerRole, worker_id=worker_id, role=role.value)
        for team_id, leads in team_links:
            b.add(WorkerTeam, worker_id=worker_id, team_id=team_id, leads=leads)
        return worker_id

    practitioner = worker("Sam Carter", "practitioner", [Role.practitioner], [(team_ids[0], False)])
    manager_teams = team_ids[:2] if teams > 1 else team_ids
    worker("Priya Sharma", "manager", [Role.manager], [(t, True) for t in manager_teams])
    worker("Alex Morgan", "admin", [Role.admin], [])
    team_workers: dict[int, list[int]] = {t: [] for t in team_ids}
    team_workers[team_ids[0]].append(practitioner)
    for i in range(max(workers - 3, 0)):
        team_id = team_ids[i % teams]
        base = WORKER_NAMES[(i + 2) % len(WORKER_NAMES)]
        name = (
            base
            if i + 2 < len(WORKER_NAMES)
            else f"{base.split()[0]} {SURNAMES[i % len(SURNAMES)]}"
        )
        roles = [Role.practitioner] + ([Role.manager] if i < teams and i >= 2 else [])
        team_workers[team_id].append(
            worker(name, f"worker{i + 1}", roles, [(team_id, Role.manager in roles)])
        )

    for f in range(families):
        team_id = team_ids[f % teams]
        _family(
            b,
            rng,
            f,
            team_id,
            team_workers[team_id],
            earliest,
            today,
            shape.open_share,
            zone,
            shape.goals,
            shape.spread_open,
        )
        if flush and (f + 1) % flush_every == 0:
            flush(b)
            b.rows.clear()
    b.add(DemoInfo, made_at=utcnow(), seed=seed, families=families)
    for t in team_ids[:2]:
        b.add(Huddle, team_id=t, held_on=today - timedelta(days=7), held_by=practitioner)
    return b


def _family(
    b: _Builder,
    rng: random.Random,
    index: int,
    team_id: int,
    workers: list[int],
    earliest: date,
    today: date,
    open_share: float,
    zone: ZoneInfo,
    goal_counts: tuple[int, ...] = (3,),
    spread_open: bool = False,
) -> None:
    span = (today - earliest).days
    is_open = rng.random() < open_share
    if spread_open:  # evenly spread (a golden-ratio sequence), so any slice has the right share
        is_open = (index * 0.6180339887498949) % 1 < open_share
    # Open families came recently; closed ones worked with us for a while in the past.
    first_came = today - timedelta(
        days=rng.randint(10, min(span, 540)) if is_open else rng.randint(min(200, span), span)
    )
    surname = SURNAMES[index % len(SURNAMES)]
    parent = FIRST_NAMES[(index * 7) % len(FIRST_NAMES)]
    known_as = rng.choice(
        [f"The {surname} family", f"{parent} and the kids", f"{parent} {surname}'s family"]
    )
    rhythm = rng.choice([Rhythm.weekly, Rhythm.fortnightly, Rhythm.fortnightly, Rhythm.monthly])
    family_id = b.add(
        Family,
        team_id=team_id,
        known_as=known_as,
        first_came_on=first_came,
        rhythm=rhythm.value,
        council_reference=f"CS-{100000 + index}",
        status=FamilyStatus.waiting.value,
        is_demo=True,
        erased_at=None,
        data_version=0,
        version=1,
    )

    # Status history: waiting, then working together, then perhaps keeping in touch or closed.
    wait = rng.choice([3, 7, 12, 20, 35, 60])
    start = first_came + timedelta(days=wait)
    # About one family in ten is still waiting to meet a worker, spread across the teams.
    still_waiting = is_open and (start > today - timedelta(days=2) or index % 10 == 3)
    if still_waiting:
        first_came = max(first_came, today - timedelta(days=rng.randint(3, 70)))
        b.rows[Family][-1]["first_came_on"] = first_came
    history = [(FamilyStatus.waiting, first_came)]
    end = today
    if not still_waiting:
        history.append((FamilyStatus.working_together, start))
        length = rng.randint(90, 420)
        if (
            not is_open
            or start + timedelta(days=length) < today - timedelta(days=60)
            and rng.random() < 0.5
        ):
            end = min(today - timedelta(days=1), start + timedelta(days=length))
            if rng.random() < 0.3 and end > start + timedelta(days=60):
                history.append((FamilyStatus.keeping_in_touch, end - timedelta(days=40)))
            history.append((FamilyStatus.closed, end))
            if is_open or rng.random() < 0.1:  # came back after closing
                back = end + timedelta(days=rng.randint(30, 200))
                if back < today:
                    history += [
                        (FamilyStatus.waiting, back),
                        (FamilyStatus.working_together, back + timedelta(days=7)),
                    ]
                    end = today
        elif rng.random() < 0.2 and start < today - timedelta(days=120):
            history.append(
                (FamilyStatus.keeping_in_touch, today - timedelta(days=rng.randint(5, 60)))
            )
    for status, on in history:
        b.add(
            FamilyStatusChange,
            family_id=family_id,
            status=status.value,
            changed_on=on,
            recorded_by=None,
            recorded_at=_local(on, 12, 0, zone),
        )
    b.rows[Family][-1]["status"] = history[-1][0].value
    if history[-1][0] == FamilyStatus.keeping_in_touch:
        b.rows[Family][-1]["rhythm"] = Rhythm.monthly.value

    # People in the family's world.
    people = {
        "parent": _person(
            b,
            family_id,
            parent,
            "parent",
            birth_year=today.year - rng.randint(22, 45),
            in_household=True,
            language=rng.choice(["English", "English", "English", "Polish", "Urdu", "Somali"]),
        )
    }
    children = []
    for c in range(rng.choice([1, 1, 2, 2, 3, 4])):
        children.append(
            _person(
                b,
                family_id,
                CHILD_NAMES[(index * 3 + c) % len(CHILD_NAMES)],
                "child",
                birth_year=today.year - rng.randint(1, 16),
                in_household=True,
            )
        )
    if rng.random() < 0.5:
        people["nan"] = _person(
            b,
            family_id,
            f"Nan {FIRST_NAMES[index % 40]}",
            "grandparent",
            how_they_help="Picks the kids up on Fridays",
        )
    org, who = rng.choice(PROFESSIONALS)
    _person(b, family_id, who, "professional", organisation=org)
    if rng.random() < 0.1:
        _person(
            b,
            family_id,
            f"{FIRST_NAMES[(index + 11) % 40]} (children's dad)",
            "parent",
            must_not_invite=True,
            must_not_see_plan=True,
        )
    b.add(
        KeepingSafe,
        family_id=family_id,
        safe_phone=f"07700 9{index % 100000:05d}",
        ok_to_leave_messages=rng.random() < 0.6,
        never_show="New address since the move" if rng.random() < 0.3 else "",
        updated_at=_local(first_came, 12, 0, zone),
    )
    b.add(
        Agreement,
        family_id=family_id,
        what="We agreed to work together",
        with_whom="",
        agreed_on=first_came,
        last_checked_on=min(today, first_came + timedelta(days=rng.randint(0, 300))),
    )
    b.add(
        Agreement,
        family_id=family_id,
        what="Information may be shared with school",
        with_whom="School",
        agreed_on=first_came,
        last_checked_on=first_came,
    )

    if still_waiting:
        return
    _relationships(
        b,
        rng,
        family_id,
        workers,
        start,
        end if history[-1][0] == FamilyStatus.closed else None,
        today,
    )
    _work(
        b,
        rng,
        family_id,
        people["parent"],
        children,
        workers,
        start,
        end if history[-1][0] == FamilyStatus.closed else today,
        today,
        rhythm,
        zone,
        goal_counts,
    )


def _relationships(b, rng, family_id, workers, start, closed_on, today) -> None:
    # Arguments are drawn from rng in the order written, as they always were (the demo tier's
    # data stays the same).
    def link(worker_id, role, started_on, ended_on, chosen_by_family, end_reason) -> None:
        b.add(
            WorkerRelationship,
            family_id=family_id,
            worker_id=worker_id,
            role=role,
            started_on=started_on,
            ended_on=ended_on,
            chosen_by_family=chosen_by_family,
            end_reason=end_reason,
        )

    on = start
    lead = rng.choice(workers)
    for _handover in range(rng.choice([0, 0, 0, 1, 1, 2])):
        until = on + timedelta(days=rng.randint(40, 150))
        if (closed_on and until >= closed_on) or until >= today:
            break
        link(
            lead,
            "lead",
            on,
            until,
            rng.random() < 0.6,
            rng.choice(["worker_left", "sickness", "team_change", "family_asked"]),
        )
        on = until
        lead = rng.choice([w for w in workers if w != lead] or workers)
    closing = "family_closed" if closed_on else None
    link(lead, "lead", on, closed_on, rng.random() < 0.6, closing)
    if len(workers) > 1 and rng.random() < 0.3:
        link(
            rng.choice([w for w in workers if w != lead]),
            "supporting",
            on,
            closed_on,
            False,
            closing,
        )


def _work(
    b, rng, family_id, parent, children, workers, start, end, today, rhythm, zone, goal_counts=(3,)
) -> None:
    """Meetings, conversations, goals and their scores, plan and help over the time together."""
    every = {Rhythm.weekly: 10, Rhythm.fortnightly: 16, Rhythm.monthly: 30}.get(rhythm, 30)
    days = max((end - start).days, 1)
    count = max(2, min(int(days / every), MEETINGS_PER_FAMILY * 2))
    meeting_days = sorted({start + timedelta(days=int(i * days / count)) for i in range(count)})
    if end >= today and len(meeting_days) > 1:
        # Families we work with now last met in the past week, so the huddle has news.
        shift = (today - timedelta(days=rng.randint(1, 6))) - meeting_days[-1]
        if shift.days > 0:
            meeting_days = [day + shift for day in meeting_days]
    goals = []
    # One choice draws nothing from rng, so the demo tier's data stays exactly as it was.
    how_many = goal_counts[0] if len(goal_counts) == 1 else rng.choice(goal_counts)
    for g in rng.sample(range(len(GOALS)), how_many):
        wording, zero, ten = GOALS[g]
        whose = rng.choice([parent, parent, None] + children[:1])
        story = rng.choice(STORIES)
        status = (
            GoalStatus.achieved
            if story == "achieved" and rng.random() < 0.5
            else GoalStatus.working_on_it
        )
        goals.append(
            (
                b.add(
                    Goal,
                    family_id=family_id,
                    person_id=whose,
                    wording=wording,
                    zero_means=zero,
                    ten_means=ten,
                    visibility=rng.choice(["everyone", "family", "family", "private"]),
                    status=status.value,
                    status_reason="",
                    set_on=start,
                    from_item_id=None,
                    version=1,
                ),
                whose,
                story,
            )
        )
    scorers = [parent] + children[:1]
    stories = {goal_id: _score_story(story, len(meeting_days), rng) for goal_id, _, story in goals}
    lead = workers[0]
    conference_done = False
    for i, day in enumerate(meeting_days):
        planned = day > today
        kind = MeetingKind.home_visit
        if not conference_done and i == len(meeting_days) // 3:
            kind = MeetingKind.family_group_conference
        elif rng.random() < 0.15:
            kind = rng.choice(
                [MeetingKind.call, MeetingKind.family_meeting, MeetingKind.plan_catch_up]
            )
        meeting_status = (
            MeetingStatus.planned
            if planned
            else (MeetingStatus.cancelled if rng.random() < 0.08 else MeetingStatus.held)
        )
        hour, minute = _meeting_time(rng)
        if day.weekday() >= 5 and rng.random() < 0.7:
            day = day - timedelta(days=day.weekday() - 4)  # mostly weekdays, some weekends
        meeting_id = b.add(
            Meeting,
            family_id=family_id,
            kind=kind.value,
            status=meeting_status.value,
            starts_at=_local(day, hour, minute, zone),
            place=rng.choice(PLACES),
            summary=""
            if meeting_status != MeetingStatus.held
            else rng.choice(
                [
                    "We talked about how the week had gone and what helped.",
                    "Looked at the plan together and agreed the next steps.",
                    "The children showed me their drawings; mum talked about school.",
                ]
            ),
            written_together=rng.random() < 0.5,
            coordinator="Ann Hughes (independent coordinator)"
            if kind == MeetingKind.family_group_conference
            else "",
            preparation_visits=2 if kind == MeetingKind.family_group_conference else 0,
            private_family_time=kind == MeetingKind.family_group_conference,
            if_plan_does_not_work="Nan will step in and we'll meet again within a week"
            if kind == MeetingKind.family_group_conference
            else "",
            look_again_on=day + timedelta(days=42)
            if kind == MeetingKind.family_group_conference
            else None,
            recorded_by=lead,
            version=1,
        )
        _invited(b, meeting_id, person_id=parent, came=meeting_status == MeetingStatus.held)
        _invited(b, meeting_id, worker_id=lead, came=meeting_status == MeetingStatus.held)
        if meeting_status != MeetingStatus.held:
            continue
        if kind == MeetingKind.family_group_conference:
            conference_done = True
            for child in children[:2]:
                b.add(
                    ChildView,
                    meeting_id=meeting_id,
                    person_id=child,
                    words=rng.choice(CHILD_VIEWS),
                    visibility=rng.choice(["everyone", "family", "private"]),
                )
            for step in rng.sample(NEEDS, 3):
                due = day + timedelta(days=rng.randint(7, 60))
                b.add(
                    PlanStep,
                    family_id=family_id,
                    what=step,
                    who=rng.choice(["Mum", "Nan", "Sam (worker)", "School"]),
                    by_when=due,
                    how_we_will_know="We'll talk about it at the catch-up",
                    agreed_on=day,
                    done_on=due - timedelta(days=2) if due < today and rng.random() < 0.6 else None,
                    meeting_id=meeting_id,
                    visibility="everyone",  # agreed with the whole network at the conference
                    version=1,
                )
        if i % 4 == 0:
            conversation_id = b.add(
                Conversation,
                family_id=family_id,
                held_on=day,
                meeting_id=meeting_id,
                recorded_by=lead,
                version=1,
            )
            for column, bank in (
                (ConversationColumn.going_well, GOING_WELL),
                (ConversationColumn.hard, HARD),
                (ConversationColumn.needs_to_happen, NEEDS),
            ):
                b.add(
                    ConversationItem,
                    conversation_id=conversation_id,
                    column=column.value,
                    words=rng.choice(bank),
                    said_by_person_id=rng.choice([parent] + children),
                    visibility=rng.choice(["everyone", "family", "family", "private"]),
                )
        round_id = b.add(
            ScoreRound,
            token=f"demo-{family_id}-{i}",
            family_id=family_id,
            meeting_id=meeting_id,
            scored_on=day,
            recorded_by=lead,
            recorded_at=_local(day, 20, 0, zone),
        )
        for goal_id, whose, _ in goals:
            for scorer in [whose] if whose else scorers:
                shift = (
                    0
                    if scorer == whose or whose is None and scorer == parent
                    else rng.choice([-1, 0, 1])
                )
                b.add(
                    GoalScore,
                    round_id=round_id,
                    goal_id=goal_id,
                    scored_on=day,
                    score=max(0, min(10, stories[goal_id][i] + shift)),
                    person_id=scorer,
                    worker_id=None,
                    comment="",
                )
            if rng.random() < 0.2:
                b.add(
                    GoalScore,
                    round_id=round_id,
                    goal_id=goal_id,
                    scored_on=day,
                    score=max(0, min(10, stories[goal_id][i] + rng.choice([-1, 0]))),
                    person_id=None,
                    worker_id=lead,
                    comment="",
                )
    if end >= today:  # families we work with now have their next meeting booked
        hour, minute = _meeting_time(rng)
        next_day = today + timedelta(days=rng.randint(0, every))
        meeting_id = b.add(
            Meeting,
            family_id=family_id,
            kind=MeetingKind.home_visit.value,
            status=MeetingStatus.planned.value,
            starts_at=_local(next_day, hour, minute, zone),
            place=rng.choice(PLACES),
            summary="",
            written_together=False,
            coordinator="",
            preparation_visits=0,
            private_family_time=False,
            if_plan_does_not_work="",
            look_again_on=None,
            recorded_by=lead,
            version=1,
        )
        _invited(b, meeting_id, person_id=parent, came=False)
    if rng.random() < 0.5:
        kind, what = rng.choice(HELP)
        b.add(
            PracticalHelp,
            family_id=family_id,
            kind=kind.value,
            what=what,
            given_on=min(today, start + timedelta(days=rng.randint(5, 60))),
            who_from="Family team",
        )
    if rng.random() < 0.15:
        b.add(
            Note,
            family_id=family_id,
            kind=NoteKind.oversight.value,
            words="Talked in supervision: keep the same worker through the school move.",
            written_on=min(today, start + timedelta(days=30)),
            written_by=None,
            shared_with="",
            next_steps="",
        )


INSERT_ORDER: list[type[SQLModel]] = [
    Team,
    Worker,
    WorkerRole,
    WorkerTeam,
    Family,
    FamilyStatusChange,
    Person,
    KeepingSafe,
    Agreement,
    WorkerRelationship,
    Meeting,
    MeetingPerson,
    ChildView,
    Conversation,
    ConversationItem,
    Goal,
    ScoreRound,
    GoalScore,
    PlanStep,
    PracticalHelp,
    Note,
    Huddle,
    DemoInfo,
]


def write(
    builder: _Builder,
    engine: Engine,
    progress: Callable[[str, int, int], None] | None = None,
    batch: int = 20_000,
) -> dict[str, int]:
    """Inserts every row in one transaction per table, in bulk; returns the counts."""
    counts: dict[str, int] = {}
    for model in INSERT_ORDER:
        rows = builder.rows.get(model, [])
        table = model.__table__  # type: ignore[attr-defined]  # set on table models, not typed
        with engine.begin() as connection:
            for start in range(0, len(rows), batch):
                connection.execute(insert(table), rows[start : start + batch])
                if progress:
                    progress(table.name, min(start + batch, len(rows)), len(rows))
        counts[table.name] = len(rows)
    if engine.dialect.name == "postgresql":  # explicit ids: move the sequences on
        with engine.begin() as connection:
            for model in INSERT_ORDER:
                if "id" in model.model_fields:
                    name = model.__table__.name  # type: ignore[attr-defined]
                    connection.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                            f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"
                        )
                    )
    return counts


def shape_of(tier: str, families: int | None = None) -> Tier:
    """A tier's shape, or the same shape scaled to another number of families."""
    shape = TIERS[tier]
    if families is None:
        return shape
    scale = families / shape.families
    return replace(
        shape,
        families=families,
        teams=max(1, min(shape.teams, round(shape.teams * scale))),
        workers=max(4, round(shape.workers * scale)),
    )


def fill(
    engine: Engine | None = None,
    *,
    tier: str = "demo",
    families: int | None = None,
    seed: int = 42,
    today: date | None = None,
    password_hash: str | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, int]:
    """Fills an empty, migrated database with demo data and returns the row counts.

    Rows go to the database every FLUSH_EVERY families, so memory stays flat whatever the
    tier; `progress("families", done, total)` is called after each batch."""
    shape = shape_of(tier, families)
    engine = engine or get_engine()
    counts: dict[str, int] = {}
    done = 0

    def flush(builder: _Builder) -> None:
        nonlocal done
        done += len(builder.rows.get(Family, []))
        for name, count in write(builder, engine).items():
            counts[name] = counts.get(name, 0) + count
        if progress:
            progress("families", done, shape.families)

    builder_hash = password_hash or hash_password(DEMO_PASSWORD)
    builder = build(
        shape,
        seed=seed,
        today=today or today_in(),
        password_hash=builder_hash,
        flush=flush,
        flush_every=FLUSH_EVERY,
    )
    if builder.rows:
        flush(builder)
    for name, count in _family_login(engine, today or today_in(), builder_hash).items():
        counts[name] = counts.get(name, 0) + count
    return counts


# What the demo family member told their worker through their own space.
DEMO_MESSAGE = "Mornings were better this week. Can we meet on Thursday after school?"


def _family_login(engine: Engine, today: date, password_hash: str) -> dict[str, int]:
    """The demo family login (`family`): a parent in the practitioner's first family working
    with them now, with a few scores made at home, a step ticked off and a message."""
    with Session(engine) as session:
        practitioner = session.exec(
            select(Worker).where(col(Worker.username) == "practitioner")
        ).first()
        if practitioner is None:
            return {}
        families = session.exec(
            select(col(Family.id))
            .join(WorkerRelationship, col(WorkerRelationship.family_id) == Family.id)
            .where(
                col(WorkerRelationship.worker_id) == practitioner.id,
                col(WorkerRelationship.ended_on).is_(None),
                col(Family.status) == FamilyStatus.working_together,
            )
            .order_by(col(Family.id))
        ).all()
        for family_id in sorted(stored_ids(families)):
            parent = session.exec(
                of_family(
                    Person,
                    family_id,
                    col(Person.relationship) == Relationship.parent,
                    col(Person.must_not_see_plan).is_(False),
                ).order_by(col(Person.id))
            ).first()
            goals = session.exec(
                of_family(
                    Goal,
                    family_id,
                    col(Goal.status) == GoalStatus.working_on_it,
                    col(Goal.withdrawn_at).is_(None),
                    col(Goal.visibility) != Visibility.private,
                    col(Goal.set_on) <= today - timedelta(days=14),
                ).order_by(col(Goal.id))
            ).all()
            if parent is not None and goals:
                break
        else:
            return {}
        now = utcnow()
        account = Worker(
            name=parent.name,
            username="family",
            password_hash=password_hash,
            active_from=today - timedelta(days=30),
            sessions_valid_after=now - timedelta(days=30),
            is_demo=True,
        )
        add_family_login(
            session,
            account,
            family_id=family_id,
            person_id=stored_id(parent),
            started_at=now - timedelta(days=20),
            last_used_at=now - timedelta(days=1),
        )
        scored = 0
        for days_ago in (12, 5, 1):
            sitting = ScoreRound(
                token=f"demo-home-{family_id}-{days_ago}",
                family_id=family_id,
                scored_on=today - timedelta(days=days_ago),
                recorded_by=account.id,
                recorded_at=now - timedelta(days=days_ago),
                at_home=True,
            )
            session.add(sitting)
            session.flush()
            for goal in goals[:2]:
                session.add(
                    GoalScore(
                        round_id=stored_id(sitting),
                        goal_id=stored_id(goal),
                        scored_on=sitting.scored_on,
                        score=min(10, 4 + (12 - days_ago) // 3),
                        person_id=stored_id(parent),
                        comment="",
                    )
                )
                scored += 1
        step = session.exec(
            of_family(
                PlanStep,
                family_id,
                col(PlanStep.done_on).is_(None),
                col(PlanStep.withdrawn_at).is_(None),
                col(PlanStep.visibility) != Visibility.private,
                col(PlanStep.agreed_on) <= today - timedelta(days=1),
            ).order_by(col(PlanStep.id))
        ).first()
        if step is not None:
            step.done_on = today - timedelta(days=1)
            step.done_by_person_id = parent.id
            session.add(step)
        session.add(
            FamilyMessage(
                family_id=family_id,
                person_id=stored_id(parent),
                words=DEMO_MESSAGE,
                sent_at=now - timedelta(days=1),
            )
        )
        family = session.get_one(Family, family_id)
        family.data_version += 1
        session.add(family)
        session.commit()
    return {"worker": 1, "workerrole": 1, "familylogin": 1, "scoreround": 3, "goalscore": scored}


class ProgressBar:
    """A one-line progress bar on stderr with elapsed time and an estimate of what is left."""

    def __init__(self, width: int = 30) -> None:
        self.width = width
        self.started = monotonic()

    def __call__(self, what: str, done: int, total: int) -> None:
        filled = int(self.width * done / max(total, 1))
        elapsed = monotonic() - self.started
        left = elapsed / done * (total - done) if done else 0
        sys.stderr.write(
            f"\r  {what:<10} [{'#' * filled}{'.' * (self.width - filled)}] "
            f"{done:>7,}/{total:,}  {elapsed:5.0f} s, ~{left:4.0f} s to go"
        )
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def main(argv: list[str] | None = None) -> None:
    from db.store.migrate import upgrade_to_head

    parser = argparse.ArgumentParser(
        prog="python -m db.ops.demo",
        description=(
            "Fill an empty database (DATABASE_URL, or data/golden_thread.db when it is unset) "
            "with made-up demo data: teams, workers with the demo logins, families. A database "
            "that already has workers or families is left alone."
        ),
    )
    parser.add_argument(
        "--tier",
        choices=sorted(TIERS),
        default="demo",
        help="demo: 60 families (the default); small: 600; large: 25,000 (takes minutes)",
    )
    parser.add_argument("--families", type=int, help="any number of families (scales the tier)")
    parser.add_argument(
        "--seed", type=int, default=42, help="the same seed makes the same families (42)"
    )
    args = parser.parse_args(argv)
    engine = get_engine()
    upgrade_to_head(engine)
    with Session(engine) as session:
        in_use = session.exec(select(col(Worker.id))).first() is not None or (
            session.exec(select(col(Family.id))).first() is not None
        )
    if in_use:
        sys.exit(
            "This database already has workers or families, so no demo data was added: demo "
            "data goes only into an empty database (a new DATABASE_URL, or no DATABASE_URL)."
        )
    started = monotonic()
    counts = fill(
        engine, tier=args.tier, families=args.families, seed=args.seed, progress=ProgressBar()
    )
    print(
        f"Demo data ready: {counts['family']:,} families, {counts['meeting']:,} meetings, "
        f"{counts['goalscore']:,} scores ({monotonic() - started:.0f} s)."
    )


if __name__ == "__main__":
    from db.store.engine import plain_database_errors

    with plain_database_errors():
        main()
