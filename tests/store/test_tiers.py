"""The demo generator's tiers have the shape the issue promises, on scaled-down runs.

Full tiers are made by `python -m db.ops.demo --tier small|large` and the benchmark; here each
tier's shape is scaled to a few hundred families, written through fill() (in several batches,
as the large tier is) and counted in the database.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from db.ops import demo
from db.store.models import (
    ChildView,
    Family,
    FamilyLogin,
    FamilyStatus,
    Goal,
    GoalScore,
    GoalStatus,
    Meeting,
    MeetingKind,
    MeetingStatus,
    PlanStep,
    Team,
    Worker,
    WorkerTeam,
)
from tests.conftest import TODAY

SCALED = 250
TOLERANCE = 0.10


def within(actual: float, promised: float) -> bool:
    return abs(actual - promised) <= TOLERANCE * promised


def count(engine, model, *where) -> int:
    with engine.connect() as connection:
        return connection.execute(
            select(func.count()).select_from(model).where(*where)
        ).scalar_one()


@pytest.fixture
def small_batches(monkeypatch):
    # Several flushes even on a scaled-down run: rows must not be lost or misnumbered between them.
    monkeypatch.setattr(demo, "FLUSH_EVERY", 60)


@pytest.mark.parametrize("tier", ["small", "large"])
def test_scaled_tier_has_the_promised_shape_per_family(tier, empty_db, small_batches):
    batches = []
    counts = demo.fill(
        empty_db,
        tier=tier,
        families=SCALED,
        seed=42,
        today=TODAY,
        password_hash="not-a-real-hash",
        progress=lambda what, done, total: batches.append((what, done, total)),
    )
    shape = demo.shape_of(tier, SCALED)

    assert count(empty_db, Family) == counts["family"] == SCALED
    assert count(empty_db, Team) == shape.teams
    # The workers, and one demo family member's login (an account in the same table).
    assert count(empty_db, FamilyLogin) == 1
    assert count(empty_db, Worker) == shape.workers + 1
    meetings, scores = count(empty_db, Meeting), count(empty_db, GoalScore)
    assert (meetings, scores) == (counts["meeting"], counts["goalscore"])
    assert within(meetings / SCALED, demo.MEETINGS_PER_FAMILY), meetings / SCALED
    assert within(scores / SCALED, demo.SCORES_PER_FAMILY), scores / SCALED
    # The progress bar moved batch by batch to the end.
    assert [done for _w, done, _t in batches] == sorted(done for _w, done, _t in batches)
    assert len(batches) > 1 and batches[-1] == ("families", SCALED, SCALED)


def build_in_memory(shape: demo.Tier, **changes):
    """The demo's rows for the tier's shape (with any changes), built in memory only."""
    return demo.build(replace(shape, **changes), seed=42, today=TODAY, password_hash="x")


def test_large_tier_has_the_promised_open_families_teams_and_workers():
    shape = demo.TIERS["large"]
    assert within(shape.families, 25_000) and within(shape.teams, 80)
    assert within(shape.workers, 600) and shape.years == 5
    # The open share needs more than 250 families to settle; building in memory is quick.
    families = 1_000
    scaled = demo.shape_of("large", families)
    builder = build_in_memory(scaled)
    open_families = sum(row["status"] != FamilyStatus.closed.value for row in builder.rows[Family])
    promised = demo.PROMISED_OPEN["large"] / shape.families
    assert within(open_families / families, promised), open_families / families


def test_small_and_demo_tiers_keep_their_promised_size():
    small, demo_tier = demo.TIERS["small"], demo.TIERS["demo"]
    assert (small.families, small.workers, small.years) == (600, 40, 3)
    assert demo_tier.families == 60


@pytest.mark.parametrize("tier", ["demo", "small", "large"])
def test_every_tier_keeps_the_stories(tier, empty_db):
    """Waiting families, climbs, dips and achieved goals, overdue steps, meetings ahead and
    conferences with the children's views: the data stays humane at every size."""
    families = None if tier == "demo" else SCALED
    demo.fill(
        empty_db,
        tier=tier,
        families=families,
        seed=42,
        today=TODAY,
        password_hash="not-a-real-hash",
    )
    assert count(empty_db, Family, Family.status == FamilyStatus.waiting.value) > 0
    assert count(empty_db, Family, Family.status == FamilyStatus.closed.value) > 0
    assert count(empty_db, Goal, Goal.status == GoalStatus.achieved.value) > 0
    assert (
        count(
            empty_db,
            Meeting,
            Meeting.status == MeetingStatus.planned.value,
            Meeting.starts_at >= datetime.now(timezone.utc),
        )
        > 0
    )
    assert count(empty_db, Meeting, Meeting.kind == MeetingKind.family_group_conference.value) > 0
    assert count(empty_db, ChildView) > 0
    assert count(empty_db, PlanStep, PlanStep.done_on.is_(None), PlanStep.by_when < TODAY) > 0
    with empty_db.connect() as connection:
        series = connection.execute(
            select(GoalScore.goal_id, GoalScore.score)
            .where(GoalScore.person_id.is_not(None))
            .order_by(GoalScore.goal_id, GoalScore.scored_on)
        ).all()
    by_goal: dict[int, list[int]] = {}
    for goal_id, score in series:
        by_goal.setdefault(goal_id, []).append(score)
    moves = Counter()
    for scores in by_goal.values():
        if len(scores) >= 4:
            moves["climb"] += scores[-1] - scores[0] >= 3
            moves["dip"] += min(scores) < scores[0] - 1
    assert moves["climb"] > 0 and moves["dip"] > 0, moves


def test_the_demo_logins_stay_in_the_first_teams():
    shape = demo.TIERS["large"]
    builder = build_in_memory(shape, families=10, spread_open=False)
    usernames = [row["username"] for row in builder.rows[Worker][:3]]
    assert usernames == ["practitioner", "manager", "admin"]
    links = builder.rows[WorkerTeam]
    assert {(link["worker_id"], link["team_id"]) for link in links if link["worker_id"] <= 2} == {
        (1, 1),
        (2, 1),
        (2, 2),
    }
