"""The printable copy of everything we hold: a draft to check, every value escaped, and what
keeps someone safe, staff notes and private items held back."""

import enum
import json
import re

from components.family_copy import render_everything
from db.store import models
from db.words import WORDS_BY_ENUM

DOCUMENT = json.dumps(
    {
        "made_at": "2026-11-23T10:00:00",
        "team": "Northfield",
        "records": {
            "meeting": [{"id": 1, "family_id": 4, "summary": "<script>x()</script>"}],
            "goal": [
                {"id": 2, "wording": "Calmer bedtimes & tea", "visibility": "family"},
                {"id": 3, "wording": "SENTINEL-PRIVATE-GOAL", "visibility": "private"},
            ],
            "keepingsafe": [
                {"id": 5, "safe_phone": "SENTINEL-PHONE", "never_show": "SENTINEL-ADDRESS"}
            ],
            "note": [{"id": 6, "words": "SENTINEL-STAFF-NOTE"}],
            "practicalhelp": [],
        },
    }
)


def test_every_shared_record_is_shown_readably_and_escaped():
    page = render_everything(DOCUMENT)
    assert "<script>x()" not in page and "&lt;script&gt;x()&lt;/script&gt;" in page
    assert "Calmer bedtimes &amp; tea" in page
    assert "Meetings (1)" in page and "Goals (1)" in page and "Practical help" not in page
    assert "family id" not in page  # ids are for us, not for the family


def test_it_is_a_draft_that_holds_back_what_must_not_go_out():
    page = render_everything(DOCUMENT)
    assert "Draft for a worker to check before sending" in page
    assert "Keeping-safe details (1)" in page and "Staff notes (1)" in page
    for sentinel in (
        "SENTINEL-PHONE",
        "SENTINEL-ADDRESS",
        "SENTINEL-STAFF-NOTE",
        "SENTINEL-PRIVATE-GOAL",
    ):
        assert sentinel not in page


READABLE = json.dumps(
    {
        "made_at": "2026-11-23T10:00:00+00:00",
        "team": "Northfield",
        "time_zone": "Europe/London",
        "workers": {"7": "Sam Carter"},
        "records": {
            "person": [
                {
                    "id": 11,
                    "family_id": 4,
                    "name": "Maryam",
                    "relationship": "child",
                    "needs_interpreter": False,
                    "must_not_invite": True,
                }
            ],
            "meeting": [
                {
                    "id": 21,
                    "family_id": 4,
                    "kind": "family_group_conference",
                    "status": "held",
                    "starts_at": "2026-07-01T17:30:00+00:00",
                    "look_again_on": "2026-08-15",
                    "recorded_by": 7,
                }
            ],
            "goal": [
                {
                    "id": 31,
                    "family_id": 4,
                    "person_id": None,
                    "wording": "Calmer mornings",
                    "status": "set_aside",
                    "visibility": "everyone",
                }
            ],
            "childview": [{"id": 41, "meeting_id": 21, "person_id": 11, "words": "I like Sundays"}],
        },
    }
)


def _cells(page: str) -> list[str]:
    return re.findall(r"<t[dh]>(.*?)</t[dh]>", page)


def test_the_draft_reads_in_plain_words():
    cells = _cells(render_everything(READABLE))
    # Names of fields, not column names.
    assert {"Name", "Who they are to the family", "Needs an interpreter"} <= set(cells)
    assert "needs_interpreter" not in cells and "must not invite" not in cells
    # Yes and No, never True and False.
    assert "Yes" in cells and "No" in cells
    assert "True" not in cells and "False" not in cells
    # Stored codes in words, dates as dates, times in the team's time zone.
    assert {"Child", "Family group conference", "Happened", "Put to one side for now"} <= set(cells)
    assert "set_aside" not in cells and "family_group_conference" not in cells
    assert "1 July 2026, 18:30" in cells and "15 August 2026" in cells
    # People, workers and meetings by name, not by number.
    assert "Sam Carter" in cells and "Maryam" in cells
    assert "Family group conference on 1 July 2026" in cells
    assert "The whole family" in cells  # a goal with nobody's name is the family's


