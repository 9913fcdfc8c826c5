"""Bringing records in from a file: the preview, every bad row and bad file, one transaction,
idempotence, who may, and 25,000 families (SQLite, and PostgreSQL with TEST_DATABASE)."""

from __future__ import annotations

import io
import os
import re
import time
from datetime import date, timedelta

import pandas as pd
import pytest
from openpyxl import Workbook
from sqlmodel import col, func, select

import db.importer as importer
from db.families import families
from db.importer import COLUMNS, BadFile, import_records, preview_import, template_csv
from db.importer.reading import max_bytes
from db.rules.access import NotAllowed
from db.rules.audit import Action
from db.rules.validation import Invalid
from db.store.clock import today_in
from db.store.engine import read_session
from db.store.models import (
    Family,
    FamilyStatus,
    FamilyStatusChange,
    Goal,
    GoalScore,
    Person,
    Role,
    ScoreRound,
    WorkerRelationship,
)
from tests import audit
from tests import factories as make

TABLES = (Family, FamilyStatusChange, Person, WorkerRelationship, Goal, ScoreRound, GoalScore)


@pytest.fixture
def team(empty_db):
    """A team led by a manager who is also one of its practitioners, with a colleague."""
    team_id = make.team("Northfield")
    manager = make.worker(
        "mgr", Role.manager, Role.practitioner, teams=(team_id,), leads=(team_id,)
    )
    make.worker("colleague", Role.practitioner, teams=(team_id,))
    return team_id, manager


def counts() -> dict[str, int]:
    with read_session() as session:
        return {
            model.__name__: session.exec(select(func.count(col(model.id)))).one()
            for model in TABLES
        }


def csv_of(rows: list[dict]) -> bytes:
    frame = pd.DataFrame([{c: row.get(c, "") for c in COLUMNS} for row in rows], columns=COLUMNS)
    return frame.to_csv(index=False).encode("utf-8")


def template_rows(actor, team_id) -> list[dict]:
    frame = pd.read_csv(io.BytesIO(template_csv(actor, team_id)), dtype=str, keep_default_na=False)
    return frame.to_dict("records")


def problems_of(preview) -> set[tuple[int, str]]:
    return set(zip(preview.problems["row"], preview.problems["column"]))


# --- the template, end to end ----------------------------------------------------------------


def test_the_template_comes_in_whole_then_a_second_time_adds_nothing(team):
    team_id, manager = team
    data = template_csv(manager, team_id)
    before = counts()
    preview = preview_import(manager, team_id=team_id, data=data, file_name="template.csv")
    assert preview.ready and preview.problems.empty
    assert preview.counts == {"families": 2, "people": 3, "workers": 1, "goals": 3, "scores": 5}
    assert sorted(preview.families["family"]) == ["The Example family", "The Sample family"]
    assert counts() == before  # a preview stores nothing

    done = import_records(manager, team_id=team_id, data=data, file_name="template.csv")
    assert done.counts["families"] == 2
    after = counts()
    assert after["Family"] - before["Family"] == 2
    assert after["GoalScore"] - before["GoalScore"] == 5
    assert after["ScoreRound"] - before["ScoreRound"] == 3  # one per family and day

    with read_session() as session:
        example = session.exec(select(Family).where(Family.council_reference == "EX-1001")).one()
        sample = session.exec(select(Family).where(Family.council_reference == "EX-1002")).one()
        assert example.status == FamilyStatus.working_together  # a current lead worker
        assert sample.status == FamilyStatus.waiting
        history = session.exec(
            select(FamilyStatusChange.status, FamilyStatusChange.changed_on)
            .where(FamilyStatusChange.family_id == example.id)
            .order_by(FamilyStatusChange.changed_on)
        ).all()
        assert history == [
            (FamilyStatus.waiting, date(2025, 1, 14)),
            (FamilyStatus.working_together, date(2025, 1, 20)),
        ]
        robin_goal = session.exec(
            select(Goal).where(Goal.wording == "Go to school every day")
        ).one()
        robin = session.get(Person, robin_goal.person_id)
        assert robin.name == "Robin" and robin.birth_year == 2016
        worker_view = session.exec(
            select(GoalScore).where(GoalScore.worker_id == manager.worker_id)
        ).one()
        assert worker_view.score == 5 and worker_view.person_id is None

    # The manager finds them on My families.
    assert "The Example family" in set(families(manager, mine_only=True)["family"])
    assert "The Sample family" in set(families(manager, search="Sample")["family"])

    again = preview_import(manager, team_id=team_id, data=data, file_name="template.csv")
    assert again.already_here == 2 and again.counts["families"] == 0 and not again.ready
    import_records(manager, team_id=team_id, data=data, file_name="template.csv")
    assert counts() == after


