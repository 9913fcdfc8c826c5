"""The family's own space on screen: a worker invites, the family member takes up the invitation
and logs in, scores a goal with one tap, ticks a step, adds one, sends a message; the worker
sees it and pauses the login; a family member never reaches a staff page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select
from streamlit.runtime.context import ContextProxy

from db import family_space, i18n, meetings
from db.meetings import PlanStepIn
from db.plain_language import terms_in
from db.store.clock import utcnow
from db.store.engine import read_session, write_session
from db.store.models import GoalScore, Person, PlanStep, ScoreRound
from tests import factories as make
from tests.apptest import all_text, chart_rows, logged_in, new_app, open_family_page

PASSWORD = "a long family passphrase"


@pytest.fixture
def world(empty_db):
    sam, family, mum, goal = make.rivers_family(zero_means="Shouting", ten_means="Calm and on time")
    meetings.add_plan_step(sam, family_id=family, step=PlanStepIn(what="Ring the school"))
    team = next(iter(sam.team_ids))
    return {"sam": sam, "family": family, "mum": mum, "goal": goal, "team": team}


def _family_page(world, section: str = "Working together"):
    at = open_family_page("sam", world["family"])
    at.segmented_control(key="family_section").set_value(section).run()
    assert not at.exception
    return at


def _invite_mum(world) -> str:
    """Sam's invitation for Dana, the mum, to the family's own space: the code in its link."""
    return family_space.invite_family_member(
        world["sam"], family_id=world["family"], person_id=world["mum"]
    )


def _invitation_page(code: str):
    """What the invitation link opens, for someone not logged in."""
    at = new_app()
    at.query_params["invite"] = code
    return at.run()


def _member(world, username: str = "dana"):
    code = _invite_mum(world)
    family_space.accept_invitation(code, username=username, password=PASSWORD)
    at = logged_in(username)
    at.session_state["roles"] = ["family_member"]
    at.run()
    assert not at.exception
    return at


def _member_speaking(world, language: str):
    """The family member logged in, their family's language set to `language`."""
    make.choose_language(world["sam"], world["family"], language)
    return _member(world)


def test_a_worker_makes_an_invitation_shown_once(world):
    at = _family_page(world)
    at.button(key="FormSubmitter:invite_family_member-Make an invitation").click().run()
    assert not at.exception
    link = at.code[0].value
    assert "?invite=" in link
    code = link.split("?invite=", 1)[1]
    assert family_space.invitation_first_name(code) == "Dana"
    at.run()  # shown once: gone on the next run
    assert len(at.code) == 0


def test_taking_up_an_invitation_then_logging_in(world):
    code = _invite_mum(world)
    at = _invitation_page(code)
    assert "Hello Dana" in all_text(at)
    at.text_input[0].input("dana")
    at.text_input[1].input(PASSWORD)
    at.text_input[2].input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception
    assert "Your login is ready" in all_text(at)
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    at.text_input[0].input("dana")
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    at.run()
    assert not at.exception
    text = all_text(at)
    assert "Hello, Dana" in text and "Calmer mornings" in text
    assert "sidebar_log_out" not in text and "My families" not in text


def test_a_used_code_gets_a_kind_message(world):
    code = _invite_mum(world)
    family_space.accept_invitation(code, username="dana", password=PASSWORD)
    at = _invitation_page(code)
    assert "Please ask your worker for a new one" in all_text(at)
    assert len(at.text_input) == 0


def test_one_tap_scores_at_home_and_the_worker_sees_it(world):
    at = _member(world)
    at.pills(key=f"space_score_{world['goal']}").set_value(7).run()
    assert not at.exception
    assert "your score today is 7" in all_text(at)
    at.pills(key=f"space_score_{world['goal']}").set_value(8).run()
    with read_session() as session:
        rows = session.exec(select(GoalScore, ScoreRound).join(ScoreRound)).all()
    assert [(s.score, r.at_home) for s, r in rows] == [(8, True)]
    staff = _family_page(world, "Goals")
    assert "Scored at home" in all_text(staff)


