"""Shared screens with the family in the room leak nothing: a sentinel seeded in every place
that must stay hidden never appears anywhere in the element tree (chart data included) nor in
the family copy, whichever audience is chosen. Plus the huddle page and its wall view."""

from datetime import date, timedelta

import pytest

from components.family_copy import render
from db import admin, family_world, meetings
from db.conference import meeting_screen
from db.goals import GoalIn, ScoreIn, add_goal, goal_data, record_scores
from db.meetings import ChildViewIn, ItemIn, PlanStepIn
from db.plain_language import terms_in
from db.store.engine import read_session
from db.store.models import Family, Relationship, Role
from tests import factories
from tests.apptest import all_text, errors_in_form, logged_in, open_family_page, shared_screen

SENTINELS = {
    "staff_note": "SENTINEL-STAFF-NOTE-7781",
    "private_view": "SENTINEL-PRIVATE-CHILD-VIEW-1142",
    "keeping_safe": "SENTINEL-NEW-ADDRESS-42-ELM-ROAD",
    "keeping_safe_phone": "07700 SENTINEL 991",
    "barred_person": "SENTINELBARREDPERSON",
    "barred_goal": "SENTINEL-BARRED-PERSONS-GOAL",
    "other_family": "SENTINEL-OTHER-FAMILY-NAME",
    "private_goal": "SENTINEL-PRIVATE-GOAL",
    "household_only": "SENTINEL-HOUSEHOLD-ONLY-ITEM",
    "private_step": "SENTINEL-PRIVATE-DEBT-ADVICE-STEP",
    "household_only_step": "SENTINEL-HOUSEHOLD-ONLY-STEP",
}
HOUSEHOLD_MAY_SEE = {"household_only", "household_only_step"}


@pytest.fixture
def seeded(demo_db):
    team = factories.team("Conference team")
    worker = factories.worker("confworker", Role.practitioner, teams=(team,))
    family = factories.family(team, "The Rivers family", first_came_on=date(2025, 1, 1))
    factories.family(team, SENTINELS["other_family"])
    ellie = factories.person(family, "Ellie")
    mum = factories.person(family, "Mum", Relationship.parent)
    barred = factories.person(
        family,
        SENTINELS["barred_person"],
        Relationship.parent,
        must_not_invite=True,
        must_not_see_plan=True,
    )
    shared = add_goal(
        worker,
        family_id=family,
        goal=GoalIn(
            "Tea together on Sundays",
            mum,
            visibility="everyone",
            set_on=date.today() - timedelta(days=40),
        ),
    )
    add_goal(
        worker, family_id=family, goal=GoalIn(SENTINELS["private_goal"], mum, visibility="private")
    )
    barred_goal = add_goal(
        worker,
        family_id=family,
        goal=GoalIn(
            SENTINELS["barred_goal"],
            barred,
            visibility="everyone",
            set_on=date.today() - timedelta(days=40),
        ),
    )
    record_scores(
        worker,
        family_id=family,
        token="c1",
        scored_on=date.today() - timedelta(days=30),
        scores=[
            ScoreIn(shared, 3, person_id=mum),
            ScoreIn(shared, 2, person_id=barred),
            ScoreIn(shared, 4, worker_id=worker.worker_id),
            ScoreIn(barred_goal, 5, person_id=barred),
        ],
    )
    record_scores(
        worker,
        family_id=family,
        token="c2",
        scored_on=date.today() - timedelta(days=2),
        scores=[ScoreIn(shared, 8, person_id=mum), ScoreIn(shared, 9, person_id=barred)],
    )
    factories.held_conference(
        worker,
        family,
        days_ago=2,
        came=(ellie, mum),
        child_views=(
            ChildViewIn(ellie, "I like Sunday tea", "everyone"),
            ChildViewIn(ellie, SENTINELS["private_view"], "private"),
        ),
        plan_steps=(PlanStepIn("Sunday tea at Nan's", "Mum", visibility="everyone"),),
    )
    meetings.add_plan_step(
        worker,
        family_id=family,
        step=PlanStepIn(SENTINELS["private_step"], "Mum", visibility="private"),
    )
    meetings.add_plan_step(
        worker,
        family_id=family,
        step=PlanStepIn(SENTINELS["household_only_step"], "Mum", visibility="family"),
    )
    meetings.add_conversation(
        worker,
        family_id=family,
        held_on=date.today(),
        items=[
            ItemIn("going_well", "Mornings are calmer", mum, "everyone"),
            ItemIn("going_well", SENTINELS["household_only"], mum, "family"),
            ItemIn("going_well", f"{SENTINELS['barred_person']} said hello", barred, "everyone"),
        ],
    )
    family_world.add_note(
        worker,
        family_id=family,
        kind="huddle",
        words=SENTINELS["staff_note"],
        written_on=date.today(),
    )
    family_world.save_keeping_safe(
        worker,
        family_id=family,
        seen_version=0,
        safe_phone=SENTINELS["keeping_safe_phone"],
        ok_to_leave_messages=False,
        never_show=SENTINELS["keeping_safe"],
    )
    return {"worker": worker, "family": family}


