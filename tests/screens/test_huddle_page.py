"""The weekly huddle screen: last huddle's actions come back to follow up."""

from __future__ import annotations

from db import families as family_store
from db import huddle
from db.rules.access import load_actor
from db.store.engine import read_session
from tests.apptest import all_text, logged_in


def test_the_huddle_opens_with_last_huddles_actions_to_follow_up(demo_db):
    with read_session() as session:
        sam = load_actor(session, "practitioner")
    team_id = int(family_store.teams_for(sam)["team_id"].iloc[0])
    # The last huddle before this week (the demo's, or a new one a week ago).
    last = huddle.board(sam, team_id).since
    held = huddle.hold(sam, team_id, on=last)
    family = family_store.families(sam).iloc[0]
    huddle.talked_about(
        sam,
        huddle_id=held,
        family_id=int(family["family_id"]),
        action="Ring the school about the trip",
        action_worker_id=sam.worker_id,
        action_by=last,
    )

    at = logged_in("practitioner")
    at.run()
    at.switch_page("pages/huddle.py").run()
    assert not at.exception
    assert at.header[0].value == "Actions from the last huddle (1)"
    follow_up = at.dataframe[0].value
    assert list(follow_up["Action"]) == ["Ring the school about the trip"]
    assert list(follow_up["Family"]) == [family["family"]]
    assert list(follow_up["Past its date"]) == ["Yes"]
    assert "Ring the school about the trip" in all_text(at)


def _huddle_page():
    at = logged_in("practitioner")
    at.run()
    at.switch_page("pages/huddle.py").run()
    assert not at.exception
    return at


def test_a_week_gone_by_offers_no_huddle_to_start_and_this_week_does(demo_db):
    from datetime import timedelta

    from sqlmodel import select

    from db.store.models import Huddle

    at = _huddle_page()
    this_week = at.date_input(key="huddle_week").value
    at.date_input(key="huddle_week").set_value(this_week - timedelta(days=21)).run()
    assert not at.exception
    assert not [b for b in at.button if b.key == "huddle_start"]
    assert "No huddle was recorded that week." in [box.value for box in at.info]

    at.date_input(key="huddle_week").set_value(this_week).run()
    with read_session() as session:
        before = len(session.exec(select(Huddle)).all())
    at.button(key="huddle_start").click().run()
    assert not at.exception
    with read_session() as session:
        assert len(session.exec(select(Huddle)).all()) == before + 1
    assert not [b for b in at.button if b.key == "huddle_start"]  # the talked-about form now


def test_the_week_box_goes_no_further_than_today(demo_db):
    at = _huddle_page()
    box = at.date_input(key="huddle_week")
    assert box.proto.max == box.proto.default[0]


def test_a_new_team_sees_a_friendly_empty_huddle(demo_db):
    from db.store.models import Role
    from tests import factories

    team = factories.team("New team")
    factories.worker("new.team.worker", Role.practitioner, teams=(team,))
    at = logged_in("new.team.worker")
    at.run()
    at.switch_page("pages/huddle.py").run()
    assert not at.exception, [e.message for e in at.exception]
    assert [box.value for box in at.info] == [
        "Your team has no families yet. Once a family is added, the huddle lists them here."
    ]
    assert not [b for b in at.button if b.key == "huddle_start"]  # nothing to hold it about


def test_a_huddle_with_nobody_listed_has_no_family_to_mark(demo_db):
    from datetime import datetime, timedelta, timezone

    from db.store.models import Role
    from tests import factories

    team = factories.team("Quiet team")
    factories.worker("quiet.worker", Role.practitioner, teams=(team,))
    fine = factories.family(team, "The Fines")
    factories.meeting(fine, datetime.now(timezone.utc) - timedelta(days=8))  # met last week
    at = logged_in("quiet.worker")
    at.run()
    at.switch_page("pages/huddle.py").run()
    assert not at.exception, [e.message for e in at.exception]
    at.button(key="huddle_start").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert "Nobody is listed this week, so there is no family to mark as talked about." in [
        caption.value for caption in at.caption
    ]


