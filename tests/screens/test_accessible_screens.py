"""What a screen reader needs from the family-facing screens, checked on the screens' own
elements: headings in order (no level skipped, so the outline a screen reader lists makes
sense), each chart said in words too, and the language the screen speaks told to the browser.
tests/e2e/test_accessibility.py runs axe-core on the same screens in a real browser."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from db import family_space, goals
from db.goals import ScoreIn
from tests import factories as make
from tests.apptest import logged_in, open_family_page, shared_screen

PASSWORD = "a long family passphrase"


def _in_order(node):
    yield node
    children = getattr(node, "children", {})
    for place in sorted(children):
        yield from _in_order(children[place])


def heading_levels(at) -> list[tuple[int, str]]:
    """Each heading drawn, in page order: (level, its words)."""
    found = []
    for node in _in_order(at._tree):
        kind = getattr(node, "type", "")
        if kind in ("title", "header", "subheader"):
            found.append((int(node.proto.tag[1]), node.value))
        elif kind == "markdown" and (hashes := re.match(r"(#{1,6}) ", node.value)):
            found.append((len(hashes.group(1)), node.value))
    return found


def skipped_levels(at) -> list[str]:
    """Headings that go more than one level deeper than the heading before them."""
    levels = heading_levels(at)
    assert levels, "no headings at all"
    return [
        f"h{before} → h{level} {words!r}"
        for (before, _b), (level, words) in zip([(1, "")] + levels, levels)
        if level > before + 1
    ]


@pytest.fixture
def family(empty_db):
    sam, family_id, mum, goal = make.rivers_family(
        visibility="everyone", set_on=date.today() - timedelta(days=60)
    )
    for days_ago, score in ((50, 3), (10, 7)):
        goals.record_scores(
            sam,
            family_id=family_id,
            token=f"round-{days_ago}",
            scores=[ScoreIn(goal_id=goal, score=score, person_id=mum)],
            scored_on=date.today() - timedelta(days=days_ago),
        )
    code = family_space.invite_family_member(sam, family_id=family_id, person_id=mum)
    family_space.accept_invitation(code, username="dana", password=PASSWORD)
    return {"sam": sam, "family": family_id, "goal": goal}


def _space(language: str | None = None, family=None):
    if language:
        make.choose_language(family["sam"], family["family"], language)
    at = logged_in("dana")
    at.session_state["roles"] = ["family_member"]
    at.run()
    assert not at.exception
    return at


@pytest.mark.parametrize("section", ["Our goals", "Our plan"])
def test_the_familys_own_space_has_its_headings_in_order(family, section):
    """Each goal's name and each part of the plan were h3 straight under the greeting (h1)."""
    at = _space()
    at.segmented_control(key="space_section").set_value(section).run()
    assert not at.exception
    assert skipped_levels(at) == []


def test_the_family_meeting_screen_has_its_headings_in_order(family):
    """Each goal's card was h4 under "Our goals" (h2)."""
    at = shared_screen(logged_in("sam"), family["family"], "everyone")
    assert not at.exception
    assert (3, "### Calmer mornings") in heading_levels(at)
    assert skipped_levels(at) == []


def test_each_chart_in_the_familys_own_space_is_said_in_words(family):
    """The family's chart of a goal had no words beside it: someone who can't see it, or
    can't tell its colours apart, heard nothing of their scores."""
    at = _space()
    assert len(at.get("vega_lite_chart")) == 1
    said = [m.value for m in at.markdown]
    assert any("Dana Rivers's score went from 3 to 7" in words for words in said), said


@pytest.mark.parametrize(("language", "direction"), [("en", "ltr"), ("cy", "ltr"), ("ur", "rtl")])
def test_the_familys_own_space_tells_the_browser_its_language(family, language, direction):
    """Streamlit's page always says lang="en": Welsh and Urdu were read with an English voice.
    The last language mark drawn in a run is the one that stands in the browser."""
    at = _space(language, family)
    marks = [str(h.proto) for h in at.get("html") if "data-page-language" in str(h.proto)]
    assert marks, "no language mark"
    assert f'data-page-language=\\"{language}\\"' in marks[-1]
    assert f'dir = \\"{direction}\\"' in marks[-1]


def test_a_workers_page_tells_the_browser_its_language(family):
    at = open_family_page("sam", family["family"])
    assert not at.exception
    marks = [str(h.proto) for h in at.get("html") if "data-page-language" in str(h.proto)]
    assert marks and 'data-page-language=\\"en\\"' in marks[-1]