def test_rows_about_a_family_already_here_count_it_as_already_here(team):
    team_id, manager = team
    rows = template_rows(manager, team_id)
    import_records(manager, team_id=team_id, data=csv_of(rows), file_name="t.csv")
    before = counts()
    # A second file with only a later score for the first family (no family row): left as it
    # is, and the preview says that family is already here rather than nothing at all.
    later = {**next(row for row in rows if row["record"] == "score"), "date": "2025-06-01"}
    preview = preview_import(manager, team_id=team_id, data=csv_of([later]), file_name="t.csv")
    assert preview.already_here == 1 and preview.problems.empty and not preview.ready
    import_records(manager, team_id=team_id, data=csv_of([later]), file_name="t.csv")
    assert counts() == before


def test_an_import_is_audited_once_with_counts_and_no_names(team):
    team_id, manager = team
    import_records(manager, team_id=team_id, data=template_csv(manager, team_id), file_name="t.csv")
    rows = audit.audited(Action.IMPORT)
    assert len(rows) == 1
    assert rows[0].worker_id == manager.worker_id and rows[0].record_id == team_id
    assert rows[0].fields == "families=2,goals=3,people=3,scores=5,workers=1"
    assert "Example" not in rows[0].fields


def test_an_excel_workbook_comes_in_like_the_csv(team):
    team_id, manager = team
    rows = template_rows(manager, team_id)
    book = Workbook()
    sheet = book.active
    sheet.append(COLUMNS)
    for row in rows:
        values = [row[c] for c in COLUMNS]
        values[COLUMNS.index("date")] = (
            date.fromisoformat(row["date"]) if row["date"] else None
        )  # a real date cell
        values[COLUMNS.index("score")] = int(row["score"]) if row["score"] else None
        sheet.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    preview = preview_import(manager, team_id=team_id, data=buffer.getvalue(), file_name="t.xlsx")
    assert preview.problems.empty, preview.problems
    assert preview.counts["scores"] == 5


# --- bad rows ----------------------------------------------------------------------------------


