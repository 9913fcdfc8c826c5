"""Bringing a team's records in from a file: families, the people in them, their workers,
their goals and scores — previewed first, then stored in one transaction or not at all.

The layout is one row per record (see README, "Bringing records in", and the template):
`record` says what the row is (family, person, worker, goal or score) and `council_reference`
ties every row to its family. A family the team already has (the same council reference) is
left exactly as it is, with every row about it, so bringing the same file in twice adds
nothing the second time.

Who may: a manager, into a team they lead; an admin, into any team (admins set teams up and
move a council's records over). An admin sees no case content anywhere, so their preview shows
counts and the problems found (row, column, reason — a reason never repeats a name or a
goal's words), never the families' names; a manager's preview also lists the families.

Storing is fast because it is done in bulk: one INSERT … RETURNING per table and chunk (not a
round trip per row), the team's cached views marked once, and one audit row holding counts
only (how many families, people, workers' relationships, goals and scores) — never a value.
"""

from __future__ import annotations

import enum
import io
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pandas as pd
from sqlalchemy import Table, func, text, update
from sqlmodel import Session, SQLModel, col, select

from db.i18n import N_, Nn_
from db.importer.checks import PROBLEM_COLUMNS, Checked, check
from db.importer.reading import COLUMNS, BadFile, read_table
from db.rules import audit
from db.rules.access import Actor, require_import_team
from db.rules.validation import Invalid, checked
from db.store.clock import team_today, utcnow
from db.store.engine import read_session, write_session
from db.store.models import Family, FamilyStatus, Role, Team, Worker, WorkerTeam

__all__ = [
    "COLUMNS",
    "BadFile",
    "Imported",
    "Preview",
    "import_records",
    "import_teams",
    "preview_import",
    "template_csv",
]

Progress = Callable[[float, str], None]
CHUNK = 5000
# What a file adds, by kind: headings as they are (a count's label), `.small()` in sentences.
KIND_WORDS = {
    "families": N_("Families"),
    "people": N_("People in the families"),
    "workers": N_("Workers' relationships with families"),
    "goals": N_("Goals"),
    "scores": N_("Scores"),
}


@dataclass(frozen=True)
class Preview:
    """What a file would add, and every problem in it; nothing has been stored."""

    team_id: int
    counts: dict[str, int]
    already_here: int
    rows_read: int
    problems: pd.DataFrame  # row, column, reason
    # The families that would be added (name, council reference), for a worker who may see
    # the team's records; None for an admin, who sees counts only.
    families: pd.DataFrame | None

    @property
    def ready(self) -> bool:
        return self.problems.empty and self.counts.get("families", 0) > 0


@dataclass(frozen=True)
class Imported:
    team_id: int
    counts: dict[str, int]
    already_here: int


# --- who may, and into which teams ------------------------------------------------------------


def import_teams(actor: Actor) -> pd.DataFrame:
    """The teams this worker may bring records into: every team for an admin, the teams they
    lead for a manager, none for anyone else."""
    with read_session() as session:
        query = select(col(Team.id), col(Team.name)).order_by(col(Team.name))
        if not actor.has(Role.admin):
            led = actor.led_team_ids if actor.has(Role.manager) else frozenset()
            query = query.where(col(Team.id).in_(led))
        rows = session.exec(query).all()
    return pd.DataFrame(rows, columns=["team_id", "team"])


def _team_workers(session: Session, team_id: int) -> dict[str, int]:
    rows = session.exec(
        select(func.lower(col(Worker.username)), col(Worker.id))
        .join(WorkerTeam, col(WorkerTeam.worker_id) == Worker.id)
        .where(col(WorkerTeam.team_id) == team_id, col(Worker.is_active))
    ).all()
    return {username: worker_id for username, worker_id in rows if worker_id is not None}


def _known_references(session: Session, team_id: int) -> set[str]:
    rows = session.exec(
        select(func.lower(func.trim(col(Family.council_reference)))).where(
            col(Family.team_id) == team_id, col(Family.council_reference) != ""
        )
    ).all()
    return set(rows)


def _progress(on_progress: Any) -> Progress:
    if on_progress is None:
        return lambda _fraction, _words: None
    if not callable(on_progress):
        raise Invalid(N_("Please check the form and try again."))
    return on_progress