def test_we_talked_about_saved_twice_is_stored_once_and_said_kindly(demo_db):
    from sqlmodel import select

    from db.store.models import HuddleFamily

    at = _huddle_page()
    at.button(key="huddle_start").click().run()
    assert not at.exception

    with read_session() as session:
        sam = load_actor(session, "practitioner")

    def save_it():
        def box(kind, label):
            return next(w for w in getattr(at, kind) if w.label == label)

        box("text_area", "Huddle note (staff only)").input("Mum's benefits stopped")
        box("text_input", "Action agreed").input("Ring the benefits office")
        box("selectbox", "Who").set_value(sam.worker_id)
        next(b for b in at.button if b.label == "Save").click().run()
        assert not at.exception, [e.message for e in at.exception]

    save_it()
    save_it()  # the same words again, a moment later (a second click)
    assert "This was saved a moment ago" in " ".join(box.value for box in at.info)
    with read_session() as session:
        actions = session.exec(
            select(HuddleFamily.action).where(HuddleFamily.action == "Ring the benefits office")
        ).all()
    assert actions == ["Ring the benefits office"]


def test_each_persons_scores_are_their_own_line_and_named(demo_db):
    from datetime import timedelta

    from db.goals import GoalIn, ScoreIn, add_goal, record_scores
    from db.store.clock import today_in
    from db.store.models import Relationship, Role
    from tests import factories

    team = factories.team("Sparkline team")
    sam = factories.worker("spark.worker", Role.practitioner, teams=(team,))
    family = factories.family(team, "The Lines")  # never met yet: listed
    mia = factories.person(family, "Mia")
    dad = factories.person(family, "Dad", Relationship.parent)
    today = today_in("Europe/London")
    goal = add_goal(
        sam, family_id=family, goal=GoalIn("Calmer bedtimes", mia, set_on=today - timedelta(days=9))
    )
    for token, day, mia_score, dad_score in (("a", 2, 7, 3), ("b", 0, 4, 5)):
        record_scores(
            sam,
            family_id=family,
            token=token,
            scored_on=today - timedelta(days=day),
            scores=[
                ScoreIn(goal, mia_score, person_id=mia),
                ScoreIn(goal, dad_score, person_id=dad),
            ],
        )
    at = logged_in("spark.worker")
    at.run()
    at.switch_page("pages/huddle.py").run()
    assert not at.exception, [e.message for e in at.exception]
    shown = next(
        frame.value for frame in at.dataframe if "The Lines" in list(frame.value.get("Family", []))
    )
    assert list(shown["Whose scores"]) == ["Mia, Dad"]
    assert [list(line) for line in shown["Scores 1"]] == [[7, 4]]
    assert [list(line) for line in shown["Scores 2"]] == [[3, 5]]


def test_a_leavers_families_get_their_own_heading_only_while_there_are_some(demo_db):
    from db import admin

    at = _huddle_page()
    headings = [h.value for h in at.header]
    assert not any(h.startswith("Their worker has left") for h in headings)
    with read_session() as session:
        sam, boss = load_actor(session, "practitioner"), load_actor(session, "admin")
    team_id = int(family_store.teams_for(sam)["team_id"].iloc[0])
    team_name = huddle.board(sam, team_id).team_name
    workers = family_store.team_members(sam, team_id)["worker_id"]
    leaver = next(  # a colleague of Sam's who works with some of the team's families
        int(w) for w in workers if w != sam.worker_id and not admin.handover(boss, int(w)).empty
    )
    handover = admin.handover(boss, leaver)
    count = int((handover["team"] == team_name).sum())
    admin.set_active(boss, leaver, False)
    at.run()
    assert f"Their worker has left or moved team ({count})" in [h.value for h in at.header]
    assert "can't log in any more. See Working together" in all_text(at)
