"""The role split on PostgreSQL: the owner migrates; the app's role changes rows, only adds to
the audit record, and owns nothing, so it cannot switch off the audit's append-only trigger."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, func, text
from sqlalchemy.exc import ProgrammingError
from sqlmodel import select

from db import families, family_world
from db.auth import check_login
from db.ops import roles
from db.ops.prepare import prepare
from db.store.engine import get_engine, read_session
from db.store.migrate import INSUFFICIENT_PRIVILEGE, SchemaBehind
from db.store.models import Agreement, AuditEvent, Role
from tests import factories
from tests.conftest import BACKEND, PG_SERVER, SESSION_TAG, _use_database

pytestmark = pytest.mark.skipif(
    BACKEND != "postgresql",
    reason="Database roles are PostgreSQL's; SQLite has no roles (TEST_DATABASE=postgresql).",
)


@pytest.fixture(scope="session")
def app_role(templates):
    """A login role for this test session only (roles are shared by the whole server)."""
    name = f"gt_app_{SESSION_TAG}"
    server = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.exec_driver_sql(f'CREATE ROLE "{name}" LOGIN')
    yield name
    templates.wait_for_drops()  # the role has privileges in the test databases until they go
    with server.connect() as connection:
        connection.exec_driver_sql(f'DROP ROLE IF EXISTS "{name}"')
    server.dispose()


@pytest.fixture
def world(demo_db):
    """A team, a worker and a family, made by the owner before the app's role is used."""
    team = factories.team("Roles team")
    return {
        "owner": demo_db,
        "sam": factories.worker("sam", Role.practitioner, teams=(team,)),
        "family": factories.family(team, "The Role family"),
    }


@pytest.fixture
def as_app(world, app_role, monkeypatch):
    """The app's role set up by the owner, and the app connected as it from here on."""
    owner = world["owner"]
    monkeypatch.setenv("MIGRATION_DATABASE_URL", owner.url.render_as_string(hide_password=False))
    assert roles.main(["grant", "--app-role", app_role]) == 0
    url = owner.url.set(username=app_role).render_as_string(hide_password=False)
    _use_database(url)
    yield get_engine(url)
    get_engine(url).dispose()


def _refused(engine, statement: str) -> ProgrammingError:
    with pytest.raises(ProgrammingError) as refusal, engine.begin() as connection:
        connection.exec_driver_sql(statement)
    assert refusal.value.orig.sqlstate == INSUFFICIENT_PRIVILEGE
    return refusal.value


def _audit_rows(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(AuditEvent)).scalar_one()


def test_the_app_role_cannot_switch_off_the_audit_trigger(as_app, world):
    refusal = _refused(as_app, "ALTER TABLE auditevent DISABLE TRIGGER ALL")
    assert "must be owner" in str(refusal.orig)
    _refused(as_app, "ALTER TABLE auditevent DISABLE TRIGGER auditevent_no_update_or_delete")
    _refused(as_app, "DROP TRIGGER auditevent_no_update_or_delete ON auditevent")
    _refused(as_app, "DROP TABLE auditevent")
    with world["owner"].connect() as connection:
        enabled = connection.execute(
            text(
                "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'auditevent'::regclass "
                "AND NOT tgisinternal AND tgenabled = 'O'"
            )
        ).scalar_one()
    assert enabled == 2


def test_the_app_role_cannot_change_or_remove_audit_rows(as_app, world):
    family_world.add_agreement(world["sam"], family_id=world["family"], what="Sharing the plan")
    before = _audit_rows(as_app)
    assert before == 1
    _refused(as_app, "DELETE FROM auditevent")
    _refused(as_app, "UPDATE auditevent SET action = 'view'")
    _refused(as_app, "TRUNCATE auditevent")
    assert _audit_rows(as_app) == before


def test_the_app_role_owns_nothing_and_cannot_change_tables(as_app, app_role):
    with as_app.connect() as connection:
        owned = connection.execute(
            text(
                "SELECT count(*) FROM pg_class "
                "WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = :r)"
            ),
            {"r": app_role},
        ).scalar_one()
    assert owned == 0
    _refused(as_app, "ALTER TABLE family ADD COLUMN secret text")
    _refused(as_app, "CREATE TABLE stash (words text)")
    _refused(as_app, "UPDATE alembic_version SET version_num = '0001'")