def _checked_file(
    session: Session, team_id: int, data: Any, file_name: str, report: Progress
) -> Checked:
    report(0.0, N_("Reading the file…"))
    table = read_table(data, file_name)
    report(0.15, N_("Checking {count} rows…", count=f"{len(table):,}"))
    found = check(
        table,
        today=team_today(session, team_id),
        workers=_team_workers(session, team_id),
        known_references=_known_references(session, team_id),
    )
    report(0.3, N_("Checked."))
    return found


# --- the preview ------------------------------------------------------------------------------


def preview_import(
    actor: Actor, *, team_id: int, data: bytes, file_name: str, on_progress: Progress | None = None
) -> Preview:
    """Reads and checks the file for the team; stores nothing. BadFile (an Invalid) if the
    file as a whole can't be read."""
    require_import_team(actor, team_id)
    report = _progress(on_progress)
    with read_session() as session:
        found = _checked_file(session, team_id, data, file_name, report)
    report(1.0, N_("Ready."))
    names = None
    if team_id in actor.case_team_ids:
        names = found.families[["known_as", "council_reference"]].rename(
            columns={"known_as": "family", "council_reference": "council reference"}
        )
    return Preview(
        team_id=team_id,
        counts=found.counts,
        already_here=found.already_here,
        rows_read=found.rows_read,
        problems=found.problems[PROBLEM_COLUMNS],
        families=names,
    )


# --- storing it -------------------------------------------------------------------------------


def _table(name: str) -> Table:
    return SQLModel.metadata.tables[name]


