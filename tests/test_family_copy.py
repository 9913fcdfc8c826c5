"""The copy of everything we hold renders every record readably and escapes every value."""
import json

from db.family_copy import render_everything


def test_every_record_is_shown_and_escaped():
    document = json.dumps({"made_at": "2026-11-23T10:00:00", "team": "Northfield",
                           "workers": {"3": "Sam <b>Carter</b>"},
                           "records": {"meeting": [{"id": 1, "summary": "<script>x()</script>"}],
                                       "goal": [{"id": 2, "wording": "Calmer bedtimes & tea"}],
                                       "note": []}})
    page = render_everything(document)
    assert "<script>x()" not in page and "&lt;script&gt;x()&lt;/script&gt;" in page
    assert "Calmer bedtimes &amp; tea" in page and "Sam &lt;b&gt;Carter" in page
    assert "Meeting (1)" in page and "Goal (1)" in page and "Note (" not in page