def _conference(family_id: int, audience: str):
    at = shared_screen(logged_in("confworker"), family_id, audience)
    assert not at.exception
    return at


@pytest.mark.parametrize("audience", ["everyone", "household"])
def test_conference_mode_and_family_copy_leak_nothing(seeded, audience):
    at = _conference(seeded["family"], audience)
    screen = all_text(at)
    copy = render(meeting_screen(seeded["worker"], seeded["family"], audience))
    assert "Tea together on Sundays" in screen and "Sunday tea at Nan" in screen
    assert "Tea together on Sundays" in copy and "Sunday tea at Nan" in copy
    forbidden = {
        k: v
        for k, v in SENTINELS.items()
        if not (audience == "household" and k in HOUSEHOLD_MAY_SEE)
    }
    assert [k for k, v in forbidden.items() if v in screen] == []
    assert [k for k, v in forbidden.items() if v in copy] == []
    if audience == "household":
        assert SENTINELS["household_only"] in screen
        assert SENTINELS["household_only_step"] in screen
        assert SENTINELS["household_only_step"] in copy
    assert "Real change" not in screen and "◆" not in screen


def test_the_worker_view_is_shown_openly_on_the_family_screen(seeded):
    screen = all_text(_conference(seeded["family"], "everyone"))
    assert "worker's view" in screen


def test_conference_screen_uses_family_words_only(seeded):
    # A staff-only note full of service words, to show the check would catch them leaking.
    family_world.add_note(
        seeded["worker"],
        family_id=seeded["family"],
        kind="huddle",
        words="Handover to the lead worker after the review of the caseload",
        written_on=date.today(),
    )
    staff_words = terms_in("Handover to the lead worker after the review of the caseload")
    assert len(staff_words) == 4
    for audience in ("everyone", "household"):
        screen = all_text(_conference(seeded["family"], audience))  # unescaped, labels, charts
        assert [t for t in terms_in(screen)] == []
    # The same scan does find them where they are shown: the staff timeline.
    at = open_family_page("confworker", seeded["family"])
    at.segmented_control(key="family_section").set_value("Timeline").run()
    assert set(staff_words) <= set(terms_in(all_text(at)))


def test_family_copy_escapes_what_people_type(seeded):
    meetings.add_plan_step(
        seeded["worker"],
        family_id=seeded["family"],
        step=PlanStepIn("<script>alert('x')</script> & <b>bold</b>", visibility="everyone"),
    )
    copy = render(meeting_screen(seeded["worker"], seeded["family"], "everyone"))
    assert "<script>alert" not in copy and "&lt;script&gt;" in copy
    assert "<b>bold" not in copy


def test_the_family_copy_names_the_team_as_the_team_calls_itself(seeded):
    copy = render(meeting_screen(seeded["worker"], seeded["family"], "everyone"))
    assert "Conference team" in copy
    assert "team team" not in copy.lower()  # "the Northfield Family Team team"


def test_leaving_the_family_screen_is_deliberate(seeded):
    at = _conference(seeded["family"], "everyone")
    assert at.session_state["idle_exempt"] is True
    at.run()
    assert at.session_state["conference"].family_id == seeded["family"]  # still open
    at.text_input(key="conference_leave_password").input(factories.TEST_PASSWORD)
    next(b for b in at.button if b.key == "conference_leave").click()
    at.run()
    assert "conference" not in at.session_state


def test_huddle_page_and_wall_view(demo_db):
    at = logged_in("practitioner")
    at.run()
    at.switch_page("pages/huddle.py").run()
    assert not at.exception
    titles = [s.value for s in at.header]
    assert titles[0].startswith("Actions from the last huddle")  # followed up first
    assert titles[1].startswith("Waiting to meet a worker") and titles[-1].startswith("Good news")
    next(b for b in at.button if b.key == "huddle_start").click()
    at.run()
    next(b for b in at.button if b.key == "huddle_wall_open").click()
    at.run()
    assert at.session_state["idle_exempt"] is True
    assert not [e for e in at.text_area] and not at.get("selectbox")  # no forms on the wall
    next(b for b in at.button if b.key == "huddle_wall_back").click()
    at.run()
    assert any(t.value == "Weekly huddle" for t in at.title)