def _value(value: Any) -> Any:
    """A pandas cell as the database takes it: None for a gap, ints as ints."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, float):
        return int(value)
    return value


def _new_ids(session: Session, name: str, count: int) -> list[int]:
    """Ids for `count` new rows of the table, taken before they are stored so rows that point
    at them can be built without asking the database for each one. PostgreSQL hands them out
    from the table's sequence (safe beside other writers); on SQLite this transaction holds
    the write lock (BEGIN IMMEDIATE), so the next ids after the largest are ours."""
    if not count:
        return []
    if session.get_bind().dialect.name == "postgresql":
        sequence = session.execute(
            text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": name}
        ).scalar_one()
        return list(
            session.execute(
                text("SELECT nextval(:sequence) FROM generate_series(1, :count)"),
                {"sequence": sequence, "count": count},
            ).scalars()
        )
    largest = session.execute(select(func.max(_table(name).c.id))).scalar_one() or 0
    return list(range(largest + 1, largest + 1 + count))


def _insert(
    session: Session,
    name: str,
    rows: list[dict],
    report: Progress,
    at: tuple[float, float],
    *,
    what: str,
    ids: bool = False,
) -> list[int]:
    """Stores the rows in bulk, in chunks: PostgreSQL's COPY, or one executemany on SQLite —
    never a round trip per row. With `ids`, the rows get new ids first (returned in order)."""
    made = _new_ids(session, name, len(rows)) if ids else []
    if ids:
        rows = [{"id": new_id, **row} for new_id, row in zip(made, rows)]
    if not rows:
        return made
    start, end = at
    columns = list(rows[0])
    postgres = session.get_bind().dialect.name == "postgresql"
    for first in range(0, len(rows), CHUNK):
        chunk = rows[first : first + CHUNK]
        if postgres:
            _copy(session, name, columns, chunk)
        else:
            _executemany(session, name, columns, chunk)
        done = min(first + CHUNK, len(rows)) / len(rows)
        report(start + (end - start) * done, N_("Storing {what}…", what=KIND_WORDS[what].small()))
    return made


def _executemany(session: Session, name: str, columns: list[str], rows: list[dict]) -> None:
    """One executemany on SQLite's own driver, each value converted by its column's own type
    (dates, UTC times, checked choices) exactly as SQLAlchemy would, once per column rather
    than through its machinery once per row."""
    table = _table(name)
    dialect = session.get_bind().dialect
    processors = [table.c[column].type.bind_processor(dialect) for column in columns]
    values = [
        tuple(
            process(row[column]) if process is not None and row[column] is not None else row[column]
            for column, process in zip(columns, processors)
        )
        for row in rows
    ]
    quoted = ", ".join(f'"{column}"' for column in columns)
    marks = ", ".join("?" for _ in columns)
    session.connection().exec_driver_sql(
        f'INSERT INTO "{name}" ({quoted}) VALUES ({marks})', values
    )


def _copy(session: Session, name: str, columns: list[str], rows: list[dict]) -> None:
    """PostgreSQL's COPY … FROM STDIN through psycopg, inside this session's transaction."""
    driver = session.connection().connection.driver_connection
    assert driver is not None
    quoted = ", ".join(f'"{column}"' for column in columns)
    with driver.cursor() as cursor:
        with cursor.copy(f'COPY "{name}" ({quoted}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(
                    [
                        str(value) if isinstance(value, enum.Enum) else value
                        for value in (row[column] for column in columns)
                    ]
                )


def _store(session: Session, actor: Actor, team_id: int, found: Checked, report: Progress):
    now = utcnow()
    # Python objects, not Arrow-backed columns: walking those value by value is slow.
    families = found.families.astype(object)
    working = families["working_since"].notna()
    family_ids = _insert(
        session,
        "family",
        [
            {
                "team_id": team_id,
                "known_as": known_as,
                "first_came_on": first_came_on,
                "council_reference": reference,
                "how_they_came": "",
                "rhythm": "fortnightly",
                "status": FamilyStatus.working_together if works else FamilyStatus.waiting,
                "is_demo": False,
                "erased_at": None,
                "data_version": 0,
                "version": 1,
            }
            for known_as, first_came_on, reference, works in zip(
                families["known_as"],
                families["first_came_on"],
                families["council_reference"],
                working,
            )
        ],
        report,
        (0.3, 0.45),
        ids=True,
        what="families",
    )
    family_of = dict(zip(families["key"], family_ids))
    statuses = [
        {
            "family_id": family_id,
            "status": FamilyStatus.waiting,
            "changed_on": first_came_on,
            "recorded_by": actor.worker_id,
            "recorded_at": now,
        }
        for family_id, first_came_on in zip(family_ids, families["first_came_on"])
    ] + [
        {
            "family_id": family_of[key],
            "status": FamilyStatus.working_together,
            "changed_on": since,
            "recorded_by": actor.worker_id,
            "recorded_at": now,
        }
        for key, since in zip(families["key"][working], families["working_since"][working])
    ]
    _insert(session, "familystatuschange", statuses, report, (0.45, 0.5), what="families")

    people = found.people.astype(object)
    person_ids = _insert(
        session,
        "person",
        [
            {
                "family_id": family_of[key],
                "name": name,
                "relationship": relationship,
                "organisation": "",
                "birth_year": _value(year),
                "in_household": True,
                "how_they_help": "",
                "language": "English",
                "needs_interpreter": False,
                "must_not_invite": False,
                "must_not_see_plan": False,
                "version": 1,
            }
            for key, name, relationship, year in zip(
                people["key"], people["name"], people["relationship"], people["birth_year"]
            )
        ],
        report,
        (0.5, 0.65),
        ids=True,
        what="people",
    )
    person_of = dict(zip(people["key"] + "\x1f" + people["name"].str.lower(), person_ids))

    workers = found.workers.astype(object)
    _insert(
        session,
        "workerrelationship",
        [
            {
                "family_id": family_of[key],
                "worker_id": int(worker_id),
                "role": role,
                "started_on": started_on,
                "ended_on": _value(ended_on),
                "chosen_by_family": False,
                "end_reason": None,
            }
            for key, worker_id, role, started_on, ended_on in zip(
                workers["key"],
                workers["worker_id"],
                workers["role"],
                workers["started_on"],
                workers["ended_on"],
            )
        ],
        report,
        (0.65, 0.7),
        what="workers",
    )

    goals = found.goals.astype(object)
    goal_ids = _insert(
        session,
        "goal",
        [
            {
                "family_id": family_of[key],
                "person_id": person_of.get(person_key) if isinstance(person_key, str) else None,
                "wording": wording,
                "zero_means": "",
                "ten_means": "",
                "visibility": "family",
                "status": "working_on_it",
                "status_reason": "",
                "set_on": set_on,
                "version": 1,
                "withdrawn_at": None,
                "withdrawn_reason": "",
            }
            for key, wording, set_on, person_key in zip(
                goals["key"], goals["wording"], goals["set_on"], goals["person_key"]
            )
        ],
        report,
        (0.7, 0.8),
        ids=True,
        what="goals",
    )
    goal_of = dict(zip(goals["goal_key"], goal_ids))

    scores = found.scores.astype(object)
    sittings = scores[["key", "scored_on"]].drop_duplicates().reset_index(drop=True)
    round_ids = _insert(
        session,
        "scoreround",
        [
            {
                "token": f"import-{uuid.uuid4().hex}",
                "family_id": family_of[key],
                "meeting_id": None,
                "scored_on": scored_on,
                "recorded_by": actor.worker_id,
                "recorded_at": now,
                "at_home": False,
            }
            for key, scored_on in zip(sittings["key"], sittings["scored_on"])
        ],
        report,
        (0.8, 0.85),
        ids=True,
        what="scores",
    )
    round_of = dict(zip(zip(sittings["key"], sittings["scored_on"]), round_ids))
    _insert(
        session,
        "goalscore",
        [
            {
                "round_id": round_of[(key, scored_on)],
                "goal_id": goal_of[goal_key],
                "scored_on": scored_on,
                "score": int(score),
                "person_id": person_of.get(person_key) if isinstance(person_key, str) else None,
                "worker_id": _value(worker_id),
                "comment": "",
            }
            for key, goal_key, scored_on, score, person_key, worker_id in zip(
                scores["key"],
                scores["goal_key"],
                scores["scored_on"],
                scores["score"],
                scores["person_key"],
                scores["worker_id"],
            )
        ],
        report,
        (0.85, 0.97),
        what="scores",
    )
    # The team's cached views (huddle, lists, figures) are out of date; new families start
    # at data version 0, so nothing cached can be keyed on them yet.
    session.execute(
        update(Team)
        .where(col(Team.id) == team_id)
        .values(data_version=col(Team.data_version) + 1)
        .execution_options(synchronize_session=False)
    )
    audit.record(
        session,
        actor,
        audit.Action.IMPORT,
        record_type="import",
        record_id=team_id,
        fields=[f"{kind}={count}" for kind, count in found.counts.items()],
    )


@checked
def import_records(
    actor: Actor, *, team_id: int, data: bytes, file_name: str, on_progress: Progress | None = None
) -> Imported:
    """Checks the file again (what was previewed may have changed since) and stores all of
    it in one transaction, or nothing: any problem refuses the whole file (Invalid), so the
    person fixes the rows and brings it in again. Audited with counts only."""
    require_import_team(actor, team_id)
    report = _progress(on_progress)
    with write_session() as session:
        # The team row locked (PostgreSQL): two imports of one file at once add it once.
        if session.get(Team, team_id, with_for_update=True) is None:
            raise Invalid(N_("That team isn't known here: please reload the page."))
        found = _checked_file(session, team_id, data, file_name, report)
        if not found.problems.empty:
            raise Invalid(
                Nn_(
                    "{count} problem needs fixing in the file first: nothing was brought in.",
                    "{count} problems need fixing in the file first: nothing was brought in.",
                    len(found.problems),
                    count=f"{len(found.problems):,}",
                )
            )
        if found.counts["families"]:
            _store(session, actor, team_id, found, report)
    report(1.0, N_("Done."))
    return Imported(team_id=team_id, counts=found.counts, already_here=found.already_here)


# --- the template -----------------------------------------------------------------------------

# Two made-up families, as a team's own file would hold them; `{worker}` stands for a worker's
# username. A plain CSV, so it reads as the file a team downloads.
TEMPLATE_FILE = Path(__file__).with_name("template.csv")


def template_frame(worker_username: str) -> pd.DataFrame:
    """The template's example rows, with a worker's username where one is needed."""
    rows = pd.read_csv(TEMPLATE_FILE, dtype=str, keep_default_na=False)
    return rows.reindex(columns=COLUMNS, fill_value="").replace("{worker}", worker_username)


def template_csv(actor: Actor, team_id: int) -> bytes:
    """The template as a CSV for this team: two made-up families, with the worker rows naming
    the worker downloading it (or, if they aren't in the team, one of its workers)."""
    require_import_team(actor, team_id)
    with read_session() as session:
        usernames = sorted(_team_workers(session, team_id))
    username = actor.username.lower() if actor.username.lower() in usernames else ""
    username = username or (usernames[0] if usernames else "a.username")
    buffer = io.StringIO()
    template_frame(username).to_csv(buffer, index=False, lineterminator="\r\n")
    return buffer.getvalue().encode("utf-8-sig")
