"""My families: a long list says it is cut short, and the status form offers only moves
that make sense."""

from datetime import date

from db.store.models import FamilyStatus, Role
from db.words import FAMILY_STATUS
from tests import factories as make
from tests.apptest import all_text, logged_in, open_family_page


def _a_managers_list(families: int):
    team = make.team("The team")
    make.worker("boss", Role.manager, teams=(team,), leads=(team,))
    for n in range(families):
        make.family(team, f"The Family {n:03d}")
    at = logged_in("boss", "pages/families.py").run()
    assert not at.exception
    return at


def test_a_list_longer_than_the_page_shows_says_so(empty_db):
    at = _a_managers_list(203)
    assert len(at.dataframe[0].value) == 200
    assert "These are the first 200 families, A to Z" in all_text(at)


def test_a_list_that_fits_says_nothing_of_more(empty_db):
    at = _a_managers_list(3)
    assert len(at.dataframe[0].value) == 3
    assert "These are the first" not in all_text(at)


def test_a_family_with_a_main_worker_is_not_offered_waiting(empty_db):
    team = make.team("Team")
    zoe = make.worker("zoe", Role.practitioner, teams=(team,))
    family = make.family(team, "The Hill family", status=FamilyStatus.working_together)
    make.relationship(family, zoe.worker_id, date(2025, 1, 2))
    at = open_family_page("zoe", family)
    at.segmented_control(key="family_section").set_value("Working together").run()
    offered = at.selectbox(key=f"status_new_{family}").options
    assert str(FAMILY_STATUS[FamilyStatus.waiting]) not in offered
    assert str(FAMILY_STATUS[FamilyStatus.closed]) in offered