def test_every_stored_code_has_words():
    stored = {
        kind
        for kind in vars(models).values()
        if isinstance(kind, type)
        and issubclass(kind, enum.Enum)
        # a worker's roles and login attempts are never part of a family's record
        and kind not in (models.Role, models.LoginOutcome)
    }
    assert stored == set(WORDS_BY_ENUM)
    assert all(set(WORDS_BY_ENUM[kind]) == set(kind) for kind in stored)


def test_a_withdrawn_record_stays_in_the_copy_marked_as_withdrawn():
    document = json.dumps(
        {
            "made_at": "2026-11-23T10:00:00",
            "team": "Northfield",
            "records": {
                "goal": [
                    {
                        "id": 2,
                        "wording": "Tea on Sundays",
                        "visibility": "family",
                        "withdrawn_at": None,
                        "withdrawn_by": None,
                        "withdrawn_reason": "",
                    },
                    {
                        "id": 3,
                        "wording": "Tea on Sundays",
                        "visibility": "family",
                        "withdrawn_at": "2026-11-20T09:00:00",
                        "withdrawn_by": 7,
                        "withdrawn_reason": "Saved twice",
                    },
                ]
            },
        }
    )
    page = render_everything(document)
    assert "Goals (2)" in page
    assert "Withdrawn on 2026-11-20, recorded by mistake: Saved twice" in page
    assert "withdrawn by" not in page  # a worker's id means nothing to the family


# --- a real copy: what a family member told their worker, and private goals -------------


def test_a_real_copy_shows_nothing_of_a_private_goal_a_members_messages_or_invitation_codes(
    empty_db,
):
    """What one family member said to their worker, or keeps private, can't reach another
    member's copy through the draft: not a private goal's wording (by which its scores are
    named), nor its scores' comments, nor the messages, nor an invitation's code hash."""
    from datetime import date

    from sqlmodel import select

    from db import subject_access as sar
    from db.family_space import invite_family_member, send_message
    from db.store.engine import read_session, write_session
    from db.store.models import (
        FamilyInvitation,
        Goal,
        GoalScore,
        Relationship,
        Role,
        ScoreRound,
        Visibility,
    )
    from tests import factories as make

    team = make.team("Team A")
    family = make.family(team, "The Ash family")
    admin = make.worker("boss", Role.admin)
    manager = make.worker("mgr_a", Role.manager, leads=(team,))
    practitioner = make.practitioner("prac_a", team)
    mum = make.person(family, "Sarah", Relationship.parent)
    dad = make.person(family, "Tom", Relationship.parent)
    with write_session() as session:
        for wording, visibility, comment in (
            ("SENTINEL-PRIVATE-GOAL leave him safely", Visibility.private, "SENTINEL-COMMENT"),
            ("Calmer bedtimes", Visibility.family, "Better this week"),
        ):
            goal = Goal(
                family_id=family,
                person_id=mum,
                wording=wording,
                visibility=visibility,
                set_on=date(2025, 2, 1),
            )
            session.add(goal)
            session.flush()
            score_round = ScoreRound(
                token=wording[:8], family_id=family, scored_on=date(2025, 2, 2)
            )
            session.add(score_round)
            session.flush()
            session.add(
                GoalScore(
                    round_id=score_round.id,
                    goal_id=goal.id,
                    scored_on=date(2025, 2, 2),
                    score=3,
                    person_id=mum,
                    comment=comment,
                )
            )
    sarah = make.family_member(family, mum, "sarah")
    send_message(sarah, words="SENTINEL-MESSAGE please don't tell Tom I said this")
    invite_family_member(practitioner, family_id=family, person_id=dad)
    with read_session() as session:
        code_hash = session.exec(select(FamilyInvitation.code_hash)).one()

    request_id = sar.ask_for_copy(
        admin, family, asked_by_whom="Tom (dad), by letter", asked_on=date.today()
    )
    sar.approve_request(manager, request_id)
    page = render_everything(sar.prepare_copy(admin, request_id))
    for sentinel in ("SENTINEL-PRIVATE-GOAL", "SENTINEL-COMMENT", "SENTINEL-MESSAGE", code_hash):
        assert sentinel not in page
    assert "Calmer bedtimes" in page and "Better this week" in page
    assert "Scores (1)" in page
    assert "Messages from a family member to their worker (1)" in page  # held back, counted