def test_every_bad_row_is_named_with_its_row_column_and_reason_and_nothing_is_stored(team):
    team_id, manager = team
    tomorrow = (today_in() + timedelta(days=2)).isoformat()
    rows = [
        {"record": "family", "council_reference": "R1", "family_name": "The Ash family",
         "date": "2025-01-01"},  # row 2: fine
        {"record": "family", "council_reference": "R2", "family_name": "", "date": "2025-01-01"},
        {"record": "family", "council_reference": "R1", "family_name": "The Ash twins",
         "date": "2025-01-01"},  # row 4: the same reference twice
        {"record": "person", "council_reference": "R1", "name": "Ivy", "relationship": "child",
         "birth_year": "2015"},
        {"record": "goal", "council_reference": "R1", "goal": "Sleep well", "date": tomorrow},
        {"record": "score", "council_reference": "R1", "goal": "Sleep well", "name": "Ivy",
         "score": "11", "date": "2025-02-01"},  # row 7
        {"record": "worker", "council_reference": "R1", "worker": "nobody", "date": "2025-01-02"},
        {"record": "person", "council_reference": "R1", "name": '=HYPERLINK("http://x","Ivy")',
         "relationship": "parent"},  # row 9
        {"record": "person", "council_reference": "R9", "name": "Lost", "relationship": "child"},
        {"record": "pet", "council_reference": "R1"},
        {"record": "person", "council_reference": "R1", "name": "Oak", "relationship": "robot",
         "birth_year": "twenty"},
    ]  # fmt: skip
    before = counts()
    preview = preview_import(manager, team_id=team_id, data=csv_of(rows), file_name="bad.csv")
    found = problems_of(preview)
    assert (3, "family_name") in found
    assert (4, "council_reference") in found
    assert (6, "date") in found
    assert (7, "score") in found
    assert (8, "worker") in found
    assert (9, "name") in found
    assert (10, "council_reference") in found
    assert (11, "record") in found
    assert {(12, "relationship"), (12, "birth_year")} <= found
    reasons = dict(
        zip(zip(preview.problems["row"], preview.problems["column"]), preview.problems["reason"])
    )
    assert reasons[(3, "family_name")] == "missing family name"
    assert reasons[(4, "council_reference")].startswith("duplicate family reference")
    assert "(row 2)" in reasons[(4, "council_reference")]
    assert "in the future" in reasons[(6, "date")]
    assert reasons[(7, "score")] == "score 11 isn't between 0 and 10"
    assert reasons[(8, "worker")].startswith("unknown worker")
    assert "formula" in reasons[(9, "name")]
    # A reason never repeats what was typed in a name or a goal.
    assert not any("Ivy" in r or "Sleep" in r for r in preview.problems["reason"])
    assert not preview.ready
    with pytest.raises(Invalid, match="problems need fixing"):
        import_records(manager, team_id=team_id, data=csv_of(rows), file_name="bad.csv")
    assert counts() == before


def test_scores_and_workers_are_checked_against_the_family_and_its_goals(team):
    team_id, manager = team
    rows = [
        {"record": "family", "council_reference": "R1", "family_name": "The Elm family",
         "date": "2025-03-01"},
        {"record": "person", "council_reference": "R1", "name": "Bea", "relationship": "Mum"},
        {"record": "goal", "council_reference": "R1", "goal": "Calm evenings",
         "date": "2025-03-10"},
        {"record": "score", "council_reference": "R1", "goal": "Calm mornings", "name": "Bea",
         "score": "4", "date": "2025-03-10"},  # row 5: no such goal
        {"record": "score", "council_reference": "R1", "goal": "Calm evenings", "name": "Bea",
         "score": "4", "date": "2025-03-01"},  # row 6: before the goal was set
        {"record": "score", "council_reference": "R1", "goal": "Calm evenings", "score": "4",
         "date": "2025-03-10"},  # row 7: nobody gave it
        {"record": "worker", "council_reference": "R1", "worker": "mgr", "date": "2025-02-01"},
        {"record": "worker", "council_reference": "R1", "worker": "colleague", "role": "lead",
         "date": "2025-03-02"},  # row 9: a second current lead
        {"record": "score", "council_reference": "R1", "goal": "Calm evenings", "name": "Bea",
         "score": "6", "date": "2025-03-10"},  # fine
    ]  # fmt: skip
    preview = preview_import(manager, team_id=team_id, data=csv_of(rows), file_name="x.csv")
    assert problems_of(preview) == {
        (5, "goal"),
        (6, "date"),
        (7, "name"),
        (8, "date"),  # the worker started before the family came
        (9, "role"),
    }


# --- bad files ---------------------------------------------------------------------------------


