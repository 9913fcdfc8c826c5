"""My families' search: what it finds, what the closed toggle hides, whose name it shows."""

from __future__ import annotations

from datetime import date

import pytest

from db import families as family_store
from db.store.models import FamilyStatus, Relationship, Role
from tests import factories as make


@pytest.fixture
def office(empty_db):
    team_id = make.team("North Family Team")
    worker = make.worker("zoe", Role.practitioner, teams=(team_id,))
    open_family = make.family(team_id, "The Hill family")
    closed = make.family(team_id, "The Hillside family", status=FamilyStatus.closed)
    make.relationship(
        closed, worker.worker_id, date(2025, 1, 5), date(2025, 6, 30), end_reason="family_closed"
    )
    make.person(open_family, "Layla Ahmed", Relationship.child)
    make.person(open_family, "Mr Okafor", Relationship.professional, organisation="School")
    return worker, open_family, closed


def _found(worker, search: str, *, include_closed: bool = False) -> list[str]:
    listed = family_store.families(worker, search=search, include_closed=include_closed)
    return list(listed["family"])


def test_searching_leaves_closed_families_out_unless_asked_for(office):
    worker, _open, _closed = office
    assert _found(worker, "hill") == ["The Hill family"]
    assert _found(worker, "hill", include_closed=True) == ["The Hill family", "The Hillside family"]


def test_a_family_is_found_by_anyone_in_their_world(office):
    worker, _open, _closed = office
    assert _found(worker, "layla") == ["The Hill family"]  # a child's name
    assert _found(worker, "OKAFOR") == ["The Hill family"]  # the school's contact
    assert _found(worker, "nobody of that name") == []


def test_percent_and_underscore_are_letters_in_a_search(office):
    worker, _open, _closed = office
    assert _found(worker, "%") == [] and _found(worker, "_") == []


def test_a_closed_family_shows_who_worked_with_them_last(office):
    worker, _open, closed = office
    listed = family_store.families(worker, search="hillside", include_closed=True)
    assert list(listed["workers"]) == ["Zoe (until 30 Jun 2025)"]


def test_a_family_who_never_had_a_worker_has_not_yet_chosen(office):
    worker, open_family, _closed = office
    listed = family_store.families(worker, search="the hill family")
    assert list(listed["workers"]) == ["Not yet chosen"]


def test_a_search_finds_names_with_accents_and_any_apostrophe(office):
    worker, open_family, _closed = office
    make.person(open_family, "ÉLODIE O’NEILL", Relationship.child)
    assert _found(worker, "élodie") == ["The Hill family"]
    assert _found(worker, "o'neill") == ["The Hill family"]
