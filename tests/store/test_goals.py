"""Goals and rounds of scores: validated, audited, stored once, never silently overwritten."""

from datetime import date, timedelta

import pytest
from sqlmodel import Session, func, select

from db import goals as goal_store
from db.goals import GoalIn, ScoreIn
from db.rules.access import NotAllowed
from db.rules.validation import Conflict, Invalid
from db.store.models import AuditEvent, GoalScore, Relationship, Role
from tests import factories


@pytest.fixture
def world(demo_db):
    team = factories.team("Goal team")
    other_team = factories.team("Other team")
    worker = factories.worker("goalworker", Role.practitioner, teams=(team,))
    family = factories.family(team, first_came_on=date(2025, 1, 1))
    mia = factories.person(family, "Mia")
    dad = factories.person(family, "Dad", Relationship.parent)
    stranger = factories.person(factories.family(other_team, "Another family"), "Stranger")
    return {
        "engine": demo_db,
        "worker": worker,
        "family": family,
        "mia": mia,
        "dad": dad,
        "stranger": stranger,
    }


def _goal(world, **values) -> int:
    goal = GoalIn(
        **{
            "wording": "Feel calmer at bedtime",
            "person_id": world["mia"],
            "set_on": date.today() - timedelta(days=30),
            **values,
        }
    )
    return goal_store.add_goal(world["worker"], family_id=world["family"], goal=goal)


def _score_count(engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count(GoalScore.id))).one()


def test_add_goal_stores_the_words_and_audits_without_values(world):
    goal_id = _goal(world, zero_means="Shouting every night", ten_means="Calm most nights")
    data = goal_store.goal_data(world["worker"], world["family"])
    row = data.goals.set_index("goal_id").loc[goal_id]
    assert row["wording"] == "Feel calmer at bedtime" and row["whose"] == "Mia"
    with Session(world["engine"]) as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.record_type == "goal")).one()
    assert event.record_id == goal_id and "wording" in event.fields
    assert "bedtime" not in str(event.model_dump())


@pytest.mark.parametrize(
    "values, says",
    [
        ({"wording": "   "}, "Please write something"),
        ({"wording": "x" * 301}, "too long"),
        ({"visibility": "the whole street"}, "choose one of the options"),
        ({"set_on": date.today() + timedelta(days=3)}, "can't be in the future"),
    ],
)
def test_bad_goals_are_refused_with_a_sentence(world, values, says):
    with pytest.raises(Invalid, match=says):
        _goal(world, **values)


def test_a_goal_for_someone_from_another_family_is_refused(world):
    with pytest.raises(Invalid, match="isn't part of this family"):
        _goal(world, person_id=world["stranger"])


def test_a_round_of_scores_is_saved_together_and_once(world):
    goal_id = _goal(world)
    before = _score_count(world["engine"])
    entries = [
        ScoreIn(goal_id=goal_id, score=4, person_id=world["mia"]),
        ScoreIn(goal_id=goal_id, score=6, person_id=world["dad"], comment="Better"),
        ScoreIn(goal_id=goal_id, score=5, worker_id=world["worker"].worker_id),
    ]
    round_of_scores = {"token": "t-1", "scored_on": date.today(), "scores": entries}
    first = goal_store.record_scores(world["worker"], family_id=world["family"], **round_of_scores)
    again = goal_store.record_scores(world["worker"], family_id=world["family"], **round_of_scores)
    assert first[1] is True and again == (first[0], False)
    assert _score_count(world["engine"]) == before + 3
    scores = goal_store.goal_data(world["worker"], world["family"]).scores
    assert set(scores["scorer"]) == {"Mia", "Dad", "Goalworker (worker's view)"}


@pytest.mark.parametrize("score", [11, -1, 4.5, "seven", None, True])
def test_bad_scores_store_nothing(world, score):
    goal_id = _goal(world)
    before = _score_count(world["engine"])
    with pytest.raises(Invalid, match="The score should be a whole number from 0 to 10"):
        goal_store.record_scores(
            world["worker"],
            family_id=world["family"],
            token=f"bad-{score}",
            scored_on=date.today(),
            scores=[
                ScoreIn(goal_id=goal_id, score=5, person_id=world["dad"]),
                ScoreIn(goal_id=goal_id, score=score, person_id=world["mia"]),
            ],
        )
    assert _score_count(world["engine"]) == before


def test_scores_dated_before_the_goal_or_in_the_future_are_refused(world):
    goal_id = _goal(world)
    entry = [ScoreIn(goal_id=goal_id, score=5, person_id=world["mia"])]
    with pytest.raises(Invalid, match="can't be dated before"):
        goal_store.record_scores(
            world["worker"],
            family_id=world["family"],
            token="early",
            scored_on=date.today() - timedelta(days=60),
            scores=entry,
        )
    with pytest.raises(Invalid, match="future"):
        goal_store.record_scores(
            world["worker"],
            family_id=world["family"],
            token="late",
            scored_on=date.today() + timedelta(days=1),
            scores=entry,
        )


def test_a_score_from_another_familys_person_is_refused(world):
    goal_id = _goal(world)
    with pytest.raises(Invalid, match="isn't part of this family"):
        goal_store.record_scores(
            world["worker"],
            family_id=world["family"],
            token="stranger",
            scored_on=date.today(),
            scores=[ScoreIn(goal_id=goal_id, score=5, person_id=world["stranger"])],
        )


def test_editing_after_someone_else_saved_is_a_conflict(world):
    goal_id = _goal(world)
    version = int(goal_store.goal_data(world["worker"], world["family"]).goals.iloc[0]["version"])
    goal_store.update_goal(
        world["worker"],
        goal_id=goal_id,
        seen_version=version,
        goal=GoalIn(wording="Calmer bedtimes", person_id=world["mia"]),
    )
    with pytest.raises(Conflict):
        goal_store.update_goal(
            world["worker"],
            goal_id=goal_id,
            seen_version=version,
            goal=GoalIn(wording="Mine overwrites?", person_id=world["mia"]),
        )
    goals = goal_store.goal_data(world["worker"], world["family"]).goals
    assert goals.iloc[0]["wording"] == "Calmer bedtimes"


def test_putting_a_goal_aside_needs_a_reason(world):
    goal_id = _goal(world)
    with pytest.raises(Invalid, match="why"):
        goal_store.update_goal(
            world["worker"],
            goal_id=goal_id,
            seen_version=1,
            goal=GoalIn(wording="x", person_id=world["mia"]),
            status="set_aside",
        )


def test_a_worker_from_another_team_cannot_add_goals(world):
    outsider = factories.worker("outsider", Role.practitioner, teams=(factories.team("Far"),))
    with pytest.raises(NotAllowed):
        goal_store.add_goal(outsider, family_id=world["family"], goal=GoalIn(wording="x"))


def test_family_facing_audiences_never_see_private_goals(world):
    _goal(world, wording="Private one", visibility="private")
    _goal(world, wording="Household one", visibility="family")
    _goal(world, wording="Everyone one", visibility="everyone")
    seen = {
        audience: set(
            goal_store.goal_data(world["worker"], world["family"], audience).goals["wording"]
        )
        for audience in ("staff", "household", "everyone")
    }
    assert seen["staff"] == {"Private one", "Household one", "Everyone one"}
    assert seen["household"] == {"Household one", "Everyone one"}
    assert seen["everyone"] == {"Everyone one"}