def _xlsx_with_formula(array: bool = False) -> bytes:
    """A workbook whose family name is a formula: typed plainly, or entered with
    Ctrl+Shift+Enter (an array formula, which openpyxl reads as an object, not as text)."""
    from openpyxl.worksheet.formula import ArrayFormula

    book = Workbook()
    sheet = book.active
    sheet.append(COLUMNS)
    formula = '=HYPERLINK("http://evil.example","Click")'
    sheet.append(["family", "R1", formula, "2025-01-01"])
    if array:
        sheet["C2"] = ArrayFormula("C2", formula)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


BAD_FILES = {
    "wrong encoding": (
        "record,council_reference,family_name\nfamily,R1,The Zoë family\n".encode("latin-1"),
        "f.csv",
        "isn't saved as UTF-8",
    ),
    "semicolons": (
        ";".join(COLUMNS).encode() + b"\nfamily;R1;The Oak family;2025-01-01;;;;;;;;\n",
        "f.csv",
        "semicolons",
    ),
    "empty": (b"", "f.csv", "empty"),
    "only blank lines": (b"\n\n  \n", "f.csv", "empty"),
    "column names only": (",".join(COLUMNS).encode() + b"\n", "f.csv", "no records"),
    "not a spreadsheet": (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200),
        "f.csv",
        "spreadsheet",
    ),
    "a letter, not a table": (b"Dear team,\nplease find attached\n", "f.csv", "column names"),
    "an old Excel file": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "f.xls", ".xls"),
    "a zip that is not a workbook": (b"PK\x03\x04" + bytes(100), "f.xlsx", "Excel workbook"),
    "xlsx name, text inside": (b"hello", "f.xlsx", "isn't an Excel workbook"),
    "a comma too many, on the third row": (
        (
            ",".join(COLUMNS)
            + "\nfamily,R1,The Oak family,2025-01-01,,,,,,,,\n"
            + "person,R1,,,Sam, parent,,,,,,,\n"
        ).encode(),
        "f.csv",
        "Row 3 has more cells than the column names",
    ),
    "Excel's Unicode text": (
        "\t".join(COLUMNS).encode("utf-16") + "\nfamily\tR1\n".encode("utf-16-le"),
        "f.txt",
        "saved as Unicode text (UTF-16)",
    ),
    "a quote never closed": (
        (",".join(COLUMNS) + '\nfamily,R1,"The Oak family,2025-01-01,,,,,,,,\n').encode(),
        "f.csv",
        'A quote mark (") in row 2 is never closed',
    ),
    "a missing column": (b"record,council_reference\nfamily,R1\n", "f.csv", "no column for"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_file_gets_a_clear_message_and_nothing_is_stored(team, case):
    team_id, manager = team
    data, name, words = BAD_FILES[case]
    before = counts()
    with pytest.raises(BadFile, match=re.escape(words)):
        preview_import(manager, team_id=team_id, data=data, file_name=name)
    with pytest.raises(BadFile, match=re.escape(words)):
        import_records(manager, team_id=team_id, data=data, file_name=name)
    assert counts() == before


def test_50_mb_of_junk_is_refused_by_its_size_before_it_is_read(team, monkeypatch):
    team_id, manager = team
    junk = os.urandom(1024) * (50 * 1024)
    called = []
    monkeypatch.setattr(importer.reading, "_read_csv", lambda data: called.append(1))
    started = time.perf_counter()
    with pytest.raises(BadFile, match="50 MB: the most Golden Thread reads at once is 20 MB"):
        import_records(manager, team_id=team_id, data=junk, file_name="junk.csv")
    assert time.perf_counter() - started < 2 and not called
    assert max_bytes() == 20 * 1024 * 1024


def test_junk_under_the_limit_is_not_a_spreadsheet(team):
    team_id, manager = team
    with pytest.raises(BadFile):
        preview_import(manager, team_id=team_id, data=os.urandom(300_000), file_name="j.csv")


@pytest.mark.parametrize("array", [False, True], ids=["formula", "array formula"])
def test_a_formula_in_a_workbook_is_read_as_text_and_refused_never_worked_out(team, array):
    team_id, manager = team
    workbook = _xlsx_with_formula(array)
    preview = preview_import(manager, team_id=team_id, data=workbook, file_name="f.xlsx")
    reasons = preview.problems[preview.problems["column"] == "family_name"]["reason"].tolist()
    assert reasons and "formula" in reasons[0]
    with pytest.raises(Invalid):
        import_records(manager, team_id=team_id, data=workbook, file_name="f.xlsx")
    assert counts()["Family"] == 0


def test_rows_keep_their_spreadsheet_numbers_after_an_empty_line(team):
    team_id, manager = team
    text = (
        ",".join(COLUMNS) + "\n"
        "family,R1,The Ash family,2025-01-14\n"
        "\n"  # row 3, left empty
        "family,R2,,2025-01-14\n"  # row 4: no name
    )
    preview = preview_import(manager, team_id=team_id, data=text.encode(), file_name="f.csv")
    assert problems_of(preview) == {(4, "family_name")}


def test_one_sitting_is_one_score_however_its_day_is_written(team):
    team_id, manager = team
    rows = [
        {"record": "family", "council_reference": "R1", "family_name": "The Oak family",
         "date": "2025-01-14"},
        {"record": "person", "council_reference": "R1", "name": "Sam", "relationship": "parent"},
        {"record": "goal", "council_reference": "R1", "goal": "Calm mornings",
         "date": "2025-02-03"},
        {"record": "score", "council_reference": "R1", "goal": "Calm mornings", "name": "Sam",
         "score": "3", "date": "2025-02-03"},
        {"record": "score", "council_reference": "R1", "goal": "Calm mornings", "name": "Sam",
         "score": "9", "date": "03/02/2025"},  # row 6: the same day, written the British way
    ]  # fmt: skip
    preview = preview_import(manager, team_id=team_id, data=csv_of(rows), file_name="x.csv")
    assert problems_of(preview) == {(6, "score")}


def test_dates_with_a_time_after_them_are_read_as_their_day(team):
    """Case systems export '2025-03-14 00:00:00'; Excel's date-and-time cells read as
    '2025-03-14T09:30:00': each is the day it names, not a row to fix."""
    team_id, manager = team
    rows = template_rows(manager, team_id)
    times = [" 00:00:00", " 09:30", "T14:05:00", " 00:00"]
    for n, row in enumerate(rows):
        if row["date"]:
            day = pd.Timestamp(row["date"]).date()
            written = f"{day:%Y-%m-%d}" if n % 2 else f"{day:%d/%m/%Y}"
            row["date"] = written + times[n % len(times)]
    preview = preview_import(manager, team_id=team_id, data=csv_of(rows), file_name="t.csv")
    assert preview.problems.empty and preview.ready
    import_records(manager, team_id=team_id, data=csv_of(rows), file_name="t.csv")
    with read_session() as session:
        days = set(session.exec(select(GoalScore.scored_on)).all())
    assert days == {date(2025, 2, 3), date(2025, 4, 7), date(2025, 3, 10)}


def test_a_family_has_one_main_worker_at_a_time_over_the_whole_file(team):
    """Periods of main workers may follow one another (a handover on the day), not overlap:
    the continuity figures would otherwise lose the family's current worker."""
    team_id, manager = team

    def main_worker(username: str, start: str, end: str = "") -> dict:
        return {"record": "worker", "council_reference": "R1", "worker": username,
                "role": "lead", "date": start, "ended_on": end}  # fmt: skip

    family = {"record": "family", "council_reference": "R1", "family_name": "The Yew family",
              "date": "2025-01-02"}  # fmt: skip
    handed_over = [
        family,
        main_worker("colleague", "2025-01-10", "2025-03-01"),
        main_worker("mgr", "2025-03-01"),
    ]
    preview = preview_import(manager, team_id=team_id, data=csv_of(handed_over), file_name="x.csv")
    assert preview.problems.empty, preview.problems.to_dict("records")
    covered_while_current = [
        family,
        main_worker("mgr", "2025-01-20"),
        main_worker("colleague", "2025-03-01", "2025-04-01"),  # row 4: inside mgr's time
    ]
    preview = preview_import(
        manager, team_id=team_id, data=csv_of(covered_while_current), file_name="x.csv"
    )
    assert problems_of(preview) == {(4, "role")}


# --- one transaction --------------------------------------------------------------------------


def test_a_failure_part_way_stores_nothing_at_all(team, monkeypatch):
    team_id, manager = team
    real = importer._insert

    def failing(session, name, rows, *args, **kwargs):
        if name == "goalscore":
            raise RuntimeError("the disk is full")
        return real(session, name, rows, *args, **kwargs)

    monkeypatch.setattr(importer, "_insert", failing)
    before = counts()
    with pytest.raises(RuntimeError):
        import_records(
            manager, team_id=team_id, data=template_csv(manager, team_id), file_name="t.csv"
        )
    assert counts() == before
    assert not audit.audited(Action.IMPORT)


# --- who may ----------------------------------------------------------------------------------


def test_a_manager_imports_only_into_teams_they_lead(team):
    team_id, manager = team
    other = make.team("Riverside")
    data = template_csv(manager, team_id)
    with pytest.raises(NotAllowed):
        preview_import(manager, team_id=other, data=data, file_name="t.csv")
    with pytest.raises(NotAllowed):
        import_records(manager, team_id=other, data=data, file_name="t.csv")
    practitioner = make.worker("prac", Role.practitioner, teams=(team_id,))
    with pytest.raises(NotAllowed):
        preview_import(practitioner, team_id=team_id, data=data, file_name="t.csv")
    assert importer.import_teams(practitioner).empty
    assert list(importer.import_teams(manager)["team_id"]) == [team_id]


def test_an_admin_may_import_into_any_team_and_sees_counts_but_no_names(team):
    team_id, manager = team
    admin = make.worker("adm", Role.admin)
    assert set(importer.import_teams(admin)["team_id"]) == {team_id}
    data = template_csv(admin, team_id)
    preview = preview_import(admin, team_id=team_id, data=data, file_name="t.csv")
    assert preview.families is None and preview.counts["families"] == 2
    import_records(admin, team_id=team_id, data=data, file_name="t.csv")
    assert counts()["Family"] == 2


def test_the_command_line_without_a_terminal_asks_for_yes_instead_of_failing(
    team, tmp_path, monkeypatch, capsys
):
    """Run from a script, the question "Bring these in?" found no one to answer and ended in
    EOFError's stack trace; it now says to add --yes, and brings nothing in."""
    from db.importer.__main__ import main

    team_id, manager = team
    good = tmp_path / "families.csv"
    good.write_bytes(template_csv(manager, team_id))
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main([str(good), "--team", "Northfield", "--as", "mgr"]) == 2
    said = capsys.readouterr()
    assert "--yes" in said.err and "Nothing was brought in" in said.err
    assert counts()["Family"] == 0


def test_the_progress_bar_moves_forward_to_the_end_naming_what_it_stores_in_plain_words(team):
    team_id, manager = team
    seen: list[tuple[float, str]] = []
    import_records(
        manager,
        team_id=team_id,
        data=template_csv(manager, team_id),
        file_name="t.csv",
        on_progress=lambda fraction, words: seen.append((fraction, str(words))),
    )
    fractions = [fraction for fraction, _words in seen]
    assert fractions == sorted(fractions) and fractions[0] == 0 and fractions[-1] == 1
    storing = list(dict.fromkeys(words for _f, words in seen if words.startswith("Storing")))
    assert storing == [
        "Storing families…",
        "Storing people in the families…",
        "Storing workers' relationships with families…",
        "Storing goals…",
        "Storing scores…",
    ]


# --- 25,000 families ---------------------------------------------------------------------------


def large_file(families: int) -> bytes:
    """A council's worth: per family, a parent and a child, its lead worker, two goals and
    three scores (8 rows; 200,000 rows for 25,000 families)."""
    rows = []
    for number in range(families):
        ref = f"C{number:06d}"
        first = f"20{20 + number % 5}-0{1 + number % 9}-1{number % 9}"
        rows += [
            ("family", ref, f"The Family {number}", first, "", "", "", "", "", "", "", ""),
            ("person", ref, "", "", "Pat", "parent", "", "", "", "", "", ""),
            ("person", ref, "", "", "Kim", "child", "2015", "", "", "", "", ""),
            ("worker", ref, "", first, "", "", "", "mgr", "lead", "", "", ""),
            ("goal", ref, "", first, "", "", "", "", "", "", "Calm mornings", ""),
            ("goal", ref, "", first, "Kim", "", "", "", "", "", "School every day", ""),
            ("score", ref, "", first, "Pat", "", "", "", "", "", "Calm mornings", "3"),
            ("score", ref, "", first, "Kim", "", "", "", "", "", "School every day", "4"),
            ("score", ref, "", first, "", "", "", "mgr", "", "", "Calm mornings", "5"),
        ]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.to_csv(index=False).encode("utf-8")


def test_25000_families_come_in_quickly(team):
    team_id, manager = team
    data = large_file(25_000)
    started = time.perf_counter()
    pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    plain_read = time.perf_counter() - started

    started = time.perf_counter()
    preview = preview_import(manager, team_id=team_id, data=data, file_name="large.csv")
    checking = time.perf_counter() - started
    assert preview.problems.empty and preview.counts["families"] == 25_000

    started = time.perf_counter()
    done = import_records(manager, team_id=team_id, data=data, file_name="large.csv")
    storing = time.perf_counter() - started
    assert done.counts == {
        "families": 25_000,
        "people": 50_000,
        "workers": 25_000,
        "goals": 50_000,
        "scores": 75_000,
    }
    assert counts()["GoalScore"] == 75_000
    print(
        f"\n25,000 families ({len(data) / 1e6:.1f} MB, 225,000 rows): plain pandas read "
        f"{plain_read:.2f} s; preview {checking:.2f} s ({checking / plain_read:.1f}x); "
        f"import {storing:.2f} s ({storing / plain_read:.1f}x)"
    )
    # Bulk inserts: far from one round trip per row (which took minutes).
    assert storing < 120

    started = time.perf_counter()
    again = import_records(manager, team_id=team_id, data=data, file_name="large.csv")
    assert again.counts["families"] == 0 and again.already_here == 25_000
    assert counts()["GoalScore"] == 75_000
    print(f"the same file again: {time.perf_counter() - started:.2f} s, nothing added")


# --- python -m db.importer ---------------------------------------------------------------------


def test_the_command_line_previews_then_brings_the_file_in(team, tmp_path, capsys):
    from db.importer.__main__ import main

    team_id, manager = team
    good = tmp_path / "families.csv"
    good.write_bytes(template_csv(manager, team_id))
    bad = tmp_path / "families.xlsx"
    bad.write_bytes(b"not a workbook")
    assert main([str(bad), "--team", "Northfield", "--as", "mgr", "--yes"]) == 1
    assert "isn't an Excel workbook" in capsys.readouterr().err
    assert main([str(good), "--team", "Northfield", "--as", "nobody"]) == 2
    assert main([str(good), "--team", "Northfield", "--as", "mgr", "--yes"]) == 0
    assert "Brought in 2 families" in capsys.readouterr().out
    assert main([str(good), "--team", "Northfield", "--as", "mgr", "--yes"]) == 0
    assert "Nothing new to bring in" in capsys.readouterr().out
    assert counts()["Family"] == 2
