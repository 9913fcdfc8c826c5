"""The "Bring records in" page: a manager previews a file (counts, every problem by row and
column, the families), says yes, and the families are stored; an admin sees counts but no
names; a bad file gets its message and nothing is stored; a practitioner has no such page."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from sqlmodel import Session, col, func, select

from db.importer import COLUMNS, template_csv
from db.rules.access import load_actor
from db.store.models import AuditEvent, Family, Team
from tests.apptest import all_text, chose_language, logged_in


def _run(at):
    at.run()
    assert not at.exception, at.exception[0].stack_trace[-6:]


def _families(engine, *where) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count(col(Family.id))).where(*where)).one()


def _open(username: str):
    at = logged_in(username)
    _run(at)
    at.switch_page("pages/import_records.py")
    _run(at)
    return at


def _team_and_template(engine, username: str):
    with Session(engine) as session:
        actor = load_actor(session, username)
        manager = load_actor(session, "manager")
    team_id = min(manager.led_team_ids)
    return team_id, template_csv(actor, team_id)


def _choose_team(at, team_id: int) -> None:
    box = next(s for s in at.selectbox if s.key == "import_team")
    box.set_value(team_id)
    _run(at)


def _upload(at, name: str, data: bytes, mime: str = "text/csv") -> None:
    uploader = next(u for u in at.file_uploader if u.key.startswith("import_file"))
    uploader.set_value((name, data, mime))
    _run(at)


def _confirm(at):
    return next((b for b in at.button if b.key == "import_confirm"), None)


def _with_two_bad_rows(data: bytes) -> bytes:
    """The template under new references, with the first family's name left out (row 2) and
    a score of 11 (row 15, the last)."""
    frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    frame["council_reference"] = frame["council_reference"].str.replace("EX-", "PG-")
    frame.loc[0, "family_name"] = ""
    frame.loc[len(frame) - 1, "score"] = "11"
    return frame.to_csv(index=False).encode()


def test_a_manager_previews_then_brings_in_the_template(demo_db):
    team_id, data = _team_and_template(demo_db, "manager")
    at = _open("manager")
    assert "Bring records in" in [t.value for t in at.title]
    _choose_team(at, team_id)
    assert any(b.label == "Download the template" for b in at.get("download_button"))
    _upload(at, "template.csv", data)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Families"] == "2" and metrics["Scores"] == "5"
    assert "The Example family" in all_text(at)  # a manager sees the families
    before = _families(demo_db)
    _confirm(at).click()
    _run(at)
    assert _families(demo_db) - before == 2
    assert any("Brought in 2 families" in s.value for s in at.success)
    assert not at.metric  # the file is cleared: the page starts again
    with Session(demo_db) as session:
        assert (
            session.exec(
                select(func.count(col(AuditEvent.id))).where(AuditEvent.action == "import")
            ).one()
            == 1
        )

    # The same file again: nothing new, and no button to press.
    _upload(at, "template.csv", data)
    assert "already here" in " ".join(i.value for i in at.info)
    assert _confirm(at) is None


def test_bad_rows_are_listed_by_row_and_column_and_nothing_can_be_brought_in(demo_db):
    team_id, data = _team_and_template(demo_db, "manager")
    at = _open("manager")
    _choose_team(at, team_id)
    _upload(at, "bad.csv", _with_two_bad_rows(data))
    problems = at.dataframe[0].value
    assert list(problems.columns) == ["Row", "Column", "What to fix"]
    found = set(zip(problems["Row"], problems["Column"]))
    assert found == {(2, "family_name"), (15, "score")}
    assert "2 things need fixing" in at.warning[0].value
    assert _confirm(at) is None
    assert _families(demo_db, Family.council_reference.in_(["PG-1", "PG-2"])) == 0


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("empty.csv", b"", "This file is empty"),
        ("semi.csv", ";".join(COLUMNS).encode() + b"\nfamily;R1\n", "semicolons"),
        ("latin.csv", "record,name\nfamily,Zoë\n".encode("latin-1"), "UTF-8"),
        ("photo.xlsx", b"\x89PNG\r\n" + bytes(64), "isn't an Excel workbook"),
    ],
)
def test_a_bad_file_gets_its_message(demo_db, name, data, words):
    team_id, _ = _team_and_template(demo_db, "manager")
    at = _open("manager")
    _choose_team(at, team_id)
    before = _families(demo_db)
    _upload(at, name, data)
    assert at.error and words in at.error[0].value.replace("\\", "")
    assert _confirm(at) is None and _families(demo_db) == before


def test_an_admin_sees_counts_and_problems_but_no_family_names(demo_db):
    team_id, data = _team_and_template(demo_db, "admin")
    at = _open("admin")
    _choose_team(at, team_id)
    _upload(at, "template.csv", data)
    assert {m.label: m.value for m in at.metric}["Families"] == "2"
    text = all_text(at)
    assert "The Example family" not in text and "The Sample family" not in text
    assert "Mornings without shouting" not in text
    _confirm(at).click()
    _run(at)
    assert _families(demo_db, Family.council_reference == "EX-1001") == 1


def test_a_manager_chooses_only_among_the_teams_they_lead(demo_db):
    at = _open("manager")
    with Session(demo_db) as session:
        manager = load_actor(session, "manager")
        led = session.exec(select(Team.name).where(col(Team.id).in_(manager.led_team_ids))).all()
    box = next(s for s in at.selectbox if s.key == "import_team")
    assert sorted(box.options) == sorted(led)


def test_a_practitioner_has_no_import_page(demo_db):
    at = logged_in("practitioner")
    _run(at)
    with pytest.raises(ValueError):
        at.switch_page("pages/import_records.py").run()


def test_a_welsh_manager_reads_each_bad_row_and_a_bad_file_in_welsh(demo_db):
    from db import auth, i18n

    with Session(demo_db) as session:
        manager = load_actor(session, "manager")
    auth.set_my_language(manager, "cy")
    team_id, data = _team_and_template(demo_db, "manager")
    at = logged_in("manager")
    _run(at)
    with i18n.speaking("cy"):
        at.switch_page("pages/import_records.py")
        _run(at)
        _choose_team(at, team_id)
        _upload(at, "bad.csv", _with_two_bad_rows(data))
    problems = at.dataframe[0].value
    reasons = dict(zip(problems.iloc[:, 1], problems.iloc[:, 2]))
    assert reasons == {
        "family_name": "ar goll: enw'r teulu",
        "score": "nid yw sgôr 11 rhwng 0 a 10",
    }
    with i18n.speaking("cy"):
        _upload(at, "empty.csv", b"")
    assert "Mae'r ffeil hon yn wag" in at.error[0].value.replace("\\", "")


def test_a_welsh_speaking_manager_reads_the_counts_in_welsh(demo_db):
    team_id, data = _team_and_template(demo_db, "manager")
    chose_language("manager", "cy")
    at = _open("manager")
    _choose_team(at, team_id)
    _upload(at, "template.csv", data)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Teuluoedd"] == "2" and metrics["Nodau"] == "3"  # Families, Goals
    assert "Families" not in metrics