def test_the_app_works_as_its_role_and_its_writes_are_audited(as_app, world):
    before = _audit_rows(as_app)
    agreement_id = family_world.add_agreement(
        world["sam"], family_id=world["family"], what="Sharing the plan with school"
    )
    family_world.agreement_checked(
        world["sam"], family_id=world["family"], agreement_id=agreement_id
    )
    with read_session() as session:
        assert session.get(Agreement, agreement_id).what == "Sharing the plan with school"
    shown = family_world.agreements(world["sam"], world["family"])
    assert list(shown["agreement_id"]) == [agreement_id]
    assert families.family_summary(world["sam"], world["family"]).known_as == "The Role family"
    families.record_view(world["sam"], world["family"])
    assert check_login("sam", factories.TEST_PASSWORD).actor is not None
    assert check_login("sam", "not the password").actor is None
    assert _audit_rows(as_app) == before + 5


def test_the_app_role_starts_on_a_current_schema_without_migrating(as_app):
    assert prepare() == "The database is up to date."


def test_a_schema_behind_says_which_command_to_run(as_app, world, monkeypatch):
    with world["owner"].begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0002'")
    monkeypatch.delenv("MIGRATION_DATABASE_URL")
    with pytest.raises(SchemaBehind, match="python -m db.store.migrate"):
        prepare()


def test_tables_a_later_migration_adds_are_covered(as_app, world):
    with world["owner"].begin() as connection:
        connection.exec_driver_sql("CREATE TABLE later_table (id serial PRIMARY KEY, words text)")
    with as_app.begin() as connection:
        connection.exec_driver_sql("INSERT INTO later_table (words) VALUES ('added later')")
        assert connection.exec_driver_sql("SELECT words FROM later_table").scalar_one() == (
            "added later"
        )


def test_granting_again_changes_nothing_and_an_unsafe_role_is_refused(as_app, app_role, world):
    assert roles.main(["grant", "--app-role", app_role]) == 0
    _refused(as_app, "DELETE FROM auditevent")
    with pytest.raises(roles.RoleProblem, match="superuser"):
        roles.grant(world["owner"], "postgres")
    with pytest.raises(roles.RoleProblem, match="createuser"):
        roles.grant(world["owner"], f"gt_nobody_{SESSION_TAG}")


def test_run_as_the_app_role_it_refuses_and_says_to_run_it_as_the_owner(
    as_app, app_role, monkeypatch, capsys
):
    """Without MIGRATION_DATABASE_URL it connects with DATABASE_URL, the app's own role, whose
    GRANTs and REVOKEs PostgreSQL would only warn about: it must not report success."""
    monkeypatch.delenv("MIGRATION_DATABASE_URL")
    assert roles.main(["grant", "--app-role", app_role]) == 1
    said = capsys.readouterr()
    assert "run it as the owner of the tables" in said.err
    assert "MIGRATION_DATABASE_URL" in said.err
    assert "may now" not in said.out
    _refused(as_app, "DELETE FROM auditevent")


def test_a_privilege_the_app_role_keeps_another_way_fails_the_check(as_app, app_role, world):
    """has_table_privilege counts what PUBLIC (or a role it belongs to) may do: a change to the
    audit record given to everyone is reported, not passed over."""
    with world["owner"].begin() as connection:
        connection.exec_driver_sql("GRANT UPDATE, TRUNCATE ON auditevent TO PUBLIC")
    with pytest.raises(roles.RoleProblem, match="may still UPDATE auditevent") as problem:
        roles.grant(world["owner"], app_role)
    assert "may still TRUNCATE auditevent" in str(problem.value)
    with world["owner"].begin() as connection:
        connection.exec_driver_sql("REVOKE UPDATE, TRUNCATE ON auditevent FROM PUBLIC")
    roles.grant(world["owner"], app_role)


def test_a_restore_as_the_app_role_says_to_use_the_owners_address(as_app, world, tmp_path):
    """The app's role may take a backup but can't replace tables: a restore with DATABASE_URL
    left on the app's role says so in words (README: run it with the owner's address), not
    with psql's "must be owner of table demoinfo" and the SQL that failed."""
    from db.ops import backup as backups

    written = backups.backup(tmp_path / "saved")
    with pytest.raises(backups.BackupProblem) as problem:
        backups.restore(written, safety_folder=tmp_path / "safety")
    said = str(problem.value)
    assert "owner" in said and "DATABASE_URL" in said and "Nothing was changed" in said
    assert "psql:" not in said and "inline_code_block" not in said
    with world["owner"].connect() as connection:  # the tables are all still there
        assert connection.exec_driver_sql("SELECT count(*) FROM family").scalar_one() > 0
