"""A family whose phone or family speaks Welsh or Urdu hears it from the invitation on: the
invitation screen, the note that their login is ready, the idle warning in their space, a
refusal drawn before the space is read, and the note after logging out."""

from __future__ import annotations

import pytest
from streamlit.runtime.context import ContextProxy

from db import family_space, goals, i18n
from db.goals import GoalIn
from db.rules.access import load_actor
from db.store.engine import read_session, write_session
from db.store.models import Person, Relationship, Role
from tests import factories as make
from tests.apptest import all_text, logged_in, new_app

PASSWORD = "a long family passphrase"


@pytest.fixture
def world(empty_db):
    team = make.team()
    make.worker("sam", Role.practitioner, teams=(team,))
    with read_session() as session:
        sam = load_actor(session, "sam")
    family = make.family(team, "The Rivers family")
    mum = make.person(family, "Dana Rivers", Relationship.parent)
    goals.add_goal(sam, family_id=family, goal=GoalIn(wording="Calmer mornings"))
    return {"sam": sam, "family": family, "mum": mum}


def _phone_speaks(monkeypatch, locale: str) -> None:
    monkeypatch.setattr(ContextProxy, "locale", property(lambda self: locale))


def _invitation(world):
    at = new_app()
    at.query_params["invite"] = family_space.invite_family_member(
        world["sam"], family_id=world["family"], person_id=world["mum"]
    )
    return at.run()


def _member(world, language: str):
    make.choose_language(world["sam"], world["family"], language)
    code = family_space.invite_family_member(
        world["sam"], family_id=world["family"], person_id=world["mum"]
    )
    family_space.accept_invitation(code, username="dana", password=PASSWORD)
    at = logged_in("dana")
    at.session_state["roles"] = ["family_member"]
    at.run()
    assert not at.exception
    return at


def test_the_invitation_and_the_note_after_it_speak_the_phones_language(world, monkeypatch):
    _phone_speaks(monkeypatch, "cy-GB")
    at = _invitation(world)
    with i18n.speaking("cy"):
        assert at.title[0].value == i18n._("Your family's space")
        assert at.title[0].value != "Your family's space"
        at.text_input[0].input("dana")
        at.text_input[1].input(PASSWORD)
        at.text_input[2].input(PASSWORD)
        at.button[0].click().run()
        ready = i18n._("Your login is ready. Log in with the username and password you chose.")
    assert not at.exception
    assert ready in [box.value for box in at.info]


@pytest.mark.parametrize("language", ["cy", "ur"])
def test_the_idle_warning_in_a_familys_space_is_in_their_language(world, language, monkeypatch):
    at = _member(world, language)
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
    at = _member(world, language)
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
    at = _member(world, "ur")
    at.button(key="space_log_out").click().run()
    at.run()
    with i18n.speaking("ur"):
        assert i18n._("You've logged out.") in [box.value for box in at.info]
    assert "You've logged out." not in all_text(at)
