"""The weekly huddle screen: last huddle's actions come back to follow up."""

from __future__ import annotations

from db import families as family_store
from db import huddle
from db.rules.access import load_actor
from db.store.engine import read_session
from tests.apptest import all_text, logged_in


def test_the_huddle_opens_with_last_huddles_actions_to_follow_up(demo_db):
    with read_session() as session:
        sam = load_actor(session, "practitioner")
    team_id = int(family_store.teams_for(sam)["team_id"].iloc[0])
    # The last huddle before this week (the demo's, or a new one a week ago).
    last = huddle.board(sam, team_id).since
    held = huddle.hold(sam, team_id, on=last)
    family = family_store.families(sam).iloc[0]
    huddle.talked_about(
        sam,
        huddle_id=held,
        family_id=int(family["family_id"]),
        action="Ring the school about the trip",
        action_worker_id=sam.worker_id,
        action_by=last,
    )

    at = logged_in("practitioner")
    at.run()
    at.switch_page("pages/huddle.py").run()
    assert not at.exception
    assert at.header[0].value == "Actions from the last huddle (1)"
    follow_up = at.dataframe[0].value
    assert list(follow_up["Action"]) == ["Ring the school about the trip"]
    assert list(follow_up["Family"]) == [family["family"]]
    assert list(follow_up["Past its date"]) == ["Yes"]
    assert "Ring the school about the trip" in all_text(at)
