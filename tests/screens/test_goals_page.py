"""The Family page's goals: add a goal, record a round, see it in the chart and the sentence."""

from datetime import date

import pytest
from sqlmodel import Session, func, select

from db.store.models import GoalScore, Person, ScoreRound, Worker, WorkerRelationship
from tests.apptest import all_text, chart_rows, logged_in


def _practitioners_family(engine) -> int:
    with Session(engine) as session:
        worker = session.exec(select(Worker).where(Worker.username == "practitioner")).one()
        return session.exec(
            select(WorkerRelationship.family_id)
            .where(WorkerRelationship.worker_id == worker.id, WorkerRelationship.ended_on.is_(None))
            .order_by(WorkerRelationship.family_id)
        ).first()


@pytest.fixture
def family_page(demo_db):
    family_id = _practitioners_family(demo_db)
    at = logged_in("practitioner")
    at.run()
    at.query_params["family"] = str(family_id)
    at.switch_page("pages/family.py").run()
    assert not at.exception
    return at, family_id


def _a_family_member(engine, family_id: int) -> int:
    with Session(engine) as session:
        return session.exec(
            select(Person.id).where(Person.family_id == family_id, Person.relationship == "parent")
        ).first()


def _by_key(elements, key):
    return next(e for e in elements if e.key == key)


def _do(at, action: str) -> None:
    at.segmented_control(key="goals_action").set_value(action).run()


def _add_goal(at, wording: str) -> None:
    _do(at, "Add a goal")
    _by_key(at.text_input, "goal_add_wording").input(wording)
    _by_key(at.text_input, "goal_add_zero").input("Shouting every night")
    _by_key(at.text_input, "goal_add_ten").input("Calm most nights")
    next(b for b in at.button if b.label == "Save goal").click()
    at.run()


def test_add_a_goal_then_a_round_shows_the_new_point_and_sentence(family_page, demo_db):
    at, family_id = family_page
    _add_goal(at, "Calmer bedtimes for Ellie")
    assert not at.exception and not at.error
    assert "Calmer bedtimes for Ellie" in all_text(at)

    # The first family member is here today; they score every goal 7.
    _do(at, "Record a round of scores")
    _by_key(at.multiselect, f"score_round_present_{family_id}").set_value(
        [_a_family_member(demo_db, family_id)]
    ).run()
    score_inputs = [
        n
        for n in at.number_input
        if n.key and n.key.startswith(f"score_{family_id}_") and "_p" in n.key
    ]
    assert score_inputs, "a score box per goal for the person present"
    for box in score_inputs:
        box.set_value(7)
    with Session(demo_db) as session:
        before = session.exec(select(func.count(GoalScore.id))).one()
    next(b for b in at.button if b.label == "Save scores").click()
    at.run()
    assert not at.exception and not at.error
    with Session(demo_db) as session:
        assert session.exec(select(func.count(GoalScore.id))).one() == before + len(score_inputs)
    today = date.today().isoformat()
    new_points = [v for v in chart_rows(at) if str(v.get("scored_on", "")).startswith(today)]
    assert any(v["score"] == 7 for v in new_points)
    sentences = [m.value.replace("\\", "") for m in at.markdown]
    # The sentence names whose score it is.
    assert any("Calmer bedtimes for Ellie" in s and "'s score was 7 in" in s for s in sentences)


def test_a_double_submit_stores_one_round(family_page, demo_db):
    at, family_id = family_page
    token_key = f"score_round_token_{family_id}"
    _do(at, "Record a round of scores")
    _by_key(at.multiselect, f"score_round_present_{family_id}").set_value(
        [_a_family_member(demo_db, family_id)]
    ).run()

    def submit():
        at.session_state[token_key] = "same-form-twice"
        for box in at.number_input:
            if box.key and box.key.startswith(f"score_{family_id}_") and "_p" in box.key:
                box.set_value(5)
        next(b for b in at.button if b.label == "Save scores").click()
        at.run()

    submit()
    submit()
    with Session(demo_db) as session:
        rounds = session.exec(
            select(func.count(ScoreRound.id)).where(ScoreRound.token == "same-form-twice")
        ).one()
    assert rounds == 1
    assert not at.exception


def test_typed_html_and_markdown_show_as_plain_text(family_page):
    at, _ = family_page
    _add_goal(at, "<script>alert(1)</script> [click](http://evil.example) **loud**")
    shown = [m.value for m in at.markdown if "alert" in m.value]
    assert shown and all("\\<script\\>" in value and "\\[click\\]" in value for value in shown)


def test_an_empty_goal_is_refused_with_a_sentence(family_page):
    at, _ = family_page
    _add_goal(at, "   ")
    assert any("Please write something" in e.value for e in at.error)
