"""The database itself refuses bad rows, keeps time in UTC, and the demo data is sound."""

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlmodel import Session, SQLModel, select

from db.ops.demo import fill
from db.store.models import Family, Goal, GoalScore, Meeting, ScoreRound
from tests import factories


def _insert(engine, row) -> None:
    with Session(engine) as session:
        session.add(row)
        session.commit()


@pytest.fixture
def goal_id(demo_db):
    with Session(demo_db) as session:
        return session.exec(select(Goal.id)).first()


def test_score_of_eleven_is_refused_by_the_database(demo_db, goal_id):
    with Session(demo_db) as session:
        round_id = session.exec(select(ScoreRound.id)).first()
    with pytest.raises(IntegrityError):
        _insert(
            demo_db,
            GoalScore(
                round_id=round_id,
                goal_id=goal_id,
                scored_on=date.today(),
                score=11,
                person_id=None,
                worker_id=1,
            ),
        )


def test_unknown_enum_value_is_refused_by_the_database(demo_db):
    with demo_db.begin() as connection, pytest.raises(IntegrityError):
        connection.execute(text("UPDATE family SET status = 'non_compliant' WHERE id = 1"))


def test_blank_goal_wording_is_refused_by_the_database(demo_db):
    with demo_db.begin() as connection, pytest.raises(IntegrityError):
        connection.execute(text("UPDATE goal SET wording = '   ' WHERE id = 1"))


def test_foreign_keys_are_enforced(demo_db):
    with pytest.raises(IntegrityError):
        _insert(demo_db, Family(team_id=9999, known_as="Nobody's team", first_came_on=date.today()))


def test_times_round_trip_as_utc(demo_db):
    family_id = factories.family(factories.team("Zone team"))
    summer_evening = datetime(2025, 7, 1, 18, 30, tzinfo=timezone(timedelta(hours=1)))
    meeting_id = factories.meeting(family_id, summer_evening)
    with Session(demo_db) as session:
        stored = session.get(Meeting, meeting_id).starts_at
    assert stored.tzinfo is not None
    assert stored == summer_evening
    assert stored.astimezone(timezone.utc).hour == 17


def test_naive_times_are_refused(demo_db):
    family_id = factories.family(factories.team("Naive"))
    with pytest.raises(StatementError):
        _insert(
            demo_db,
            Meeting(
                family_id=family_id,
                kind="call",
                status="held",
                starts_at=datetime(2025, 1, 1, 10, 0),
            ),
        )


def test_sqlite_connections_get_the_pragmas(demo_db):
    if demo_db.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas")
    with demo_db.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10000
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL


def test_migrations_made_every_model_table(demo_db):
    assert set(SQLModel.metadata.tables) <= set(inspect(demo_db).get_table_names())


def _table_counts(engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            name: connection.execute(text(f"SELECT COUNT(*) FROM {name}")).scalar()
            for name in SQLModel.metadata.tables
        }


def test_demo_data_fills_every_table_the_demo_should(demo_db):
    counts = _table_counts(demo_db)
    empty = {name for name, count in counts.items() if count == 0}
    # Filled by people using the app, not by the generator.
    assert empty <= {
        "auditevent",
        "familyinvitation",
        "loginattempt",
        "loginsession",
        "hintseen",
        "huddlefamily",
        "teamterm",  # a team's own words: the demo speaks ours
        "recordsrequest",
        "workeroffer",
    }


def test_demo_generator_is_deterministic_for_a_seed(templates, empty_template, tmp_path):
    today = date(2026, 3, 2)
    made = []
    for _ in range(2):
        folder = tmp_path / str(len(made))
        folder.mkdir()
        url = templates.copy(empty_template, folder)
        from db.store.engine import get_engine

        engine = get_engine(url)
        fill(engine, seed=7, families=20, today=today, password_hash="x")
        with engine.connect() as connection:
            made.append(
                connection.execute(
                    text("SELECT known_as, status, first_came_on FROM family ORDER BY id")
                ).all()
                + connection.execute(
                    text("SELECT goal_id, scored_on, score FROM goalscore ORDER BY id")
                ).all()
            )
        templates.drop(url)
    assert made[0] == made[1]
    assert len(made[0]) > 20