def test_a_second_tap_on_the_chosen_score_keeps_the_score_given(world):
    """A double tap on a phone chooses, then unchooses: the buttons go on showing the score
    that was saved, as the sentence under them does."""
    at = _member(world)
    scores = f"space_score_{world['goal']}"
    at.pills(key=scores).set_value(7).run()
    at.pills(key=scores).set_value(None).run()
    assert not at.exception
    assert at.pills(key=scores).value == 7
    assert "your score today is 7" in all_text(at)


def _todays_home_scores() -> list[tuple[int, str]]:
    with read_session() as session:
        return [(s.score, s.comment) for s in session.exec(select(GoalScore)).all()]


def test_words_typed_after_the_tap_are_kept_with_the_score(world):
    """The box for what made the difference sits above the score: someone who taps first and
    types after (nothing else to press) keeps their words."""
    at = _member(world)
    at.pills(key=f"space_score_{world['goal']}").set_value(7).run()
    at.text_input(key=f"space_comment_{world['goal']}").input("The school run was calm").run()
    assert not at.exception
    assert _todays_home_scores() == [(7, "The school run was calm")]


def test_a_later_score_the_same_day_keeps_the_words_given_earlier(world):
    """Back later the same day (a new login), the words given with this morning's score are in
    their box, so tapping a new score doesn't wipe them."""
    morning = _member(world)
    morning.text_input(key=f"space_comment_{world['goal']}").input("Calm school run").run()
    morning.pills(key=f"space_score_{world['goal']}").set_value(7).run()
    assert _todays_home_scores() == [(7, "Calm school run")]
    at = logged_in("dana")
    at.session_state["roles"] = ["family_member"]
    at.run()
    assert at.text_input(key=f"space_comment_{world['goal']}").value == "Calm school run"
    at.pills(key=f"space_score_{world['goal']}").set_value(8).run()
    assert not at.exception
    assert _todays_home_scores() == [(8, "Calm school run")]


def test_the_familys_chart_shows_a_new_home_score_at_once(world):
    """The space's charts are kept between drawings, keyed by the family's data version: a
    score saved at home (here or on another server) is on the chart the next time it draws."""
    at = _member(world)
    scores = f"space_score_{world['goal']}"
    at.pills(key=scores).set_value(7).run()
    assert [row["score"] for row in chart_rows(at)] == [7]
    at.pills(key=scores).set_value(3).run()  # the same day: it replaces the 7
    assert not at.exception
    assert [row["score"] for row in chart_rows(at)] == [3]


def test_ticking_a_step_and_adding_one(world):
    at = _member(world)
    at.segmented_control(key="space_section").set_value("Our plan").run()
    at.button(key=next(b.key for b in at.button if (b.key or "").startswith("space_tick_"))).click()
    at.run()
    assert not at.exception
    at.text_area[0].input("Walked to school <b>together</b>")
    at.button(key="FormSubmitter:space_own_step-Add it").click().run()
    assert not at.exception
    with read_session() as session:
        steps = session.exec(select(PlanStep)).all()
    assert all(s.done_on is not None and s.done_by_person_id == world["mum"] for s in steps)
    assert "Walked to school <b>together</b>" in all_text(at)
    staff = _family_page(world, "Plan")
    assert "the family ticked it at home" in all_text(staff)


def test_a_tick_given_by_mistake_can_be_taken_off(world):
    at = _member(world)
    at.segmented_control(key="space_section").set_value("Our plan").run()
    tick = next(b.key for b in at.button if (b.key or "").startswith("space_tick_"))
    at.button(key=tick).click().run()
    assert not at.exception
    untick = tick.replace("space_tick_", "space_untick_")
    assert at.button(key=untick).label == "Take the tick off"
    at.button(key=untick).click().run()
    assert not at.exception
    with read_session() as session:
        assert session.exec(select(PlanStep)).one().done_on is None
    assert at.button(key=tick).label == "I did this"


