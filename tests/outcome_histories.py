"""Hand-built score histories for the outcome figures: a North team whose manager (mona) and
practitioner (zoe) see it, and a South team whose family must never be counted.

Expected for the last 12 months (see each family below):
  goals set 4; scored at least twice 3 (any score);
  the family's own: 2 goals, 1 up, 0 no real change, 1 down, distance 0.0;
  children's: 2 goals, 1 up, 1 no real change, 0 down, distance +3.5;
  workers' views: 1 goal, 0 up, 1 no real change, 0 down, distance +1.0;
  achieved 1 (Mia's bedtime goal); scored at home 1 family (the Birch family).
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from db.goals import GoalIn, update_goal
from db.rules.writes import withdraw
from db.store.engine import write_session
from db.store.models import Goal, GoalScore, GoalStatus, Relationship, Role, ScoreRound
from db.subject_access import erase_family
from tests import factories as make

TODAY = date.today()


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def goal(family_id: int, wording: str, set_on: date, person_id: int | None = None) -> int:
    with write_session() as session:
        row = Goal(family_id=family_id, wording=wording, set_on=set_on, person_id=person_id)
        session.add(row)
        session.flush()
        return row.id


def round_of(
    family_id: int, on: date, scores: list[tuple[int, int, int | None, int | None]], **round_values
) -> int:
    """One sitting: scores are (goal id, score, person id, worker id)."""
    with write_session() as session:
        row = ScoreRound(token=uuid.uuid4().hex, family_id=family_id, scored_on=on, **round_values)
        session.add(row)
        session.flush()
        session.add_all(
            GoalScore(round_id=row.id, goal_id=g, scored_on=on, score=s, person_id=p, worker_id=w)
            for g, s, p, w in scores
        )
        return row.id


def build(*, erase: bool = True) -> dict:
    north = make.team("North Family Team")
    south = make.team("South Family Team")
    mona = make.worker("mona", Role.manager, leads=(north,))
    zoe = make.worker("zoe", Role.practitioner, teams=(north,))
    sian = make.worker("sian", Role.practitioner, teams=(south,))
    admin = make.worker("ada", Role.admin)

    # The Ash family: a family goal scored by Mum (up 4), Mia (up 1) and Zoe (up 1); Mia's own
    # goal, achieved (up 6); and a goal withdrawn as recorded by mistake (never counted).
    ash = make.family(north, "The Ash family", first_came_on=days_ago(400))
    mum = make.person(ash, "Mum", Relationship.parent)
    mia = make.person(ash, "Mia", Relationship.child)
    calmer = goal(ash, "Calmer mornings", days_ago(200))
    bedtime = goal(ash, "Sleep in my own bed", days_ago(100), person_id=mia)
    mistake = goal(ash, "Typed on the wrong family", days_ago(150))
    round_of(ash, days_ago(190), [(calmer, 2, mum, None), (calmer, 3, mia, None)])
    round_of(ash, days_ago(190), [(calmer, 2, None, zoe.worker_id)])
    round_of(ash, days_ago(140), [(mistake, 0, mum, None)])
    round_of(ash, days_ago(130), [(mistake, 10, mum, None)])
    round_of(ash, days_ago(90), [(bedtime, 2, mia, None)])
    round_of(
        ash,
        days_ago(30),
        [(calmer, 6, mum, None), (calmer, 4, mia, None), (calmer, 3, None, zoe.worker_id)],
    )
    round_of(ash, days_ago(20), [(bedtime, 8, mia, None)])
    update_goal(
        zoe,
        goal_id=bedtime,
        seen_version=1,
        goal=GoalIn(wording="Sleep in my own bed", person_id=mia),
        status=GoalStatus.achieved.value,
    )
    withdraw(zoe, record_type="goal", record_id=mistake, reason="Recorded on the wrong family")

    # The Birch family: one score only, given at home.
    birch = make.family(north, "The Birch family", first_came_on=days_ago(100))
    dad = make.person(birch, "Dad", Relationship.parent)
    money = goal(birch, "Get on top of the bills", days_ago(60))
    round_of(birch, days_ago(50), [(money, 5, dad, None)], at_home=True)

    # The Cedar family: a goal whose wording was changed half way; Gran's score went down 4.
    cedar = make.family(north, "The Cedar family", first_came_on=days_ago(400))
    gran = make.person(cedar, "Gran", Relationship.grandparent)
    school = goal(cedar, "Get to school", days_ago(300))
    round_of(cedar, days_ago(280), [(school, 7, gran, None)])
    update_goal(zoe, goal_id=school, seen_version=1, goal=GoalIn(wording="Get to school on time"))
    round_of(cedar, days_ago(40), [(school, 3, gran, None)])

    # The Dale family: erased at their request (never counted once erased).
    dale = make.family(north, "The Dale family", first_came_on=days_ago(300))
    dale_mum = make.person(dale, "Dale mum", Relationship.parent)
    dale_goal = goal(dale, "Move house", days_ago(250))
    round_of(dale, days_ago(240), [(dale_goal, 1, dale_mum, None)])
    round_of(dale, days_ago(10), [(dale_goal, 9, dale_mum, None)], at_home=True)

    # South: never counted for North's manager.
    hidden = make.family(south, "The Hidden Southern family", first_came_on=days_ago(300))
    south_mum = make.person(hidden, "South mum", Relationship.parent)
    south_goal = goal(hidden, "A southern goal", days_ago(250))
    round_of(hidden, days_ago(240), [(south_goal, 1, south_mum, None)])
    round_of(hidden, days_ago(10), [(south_goal, 9, south_mum, None)])
    history = {
        "north": north,
        "south": south,
        "mona": mona,
        "zoe": zoe,
        "sian": sian,
        "admin": admin,
        "ash": ash,
        "birch": birch,
        "cedar": cedar,
        "dale": dale,
        "hidden": hidden,
    }
    if erase:
        erase_dale(history)
    return history


def erase_dale(history: dict) -> None:
    erase_family(
        history["admin"],
        history["dale"],
        reason="The family asked us to erase their record",
        confirm_known_as="The Dale family",
    )
