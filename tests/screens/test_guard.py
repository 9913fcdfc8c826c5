"""Every page guards itself: run alone with no session it shows a login prompt and nothing
private; a practitioner never sees another team's family; roles open only their pages."""

from __future__ import annotations

import pytest
from sqlmodel import select

from components.pages import PAGES
from db.store.engine import read_session
from db.store.models import Family, Person
from tests.apptest import all_text, logged_in, new_app

PAGE_FILES = [path for path, *_ in PAGES]


def _private_words() -> list[str]:
    with read_session() as session:
        families = session.exec(select(Family.known_as).limit(20)).all()
        people = session.exec(select(Person.name).limit(20)).all()
    return [*families, *people, "Sam Carter", "Priya Sharma"]


@pytest.mark.parametrize("page", PAGE_FILES)
def test_each_page_alone_without_a_session_shows_only_a_login_prompt(demo_db, page):
    at = new_app(page).run()
    assert not at.exception
    assert [i.value for i in at.info] == ["Please log in to see this page."]
    text = all_text(at)
    leaked = [word for word in _private_words() if word in text]
    assert leaked == []
    assert not at.dataframe and not at.text_input and not at.button


@pytest.mark.parametrize("page", ["pages/admin.py", "pages/audit.py", "pages/continuity.py"])
def test_a_practitioner_opening_a_page_not_for_them_sees_a_polite_no(demo_db, page):
    at = logged_in("practitioner", page).run()
    assert not at.exception
    assert [w.value for w in at.warning] == ["This page isn't available to you."]


def _other_team_family() -> tuple[int, str, list[str]]:
    """A family of another team whose name no family of the practitioner's team shares (the
    demo's names are drawn afresh each day, and two teams can each have "Ruby and the kids")."""
    with read_session() as session:
        elsewhere = set(session.exec(select(Family.known_as).where(Family.team_id != 3)).all())
        family = next(
            f
            for f in session.exec(select(Family).where(Family.team_id == 3).order_by(Family.id))
            if f.known_as not in elsewhere
        )
        names = session.exec(select(Person.name).where(Person.family_id == family.id)).all()
    return family.id, family.known_as, names


def test_another_teams_family_never_appears_for_a_practitioner(demo_db):
    family_id, known_as, names = _other_team_family()
    surname = known_as.replace("The ", "").replace(" family", "")
    at = logged_in("practitioner", "pages/families.py").run()
    at.text_input(key="families_search").input(surname).run()
    assert not at.exception
    assert known_as not in all_text(at)
    at = logged_in("practitioner", "pages/family.py")
    at.query_params["family"] = str(family_id)
    at.run()
    assert not at.exception
    text = all_text(at)
    assert "available to you" in " ".join(w.value for w in at.warning)
    assert known_as not in text
    assert [n for n in names if n in text] == []


def test_an_admin_alone_sees_no_case_pages(demo_db):
    at = logged_in("admin").run()
    assert not at.exception
    for page in ("pages/families.py", "pages/family.py"):
        with pytest.raises(ValueError):
            at.switch_page(page).run()
    at = logged_in("admin", "pages/family.py").run()
    assert [w.value for w in at.warning] == ["This page isn't available to you."]
