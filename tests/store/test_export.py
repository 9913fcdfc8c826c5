"""CSV exports: cells a spreadsheet would run are neutralised, and every export is audited with
names, never values."""

from __future__ import annotations

import csv
import io
from datetime import date

import pandas as pd
import pytest
from sqlmodel import select

from db import export
from db.rules.access import NotAllowed
from db.store.engine import read_session
from db.store.models import AuditEvent, Role
from tests import factories as make


def rows_of(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(export.ENCODING))))


@pytest.mark.parametrize(
    "dangerous",
    [
        "=1+1",
        "+44 7700 900123",
        "-2+3",
        "@SUM(A1:A2)",
        '=HYPERLINK("http://x","click")',
        "\t=1",
        "\r=1",
    ],
)
def test_cells_a_spreadsheet_would_run_are_prefixed_with_a_quote(dangerous):
    assert export.neutralise(dangerous) == "'" + dangerous


@pytest.mark.parametrize("safe", ["The Hill family", "", "1 = 1", "a-b", "'=already", "Zoë £5"])
def test_ordinary_text_is_left_alone(safe):
    assert export.neutralise(safe) == safe


def test_the_csv_neutralises_cells_and_headings_but_keeps_numbers():
    frame = pd.DataFrame(
        {
            "Family": ["=cmd|' /C calc'!A0", "The Hill family"],
            "=Sneaky heading": ["@risk", "-"],
            "Days": [-3, 181],
            "Share": [0.5, None],
            "Chose": [True, False],
        }
    )
    rows = rows_of(export.to_csv(frame))
    assert rows[0] == ["Family", "'=Sneaky heading", "Days", "Share", "Chose"]
    assert rows[1] == ["'=cmd|' /C calc'!A0", "'@risk", "-3", "0.5", "True"]
    assert rows[2] == ["The Hill family", "'-", "181", "", "False"]
    assert frame.loc[0, "Family"].startswith("=")  # the caller's table is untouched


def test_an_export_is_audited_with_names_never_values(empty_db):
    team_id = make.team()
    manager = make.worker("mona", Role.manager, leads=(team_id,))
    frame = pd.DataFrame({"Family": ["The Secret family"], "Why": ["=1+1"]})
    data = export.export_csv(manager, frame, what="continuity_families", team_id=team_id)
    assert rows_of(data)[1] == ["The Secret family", "'=1+1"]
    with read_session() as session:
        events = session.exec(select(AuditEvent)).all()
    assert [(e.action, e.username, e.record_type, e.record_id, e.fields) for e in events] == [
        ("export", "mona", "continuity_families", team_id, "Family,Why")
    ]
    assert "Secret" not in repr(events[0])


def test_an_export_of_another_teams_table_is_refused_and_audited(empty_db):
    team_id = make.team()
    other = make.team("Other Team")
    manager = make.worker("mona", Role.manager, leads=(team_id,))
    practitioner = make.worker("pat", Role.practitioner, teams=(team_id,))
    frame = pd.DataFrame({"Family": ["The Secret family"]})
    with pytest.raises(NotAllowed):
        export.export_csv(manager, frame, what="continuity_families", team_id=other)
    with pytest.raises(NotAllowed):
        export.export_csv(practitioner, frame, what="continuity_families", team_id=team_id)
    with read_session() as session:
        events = session.exec(select(AuditEvent)).all()
    assert sorted((e.action, e.username, e.fields) for e in events) == [
        ("refused", "mona", ""),
        ("refused", "pat", ""),
    ]


def test_a_family_export_checks_the_family(empty_db):
    team_id = make.team()
    other = make.team("Other Team")
    practitioner = make.worker("pat", Role.practitioner, teams=(team_id,))
    ours = make.family(team_id, first_came_on=date(2025, 1, 1))
    theirs = make.family(other, first_came_on=date(2025, 1, 1))
    frame = pd.DataFrame({"When": ["1 Jan 2025"]})
    assert export.export_csv(practitioner, frame, what="meetings", family_id=ours)
    with pytest.raises(NotAllowed):
        export.export_csv(practitioner, frame, what="meetings", family_id=theirs)
    with pytest.raises(ValueError):
        export.export_csv(practitioner, frame, what="meetings")


def test_the_download_button_audits_only_when_the_file_is_made(empty_db):
    from components.export import csv_maker

    team_id = make.team()
    manager = make.worker("mona", Role.manager, leads=(team_id,))
    frame = pd.DataFrame({"Worker": ["+Adam"]})
    make_file = csv_maker(manager, frame, what="continuity_workers", team_id=team_id)
    frame.loc[0, "Worker"] = "changed later"
    with read_session() as session:
        assert session.exec(select(AuditEvent)).all() == []
    assert rows_of(make_file())[1] == ["'+Adam"]
    with read_session() as session:
        assert [e.action for e in session.exec(select(AuditEvent)).all()] == ["export"]
