"""The printable copy of everything we hold: a draft to check, every value escaped, and what
keeps someone safe, staff notes and private items held back."""

import json

from components.family_copy import render_everything

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
