"""A real browser journey: a practitioner adds a new family that asked for help, the family's
page opens, and the family's choice of worker (from those they met) is recorded and confirmed."""

from __future__ import annotations

import time

from tests.e2e.conftest import (
    choose,
    fill_in_a_new_family,
    main_text,
    no_error_on,
    open_in_sidebar,
    settle,
)


def _add(page, label: str, option: str) -> None:
    """One more choice in a multiselect, then its list is closed (Escape would clear a
    selectbox that starts empty, so only multiselects get it)."""
    choose(page, label, option)
    page.keyboard.press("Escape")


def _team_colleague(peek) -> str:
    """Another worker of the practitioner's team: the family chooses them, so the
    practitioner's own list (which other journeys open) stays as it was."""
    return peek(
        "SELECT w.name FROM worker w JOIN workerteam t ON t.worker_id = w.id "
        "WHERE t.team_id = (SELECT team_id FROM workerteam JOIN worker "
        "ON worker.id = workerteam.worker_id WHERE worker.username = 'practitioner') "
        "AND w.username != 'practitioner' AND w.is_active ORDER BY w.name LIMIT 1"
    )[0][0]


def test_practitioner_adds_a_new_family_then_the_family_chooses_a_worker(signed_in, peek):
    page = signed_in("practitioner")
    open_in_sidebar(page, "A new family asks for help")
    no_error_on(page)
    known_as = f"The Quillfeather family {time.time():.0f}"
    fill_in_a_new_family(page, known_as, "Marigold")
    page.get_by_role("textbox", name="Name of person 2").fill("Wren")
    choose(page, "Who person 2 is to the family", "Child")
    page.get_by_role("spinbutton", name="Year of birth of person 2 (for children)").fill("2017")
    page.get_by_role("button", name="Save the family").click()
    settle(page)
    no_error_on(page)

    page.get_by_role("heading", name=known_as).first.wait_for()
    (family_id, status), *_ = peek("SELECT id, status FROM family WHERE known_as = :k", k=known_as)
    assert status == "waiting"
    assert page.url.endswith(f"family?family={family_id}")
    people = peek(
        "SELECT name, relationship FROM person WHERE family_id = :f ORDER BY name", f=family_id
    )
    assert people == [("Marigold", "parent"), ("Wren", "child")]

    colleague = _team_colleague(peek)
    me = peek("SELECT name FROM worker WHERE username = 'practitioner'")[0][0]
    # A family with no worker opens on Working together, where they choose one.
    _add(page, "Workers the family met", me)
    _add(page, "Workers the family met", colleague)
    choose(page, "Who the family chose", colleague)
    page.get_by_role("button", name="Save", exact=True).first.click()
    settle(page)
    assert f"met {me} and {colleague} and chose {colleague}" in main_text(page)
    assert peek("SELECT count(*) FROM workeroffer WHERE family_id = :f", f=family_id)[0][0] == 0
    page.get_by_role("button", name=f"Yes, {colleague} is their worker").click()
    settle(page)
    no_error_on(page)

    offers = peek(
        "SELECT w.name, o.chosen FROM workeroffer o JOIN worker w ON w.id = o.worker_id "
        "WHERE o.family_id = :f ORDER BY w.name",
        f=family_id,
    )
    assert sorted(offers) == sorted([(me, False), (colleague, True)])
    assert peek("SELECT status FROM family WHERE id = :f", f=family_id)[0][0] == "working_together"
    assert f"the family met {colleague} and {me} and chose {colleague}." in main_text(page)
