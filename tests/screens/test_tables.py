"""The one table every screen draws with: days written as people write them, and a plain
sentence instead of an empty table."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _table_of(rows: list[dict]) -> AppTest:
    def script(rows):
        import pandas as pd

        from components.ui import table

        frame = pd.DataFrame(rows, columns=["what", "given_on"])
        table(frame, {"what": "What"}, dates=("given_on",), when_empty="No help recorded yet.")

    return AppTest.from_function(script, args=(rows,), default_timeout=30)


def test_days_are_shown_as_people_write_them():
    import datetime

    at = _table_of(
        [
            {"what": "Food bank voucher", "given_on": datetime.date(2026, 12, 3)},
            {"what": "Bus pass", "given_on": None},
        ]
    ).run()
    assert not at.exception
    shown = at.dataframe[0].value
    assert list(shown["given_on"]) == ["3 Dec 2026", ""]
    assert list(shown["what"]) == ["Food bank voucher", "Bus pass"]
    assert not at.info


def test_an_empty_table_is_a_sentence():
    at = _table_of([]).run()
    assert not at.exception
    assert not at.dataframe
    assert [box.value for box in at.info] == ["No help recorded yet."]
