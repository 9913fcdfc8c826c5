"""Plain-language hints: shown once per worker and term, never when turned off."""

from db import plain_language
from db.store.models import Role
from tests import factories


def test_a_hint_shows_once_per_term_and_not_when_turned_off(demo_db):
    sam = factories.worker("hintworker", Role.practitioner, teams=(factories.team("Hint team"),))
    jo = factories.worker("hintworker2", Role.practitioner, teams=(factories.team("Hint team 2"),))
    first = plain_language.hints_to_show(sam.worker_id, ["Mum was non-compliant at the review"])
    assert [term for term, _ in first] == ["non-compliant", "review"]
    assert all(suggestion for _, suggestion in first)
    again = plain_language.hints_to_show(sam.worker_id, ["non-compliant again", "a new referral"])
    assert [term for term, _ in again] == ["referral"]
    plain_language.set_hints(jo.worker_id, False)
    assert plain_language.hints_to_show(jo.worker_id, ["non-compliant"]) == []
    assert not plain_language.hints_on(jo.worker_id)