def test_a_message_reaches_the_family_page_and_the_huddle(world):
    at = _member(world)
    at.segmented_control(key="space_section").set_value("Tell my worker").run()
    at.text_area[0].input("")
    at.button(key="FormSubmitter:space_message-Send to my worker").click().run()
    assert [e.value for e in at.error]  # nothing written: said plainly, nothing stored
    at.text_area[0].input("Can we move **Thursday**?")
    at.button(key="FormSubmitter:space_message-Send to my worker").click().run()
    assert not at.exception and at.success
    staff = _family_page(world)
    assert "Can we move **Thursday**?" in all_text(staff)
    huddle = logged_in("sam")
    huddle.run()
    huddle.switch_page("pages/huddle.py").run()
    assert not huddle.exception
    text = all_text(huddle)
    assert "Families who scored at home or told us through their space" in text
    assert "The Rivers family: told us something through their space" in text


def test_pausing_ends_the_open_session(world):
    at = _member(world)
    staff = _family_page(world)
    pause = next(b for b in staff.button if (b.key or "").startswith("login_pause_"))
    pause.click().run()
    assert not staff.exception
    assert "Paused" in all_text(staff)
    at.run()
    assert "paused or ended by your worker" in all_text(at)
    assert [t.label for t in at.text_input] == ["Username", "Password"]


def test_a_family_member_reaches_no_staff_page(world):
    at = _member(world)
    # The page list holds their own space only: no staff page is even registered.
    with pytest.raises(ValueError, match=r"Known pages: \['Our space'"):
        at.switch_page("pages/families.py")
    staff_pages = ("families", "family", "huddle", "conference", "admin", "audit", "continuity")
    for page in staff_pages + ("account", "new_family"):
        direct = logged_in("dana", f"pages/{page}.py")  # as a cold server serves the file
        direct.query_params["family"] = str(world["family"])
        direct.run()
        text = all_text(direct)
        assert "isn't available to you" in text, page
        assert "Ring the school" not in text and "Rivers" not in text, page


def test_the_space_uses_family_words_only(world):
    at = _member(world)
    for section in ("Our goals", "Our plan", "Tell my worker"):
        at.segmented_control(key="space_section").set_value(section).run()
        assert terms_in(all_text(at)) == [], section


def test_the_invitation_uses_family_words_only(world):
    code = _invite_mum(world)
    at = _invitation_page(code)
    assert "Hello Dana" in all_text(at)
    assert terms_in(all_text(at)) == []


def test_the_login_times_out_sooner(world):
    at = _member(world)
    at.session_state["last_active_at"] = utcnow() - timedelta(minutes=20)
    at.run()
    assert [t.label for t in at.text_input] == ["Username", "Password"]


def test_a_young_person_gets_faces_and_larger_type(world):
    from db.store.models import Relationship as R

    mia = make.person(world["family"], "Mia", R.child, birth_year=2013)
    code = family_space.invite_family_member(
        world["sam"], family_id=world["family"], person_id=mia, young_person=True, child_agreed=True
    )
    family_space.accept_invitation(code, username="mia.rivers", password=PASSWORD)
    at = logged_in("mia.rivers")
    at.run()
    assert not at.exception
    scale = at.pills(key=f"space_score_{world['goal']}")
    assert "Tap a face" in scale.label
    faces = [f"{o.content_icon} {o.content}".strip() for o in scale.proto.options]
    assert faces[0] == "😣 0" and faces[10] == "😄 10"
    assert "font-size: 1.45rem" in all_text(at)