def test_adding_to_the_plan_on_the_family_screen_keeps_text_on_a_refusal_and_clears_after(seeded):
    at = _conference(seeded["family"], "everyone")

    def box(field):
        return next(
            e
            for e in at.text_input
            if e.key and e.key.startswith("conference_plan_g") and e.key.endswith(f"_{field}")
        )

    too_long = "Nan and Grandad take turns with the school run. " * 12
    box("what").input(too_long)
    next(b for b in at.button if b.label == "Add to the plan").click()
    at.run()
    near_save = errors_in_form(at, "conference_plan")
    assert near_save and "too long" in near_save[0]
    assert box("what").value == too_long
    box("what").input("Grandad does Tuesdays")
    next(b for b in at.button if b.label == "Add to the plan").click()
    at.run()
    assert not at.error and box("what").value == ""
    # Added in front of the whole network, it is shared with them unless they chose otherwise.
    assert "Grandad does Tuesdays" in all_text(at)


def test_the_family_copy_says_what_happens_next_and_how_to_reach_the_worker(seeded):
    factories.held_conference(
        seeded["worker"],
        seeded["family"],
        days_ago=1,
        if_plan_does_not_work="We ring Auntie Jo & meet again",
        look_again_on=date.today() + timedelta(days=30),
    )
    copy = render(meeting_screen(seeded["worker"], seeded["family"], "household"))
    assert "If the plan doesn't work" in copy and "We ring Auntie Jo &amp; meet again" in copy
    assert f"{date.today() + timedelta(days=30):%-d %B %Y}" in copy
    assert "How to reach your worker" in copy
    assert "Next time we meet" in copy  # the catch-up on the plan the conference planned
    assert terms_in(copy) == []


def test_the_screen_opens_only_once_the_worker_says_no_one_kept_out_is_in_the_room(seeded):
    at = logged_in("confworker")
    at.run()
    at.query_params["family"] = str(seeded["family"])
    at.switch_page("pages/conference.py").run()
    [warning] = [w.value for w in at.warning]
    assert SENTINELS["barred_person"] in warning and "Not to see the plan" in warning
    assert next(b for b in at.button if b.key == "conference_open").disabled
    next(c for c in at.checkbox if c.key == f"conference_none_kept_out_{seeded['family']}").check()
    at.run()
    next(b for b in at.button if b.key == "conference_open").click()
    at.run()
    assert at.session_state["conference"].family_id == seeded["family"]


def test_a_family_with_no_one_kept_out_opens_without_a_question(demo_db):
    team = factories.team("Open team")
    factories.worker("openworker", Role.practitioner, teams=(team,))
    family = factories.family(team, "The Brooks family", first_came_on=date(2025, 1, 1))
    factories.person(family, "Mum", Relationship.parent)
    at = logged_in("openworker")
    at.run()
    at.query_params["family"] = str(family)
    at.switch_page("pages/conference.py").run()
    assert not at.warning and not at.checkbox
    next(b for b in at.button if b.key == "conference_open").click()
    at.run()
    assert at.session_state["conference"].family_id == family


@pytest.mark.parametrize("audience", ["everyone", "household"])
def test_each_person_in_the_room_scores_their_shown_goals_on_the_family_screen(seeded, audience):
    factories.person(seeded["family"], "Nan Rivers", Relationship.grandparent)
    factories.person(
        seeded["family"], "Grandad Rivers", Relationship.grandparent, in_household=False
    )
    at = _conference(seeded["family"], audience)
    whose = next(s for s in at.selectbox if s.key == f"score_round_whose_{seeded['family']}")
    # Only people who may be in this room: never the person kept from the plan and the
    # meeting; for just the household, only those who live in it.
    assert SENTINELS["barred_person"] not in whose.options
    assert {"Mum", "Ellie", "Nan Rivers"} <= set(whose.options)
    assert ("Grandad Rivers" in whose.options) == (audience == "everyone")
    whose.select_index(whose.options.index("Mum")).run()
    boxes = [n for n in at.number_input if n.key and "_score_" in n.key]
    shown = " ".join(m.value for m in at.markdown)
    # Only goals this screen shows: never a private goal, nor the kept-out person's goal.
    assert SENTINELS["private_goal"] not in shown and SENTINELS["barred_goal"] not in shown
    assert len(boxes) == 1 and "Tea together on Sundays" in shown
    boxes[0].set_value(6)
    next(b for b in at.button if b.label == "Save scores").click()
    at.run()
    assert not at.exception and not at.error
    assert at.session_state["conference"].family_id == seeded["family"]  # still the family's
    # Saved once, and on the worker's own screens afterwards.
    scores = goal_data(seeded["worker"], seeded["family"]).scores
    assert scores[scores["scorer"] == "Mum"]["score"].tolist().count(6) == 1


