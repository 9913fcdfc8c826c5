"""The family's own language and the team's own words: the family meeting screen and the family
copy in Welsh and in Urdu (right to left) leave no word of ours in English, the screen opens in
the family's preferred language whatever the worker's, and a team's word replaces ours."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from babel.messages.pofile import read_po

from components.family_copy import render
from db import admin, i18n, meetings
from db.conference import meeting_screen
from db.families import family_summary
from db.goals import GoalIn, ScoreIn, add_goal, record_scores
from db.meetings import ChildViewIn, ItemIn, PlanStepIn
from db.plain_language import terms_in
from db.rules.validation import Invalid
from db.store.models import Relationship, Role
from tests import factories
from tests.apptest import _walk, all_text, edit_box, logged_in, shared_screen
from tests.factories import TEST_PASSWORD
from tests.test_i18n import FAMILY_FACING, ROOT, _extracted

LANGUAGES = ["cy", "ur"]


@pytest.fixture(scope="module")
def english_words() -> dict[str, list[str]]:
    """For each language, the English of every family-facing word it translates differently,
    as the runs of words a screen would show (placeholders cut out): none may be left."""
    family_ids = {m for m, files in _extracted().items() if files & FAMILY_FACING}
    found = {}
    for language in LANGUAGES:
        path = ROOT / "locales" / language / "LC_MESSAGES" / "messages.po"
        with path.open("rb") as handle:
            catalogue = read_po(handle, locale=language)
        runs = set()
        for msgid in family_ids:
            if catalogue.get(msgid).string == msgid:
                continue
            for run in re.split(r"\{\w+\}", msgid):
                run = run.strip(" .:·'—()\"")
                if len(run) >= 8 and " " in run:
                    runs.add(run)
        found[language] = sorted(runs)
    return found


@pytest.fixture
def family(demo_db):
    team = factories.team("Language team")
    worker = factories.practitioner("langworker", team)
    boss = factories.worker("langadmin", Role.admin)
    family = factories.family(team, "The Morgan family", first_came_on=date(2025, 1, 1))
    ffion = factories.person(family, "Ffion")
    mam = factories.person(family, "Mam", Relationship.parent)
    goal = add_goal(
        worker,
        family_id=family,
        goal=GoalIn("Bedtime by eight", mam, visibility="everyone", set_on=date(2025, 2, 1)),
    )
    add_goal(worker, family_id=family, goal=GoalIn("Walk to school", visibility="everyone"))
    for days, score in ((40, 3), (3, 6)):
        record_scores(
            worker,
            family_id=family,
            token=f"l{days}",
            scored_on=date.today() - timedelta(days=days),
            scores=[
                ScoreIn(goal, score, person_id=mam),
                ScoreIn(goal, score + 1, worker_id=worker.worker_id),
            ],
        )
    factories.held_conference(
        worker,
        family,
        days_ago=1,
        came=(ffion, mam),
        child_views=(ChildViewIn(ffion, "Rwy'n hoffi te dydd Sul", "everyone"),),
        plan_steps=(PlanStepIn("Te gyda Nain", "Mam", by_when=date.today() + timedelta(days=9)),),
        if_plan_does_not_work="Ffonio Modryb Jo",
        look_again_on=date.today() + timedelta(days=30),
    )
    meetings.add_conversation(
        worker,
        family_id=family,
        held_on=date.today(),
        items=[ItemIn("going_well", "Boreau'n dawelach", mam, "everyone")],
    )
    return {"worker": worker, "admin": boss, "team": team, "family": family}


def _main_text(at) -> str:
    """Everything drawn in the page itself; the sidebar (the worker's, in the worker's
    language) is hidden on the shared screen."""
    parts = [str(node.proto) for node in _walk(at.main) if getattr(node, "proto", None)]
    return "\n".join(parts).replace("\\", "")


def _set_language(world, language: str) -> None:
    factories.choose_language(world["worker"], world["family"], language)


def _conference(world, audience: str = "everyone"):
    at = shared_screen(logged_in("langworker"), world["family"], audience)
    assert not at.exception
    return at


def test_the_family_language_is_recorded_and_checked(family):
    _set_language(family, "cy")
    assert family_summary(family["worker"], family["family"]).preferred_language == "cy"
    with pytest.raises(Invalid):
        _set_language(family, "klingon")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_family_copy_speaks_the_family_language(family, english_words, language):
    view = meeting_screen(family["worker"], family["family"], "everyone")
    with i18n.speaking(language):
        copy = render(view)
        expected = [i18n._("Our goals"), i18n._("What the children told us")]
        long_date = i18n.long_date(date.today() + timedelta(days=30))
    assert f'lang="{language}"' in copy
    assert f'dir="{"rtl" if language == "ur" else "ltr"}"' in copy
    assert all(words in copy for words in expected)
    assert long_date in copy  # dates in the family's language
    left = [run for run in english_words[language] if run in copy]
    assert left == []
    assert "Rwy&#39;n hoffi te dydd Sul" in copy  # what people said, as they said it


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_meeting_screen_opens_in_the_family_language(family, english_words, language):
    _set_language(family, language)
    at = _conference(family)
    screen = _main_text(at)
    left = [run for run in english_words[language] if run in screen]
    assert left == []
    with i18n.speaking(language):
        assert at.header[0].value == i18n._("Our goals")
        assert i18n._("Add to our {plan}", plan=i18n.term("plan")) in screen
    chart = at.get("vega_lite_chart")[0].proto.spec
    if language == "cy":
        assert '"Rhagfyr"' in chart and '"Ionawr"' in chart  # month names on the time axis
    right_to_left = any("direction: rtl" in str(h.proto) for h in at.get("html"))
    assert right_to_left == (language == "ur")
    # Once the worker takes the screen back (their password, asked in the family's language),
    # the worker's own screens are in the worker's language again. (AppTest formats the
    # widgets drawn last time again before the next run, in this thread: in the family's.)
    with i18n.speaking(language):
        at.text_input(key="conference_leave_password").input(TEST_PASSWORD)
        next(b for b in at.button if b.key == "conference_leave").click()
        at.run()
    assert not at.exception
    assert "conference" not in at.session_state
    at.switch_page("pages/families.py").run()
    assert not at.exception
    assert at.title[0].value == "My families"


def test_the_worker_may_open_the_screen_in_another_language(family):
    _set_language(family, "cy")
    at = logged_in("langworker")
    at.run()
    at.query_params["family"] = str(family["family"])
    at.switch_page("pages/conference.py").run()
    chooser = next(s for s in at.selectbox if s.key == f"conference_language_{family['family']}")
    assert chooser.value == "cy"  # the family's own, to start with
    chooser.set_value("en")
    next(b for b in at.button if b.key == "conference_open").click()
    at.run()
    assert at.header[0].value == "Our goals"


def test_a_teams_own_words_reach_the_family_screen_and_copy(family):
    boss, team = family["admin"], family["team"]
    admin.set_team_term(
        boss, team_id=team, term="plan", language="en", words="family plan", seen_version=0
    )
    admin.set_team_term(
        boss, team_id=team, term="worker", language="en", words="key worker", seen_version=0
    )
    admin.set_team_term(
        boss, team_id=team, term="plan", language="cy", words="cynllun teulu", seen_version=0
    )
    at = _conference(family)
    assert "Our family plan" in [h.value for h in at.header]
    assert "This takes the screen back to the key worker's view" in all_text(at)
    view = meeting_screen(family["worker"], family["family"], "household")
    i18n.use_terms({("plan", "en"): "family plan", ("worker", "en"): "key worker"})
    try:
        copy = render(view)
        with i18n.speaking("cy"):
            i18n.use_terms({("plan", "cy"): "cynllun teulu"})
            welsh = render(view)
    finally:
        i18n.use_terms(None)
    assert "How to reach your key worker" in copy and "Our family plan" in copy
    assert "Ein cynllun teulu" in welsh
    assert terms_in(copy) == []
    # A word a family must never read is not accepted as a team's own.
    with pytest.raises(Invalid, match="isn't a word a family should read"):
        admin.set_team_term(
            boss, team_id=team, term="plan", language="ur", words="LAC plan", seen_version=0
        )
    # Emptied, the team's word gives way to ours again.
    terms = admin.team_terms(boss, team)
    version = int(terms[(terms.term == "plan") & (terms.language == "en")].version.iloc[0])
    admin.set_team_term(
        boss, team_id=team, term="plan", language="en", words="", seen_version=version
    )
    assert len(admin.team_terms(boss, team)) == 2


def test_an_admin_sets_the_teams_words_without_code(family):
    at = logged_in("langadmin")
    at.run()
    at.switch_page("pages/admin.py").run()
    next(s for s in at.selectbox if s.key == "admin_terms_team").set_value(family["team"]).run()
    key = f"admin_terms_{family['team']}_en"
    edit_box(at.text_input, f"{key}_family_meeting", "words").input("hui")
    next(b for b in at.button if b.label == "Save the team's words").click()
    at.run()
    assert not at.exception and not at.error
    terms = admin.team_terms(family["admin"], family["team"])
    assert terms.to_dict("records")[0] | {} == {
        "term": "family_meeting",
        "language": "en",
        "words": "hui",
        "version": 1,
    }
    at = logged_in("langworker")
    at.run()
    at.query_params["family"] = str(family["family"])
    at.switch_page("pages/conference.py").run()
    assert at.title[0].value == "Hui screen"


def test_team_words_looked_at_again_after_another_language_are_saved_not_refused(family):
    """The admin looks at Welsh, a colleague saves a word in English meanwhile, and the admin
    comes back to English: the box shows the colleague's word and a change to it saves."""
    at = logged_in("langadmin")
    at.run()
    at.switch_page("pages/admin.py").run()
    next(s for s in at.selectbox if s.key == "admin_terms_team").set_value(family["team"]).run()
    key = f"admin_terms_{family['team']}_en"
    at.selectbox(key="admin_terms_language").set_value("cy").run()
    admin.set_team_term(
        family["admin"],
        team_id=family["team"],
        term="family_meeting",
        language="en",
        words="hui",
        seen_version=0,
    )
    at.selectbox(key="admin_terms_language").set_value("en").run()
    box = edit_box(at.text_input, f"{key}_family_meeting", "words")
    assert box.value == "hui"
    box.input("family hui")
    next(b for b in at.button if b.label == "Save the team's words").click()
    at.run()
    assert not at.warning, [w.value for w in at.warning]
    words = admin.team_terms(family["admin"], family["team"]).set_index("term")["words"]
    assert words["family_meeting"] == "family hui"


def test_a_worker_chooses_welsh_for_their_own_screens(family):
    at = logged_in("langworker")
    at.run()
    at.switch_page("pages/account.py").run()
    next(s for s in at.selectbox if s.key == "account_language").set_value("cy").run()
    assert not at.exception
    with i18n.speaking("cy"):
        at.switch_page("pages/families.py").run()
    assert at.title[0].value == "Fy nheuluoedd"
    assert "Allgofnodi" in [b.label for b in at.sidebar.button]
    assert "Dydych chi ddim yn gweithio gydag unrhyw deulu" in at.info[0].value
    # The family's screens still speak the family's language, here English.
    with i18n.speaking("cy"):
        at = _conference(family)
    assert at.header[0].value == "Our goals"
