"""The staff screens in Welsh: a Welsh-speaking worker's Family page and weekly huddle leave no
sentence of ours in English (every word the screen's files put through `_()` that Welsh says
differently), and the known words read in Welsh."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from db import families as family_store
from db import huddle, i18n
from tests.apptest import all_text, chose_language, opened
from tests.test_i18n import ROOT, _extracted

FAMILY_PAGE = {
    "pages/family.py",
    "components/family_view.py",
    "components/goals.py",
    "components/world_views.py",
    "components/meeting_views.py",
    "components/intake_views.py",
    "components/audit_view.py",
    "components/forms.py",
    "components/hints.py",
}
HUDDLE = {"pages/huddle.py", "components/huddle_view.py", "db/huddle.py"}


def _english_runs(files: set[str]) -> list[str]:
    """The English runs of words (placeholders cut out) of every word these files translate,
    where Welsh says it differently: none may be left on a Welsh screen."""
    with (ROOT / "locales/cy/LC_MESSAGES/messages.po").open("rb") as handle:
        catalogue = read_po(handle, locale="cy")
    runs = set()
    for msgid, found_in in _extracted().items():
        if not found_in & files or catalogue.get(msgid).string == msgid:
            continue
        for run in re.split(r"\{\w+[^}]*\}", msgid):
            run = run.strip(" .:·'—()\"*?…")
            if len(run) >= 8 and " " in run:
                runs.add(run)
    return sorted(runs)


@pytest.fixture
def welsh_worker(demo_db):
    return chose_language("practitioner", "cy")


def _open(script: str, **query) -> object:
    at = opened("practitioner", script, speaking="cy", **query)
    assert not at.exception
    return at


def _left_in_english(at, files: set[str]) -> list[str]:
    # What a family or a worker typed is shown in “quotes”, in the words they typed it in.
    shown = re.sub(r"“[^”]*”", "", all_text(at))
    return [run for run in _english_runs(files) if run in shown]


@pytest.mark.parametrize("section", ["Goals", "Working together", "People", "Plan"])
def test_the_family_page_speaks_welsh(welsh_worker, section):
    family = family_store.families(welsh_worker).iloc[0]
    at = _open("pages/family.py", family=str(int(family["family_id"])))
    with i18n.speaking("cy"):
        choice = next(s for s in at.get("button_group") if s.key == "family_section")
        choice.set_value(section).run()
    assert not at.exception
    shown = all_text(at)
    for welsh in ("Lle mae pethau", "Daeth atom ni gyntaf", "Agor sgrin y cyfarfod teulu"):
        assert welsh in shown
    assert _left_in_english(at, FAMILY_PAGE) == []


def test_the_huddle_speaks_welsh(welsh_worker):
    at = _open("pages/huddle.py")
    assert at.title[0].value == "Cyfarfod wythnosol y tîm"
    headers = [h.value for h in at.header]
    assert headers[0].startswith("Camau gweithredu o gyfarfod diwethaf y tîm")
    assert any(h.startswith("Yn aros i gwrdd â gweithiwr") for h in headers)
    assert "Dechrau cyfarfod y tîm yr wythnos hon" in [b.label for b in at.button]
    assert _left_in_english(at, HUDDLE) == []


def test_a_welsh_date_on_the_huddle(welsh_worker):
    team_id = int(family_store.teams_for(welsh_worker)["team_id"].iloc[0])
    board = huddle.board(welsh_worker, team_id)
    at = _open("pages/huddle.py")
    with i18n.speaking("cy"):
        since = i18n.short_date(board.since)
    assert since != i18n.short_date(board.since)  # the month is Welsh ('Tach', not 'Nov')
    assert at.caption[0].value.startswith(f"Ers cyfarfod diwethaf y tîm ar {since} · wythnos ")


def test_continuity_speaks_welsh_charts_and_all(demo_db):
    chose_language("manager", "cy")
    at = opened("manager", "pages/continuity.py", speaking="cy")
    assert not at.exception
    shown = all_text(at)
    assert "Amser gyda'r prif weithiwr" in shown  # a tile
    assert "Teuluoedd a gadwodd yr un prif weithiwr drwy'r mis" in shown  # the chart's words
    assert "Families who kept the same main worker all month" not in shown


def test_the_huddles_reasons_are_said_in_welsh(welsh_worker):
    at = _open("pages/huddle.py")
    reasons = [
        reason
        for frame in at.dataframe
        if "Pam" in frame.value.columns  # Why
        for reason in frame.value["Pam"]
    ]
    assert reasons
    english = ("Waiting", "Last met", "We haven't met", "plan step", "Scores fell", "went up")
    assert [r for r in reasons if any(words in r for words in english)] == []
    assert any(r.startswith(("Wedi aros", "Wedi cwrdd", "Mae ", "Aeth ")) for r in reasons)