def test_the_family_screen_says_the_whole_network_in_the_teams_own_word(demo_db):
    team = factories.team("Hui team")
    factories.worker("huiworker", Role.practitioner, teams=(team,))
    boss = factories.worker("huiadmin", Role.admin)
    family = factories.family(team, "The Ngata whānau", first_came_on=date(2025, 1, 1))
    factories.person(family, "Mum", Relationship.parent)
    admin.set_team_term(
        boss, team_id=team, term="family_meeting", language="en", words="hui", seen_version=0
    )
    at = shared_screen(logged_in("huiworker"), family, "everyone")
    assert not at.exception
    shown = next(r for r in at.radio if r.key and r.key.endswith("_visibility")).options
    assert "Everyone at the hui" in shown and "Everyone at a family meeting" not in shown


@pytest.mark.parametrize("audience", ["everyone", "household"])
def test_a_goal_set_in_the_room_is_shared_with_the_room_and_shown_at_once(seeded, audience):
    at = _conference(seeded["family"], audience)
    whose = next(s for s in at.selectbox if s.key and s.key.startswith("goal_add_"))
    assert SENTINELS["barred_person"] not in whose.options  # not someone kept out of the room
    whose.select_index(whose.options.index("Ellie"))
    shared = next(r for r in at.radio if r.key and r.key.startswith("goal_add_"))
    assert shared.value == ("everyone" if audience == "everyone" else "family")
    assert "Everyone at the family meeting" in shared.options
    next(t for t in at.text_input if t.key.endswith("_wording")).input("Walk to school with Mum")
    next(b for b in at.button if b.label == "Save goal").click()
    at.run()
    assert not at.exception and not at.error
    assert any(m.value.endswith("Walk to school with Mum") for m in at.markdown)  # on screen
    assert at.session_state["conference"].family_id == seeded["family"]
    staff = goal_data(seeded["worker"], seeded["family"]).goals  # on the worker's screens
    assert staff["wording"].tolist().count("Walk to school with Mum") == 1


def _say_in_the_room(at, going_well: str, hard: str) -> None:
    areas = {a.label: a for a in at.text_area if a.key.startswith("conference_said_")}
    areas["What's going well"].input(going_well)
    areas["What's hard"].input(hard)
    next(b for b in at.button if b.label == "Save what was said").click()
    at.run()
    assert not at.exception and not at.error


def test_what_is_going_well_and_hard_said_in_the_room_is_saved_once_and_shown(seeded):
    at = _conference(seeded["family"], "household")
    by = next(s for s in at.selectbox if s.key and s.key.startswith("conference_said_"))
    assert SENTINELS["barred_person"] not in by.options
    by.select_index(by.options.index("Mum"))
    _say_in_the_room(at, "Toast together before school\nEllie read to Nan", "Bedtime is hard")
    # Saved again, as after a click in a hurry or a dropped connection: nothing new is stored.
    by = next(s for s in at.selectbox if s.key and s.key.startswith("conference_said_"))
    by.select_index(by.options.index("Mum"))
    _say_in_the_room(at, "Toast together before school\nEllie read to Nan", "Bedtime is hard")
    shown = " ".join(m.value for m in at.markdown)
    assert "Toast together before school" in shown and "Ellie read to Nan" in shown
    said = meetings.conversations(seeded["worker"], seeded["family"])  # the worker's screens
    words = said["words"].tolist()
    assert words.count("Toast together before school") == words.count("Bedtime is hard") == 1
    hard = said[said["words"] == "Bedtime is hard"].iloc[0]
    assert hard["said_by"] == "Mum" and hard["visibility"] == "family"


def test_a_tick_for_one_family_does_not_open_anothers_screen(seeded):
    """'None of them is in the room' is said of one family's people: moving to another family's
    screen asks again."""
    with read_session() as session:
        team_id = session.get_one(Family, seeded["family"]).team_id
    other = factories.family(team_id, "The Lake family", first_came_on=date(2025, 1, 1))
    factories.person(other, "Gran Lake", Relationship.grandparent, must_not_see_plan=True)
    at = logged_in("confworker")
    at.run()
    at.query_params["family"] = str(seeded["family"])
    at.switch_page("pages/conference.py").run()
    next(c for c in at.checkbox if c.key.startswith("conference_none_kept_out")).check().run()
    assert not next(b for b in at.button if b.key == "conference_open").disabled
    at.query_params["family"] = str(other)
    at.run()
    assert "Gran Lake" in at.warning[0].value
    assert next(b for b in at.button if b.key == "conference_open").disabled