@pytest.mark.parametrize(
    ("language", "goals_word", "plan_word"),
    [("cy", "Ein nodau", "Ein cynllun"), ("ur", "ہمارے مقاصد", "ہمارا منصوبہ")],
)
def test_the_space_speaks_the_familys_own_language(world, language, goals_word, plan_word):
    from db import i18n

    at = _member_speaking(world, language)
    sections = at.segmented_control(key="space_section")
    with i18n.speaking(language):
        assert [sections.format_func(o) for o in sections.options] == [
            goals_word,
            plan_word,
            i18n._("Tell my worker"),
        ]
    assert at.title[0].value == i18n.translations(language).gettext("Hello, {name}").format(
        name="Dana"
    )
    text = all_text(at)
    for english in ("Your score for today", "What made the difference", "Our goals"):
        assert english not in text
    if language == "ur":
        assert "direction: rtl" in text


@pytest.mark.parametrize(
    ("language", "empty"),
    [
        ("cy", "Ysgrifennwch rywbeth ar gyfer eich neges."),
        ("ur", "آپ کا پیغام: براہ کرم کچھ لکھیں۔"),
    ],
)
def test_a_problem_with_what_the_family_wrote_is_said_in_their_language(world, language, empty):
    from db import i18n

    at = _member_speaking(world, language)
    with i18n.speaking(language):  # the test reads the options as the family sees them
        at.segmented_control(key="space_section").set_value(i18n._("Tell my worker")).run()
    at.text_area[0].input("   ")
    at.button(key=next(b.key for b in at.button if "space_message" in (b.key or ""))).click().run()
    assert not at.exception
    assert [e.value.replace("\\", "") for e in at.error] == [empty]  # drawn as plain text
    assert "Please write" not in all_text(at)


# --- in the family's language, from the invitation on -----------------------------------------


def _phone_speaks(monkeypatch, locale: str) -> None:
    monkeypatch.setattr(ContextProxy, "locale", property(lambda self: locale))


def test_the_invitation_and_the_note_after_it_speak_the_phones_language(world, monkeypatch):
    _phone_speaks(monkeypatch, "cy-GB")
    at = _invitation_page(_invite_mum(world))
    with i18n.speaking("cy"):
        assert at.title[0].value == i18n._("Your family's space") != "Your family's space"
        at.text_input[0].input("dana")
        at.text_input[1].input(PASSWORD)
        at.text_input[2].input(PASSWORD)
        at.button[0].click().run()
        ready = i18n._("Your login is ready. Log in with the username and password you chose.")
    assert not at.exception
    assert ready in [box.value for box in at.info]


@pytest.mark.parametrize("language", ["cy", "ur"])
def test_the_idle_warning_in_a_familys_space_is_in_their_language(world, language, monkeypatch):
    at = _member_speaking(world, language)
    from components.auth import idle_watch

    # Every AppTest run counts as activity, so the minutes left are what is stood in for.
    monkeypatch.setattr(idle_watch.auth, "idle_minutes_left", lambda **_: 3.0)
    at.run()
    with i18n.speaking(language):
        still_here = i18n._("I'm still here")
    assert still_here != "I'm still here"
    assert still_here in [b.label for b in at.button]
    assert not [w for w in at.warning if "You'll be logged out" in w.value]


@pytest.mark.parametrize("language", ["cy", "ur"])
def test_a_space_no_longer_available_says_so_in_their_language(world, language):
    at = _member_speaking(world, language)
    with write_session() as session:
        mum = session.get_one(Person, world["mum"])
        mum.must_not_see_plan = True
        session.add(mum)
    at.run()
    with i18n.speaking(language):
        expected = i18n._(
            "Your family's space isn't available just now. Please talk to your worker."
        )
    assert [w.value for w in at.warning] == [expected]


def test_logging_out_of_the_space_is_told_in_the_phones_language(world, monkeypatch):
    _phone_speaks(monkeypatch, "ur-PK")
    at = _member_speaking(world, "ur")
    at.button(key="space_log_out").click().run()
    at.run()
    with i18n.speaking("ur"):
        assert i18n._("You've logged out.") in [box.value for box in at.info]
    assert "You've logged out." not in all_text(at)
