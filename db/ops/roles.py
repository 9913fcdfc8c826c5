"""PostgreSQL roles: the owner migrates, the app's role changes rows and owns nothing.

A role that owns a table can ALTER it, DROP it and DISABLE TRIGGER on it, so an app that
connected as the owner could switch off the audit record's append-only trigger. Run by the
owner (the role that ran the migrations), with MIGRATION_DATABASE_URL set to the owner's
address:

    createuser --pwprompt golden_thread_app            # once, as a role that may create roles
    python -m db.ops.roles grant --app-role golden_thread_app

`grant` can be run again at any time and leaves the same privileges: reading and changing rows
of the case tables, only reading and adding rows to the audit record, only reading the
migration version, using the id sequences. Default privileges cover tables and sequences that
later migrations (run by the same owner) add. The app then connects with DATABASE_URL as that
role; migrations keep running as the owner via MIGRATION_DATABASE_URL.

PostgreSQL only warns when a role that does not own a table grants or revokes on it, so `grant`
first refuses unless it is run as the owner of every table, and afterwards checks what the
app's role may really do (`has_table_privilege`, which counts privileges it has through PUBLIC
or another role too), failing if that is not exactly what the app needs.
"""

from __future__ import annotations

import argparse
import os
import sys

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from db.store.engine import DatabaseUnavailable, plain_database_errors
from db.store.migrate import is_current, migration_engine, migration_variable

ROW_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"
# Tables whose rows the app may read and add to, but never change or remove.
APPEND_ONLY = ("auditevent",)
# Tables the app only reads (Alembic's record of the schema's revision).
READ_ONLY = ("alembic_version",)


class RoleProblem(RuntimeError):
    """The app's role can't be set up safely; the message says why and what to do."""


def _refuse_unless_owner(connection: Connection) -> None:
    """GRANT and REVOKE by a role that does not own the table only warn; refuse instead."""
    me = connection.execute(text("SELECT current_user")).scalar_one()
    others = connection.execute(
        text(
            "SELECT c.relname, pg_get_userbyid(c.relowner) AS owner FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'S') "
            "AND c.relowner <> (SELECT oid FROM pg_roles WHERE rolname = current_user) "
            "ORDER BY c.relname LIMIT 3"
        )
    ).all()
    if others:
        tables = ", ".join(f"{row.relname} (owned by {row.owner})" for row in others)
        where = (
            "set MIGRATION_DATABASE_URL to the owner's address"
            if not os.environ.get("MIGRATION_DATABASE_URL")
            else "point MIGRATION_DATABASE_URL at the owner"
        )
        raise RoleProblem(
            f"This is connected as {me}, which does not own the tables ({tables}), so it "
            f"cannot give or take away privileges on them: run it as the owner of the tables "
            f"({where}) and try again. Nothing was changed."
        )


def _privilege_problems(connection: Connection, role: str) -> list[str]:
    """What the app's role may do that it should not, or may not do that it needs."""
    privileges = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")
    rows = connection.execute(
        text(
            "SELECT c.relname, c.relkind, "
            + ", ".join(
                f"CASE WHEN c.relkind = 'S' THEN NULL "
                f"ELSE has_table_privilege(:role, c.oid, '{p}') END AS {p.lower()}"
                for p in privileges
            )
            + ", CASE WHEN c.relkind = 'S' THEN has_sequence_privilege(:role, c.oid, 'USAGE') "
            "END AS usage FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'S') "
            "ORDER BY c.relname"
        ),
        {"role": role},
    ).all()
    problems = []
    for row in rows:
        if row.relkind == "S":
            if not row.usage:
                problems.append(f"{role} may not use the sequence {row.relname}")
            continue
        if row.relname in APPEND_ONLY:
            wanted = {"SELECT", "INSERT"}
        elif row.relname in READ_ONLY:
            wanted = {"SELECT"}
        else:
            wanted = {"SELECT", "INSERT", "UPDATE", "DELETE"}
        for privilege in privileges:
            has = getattr(row, privilege.lower())
            if has and privilege not in wanted:
                problems.append(f"{role} may still {privilege} {row.relname}")
            elif not has and privilege in wanted:
                problems.append(f"{role} may not {privilege} {row.relname}")
    creates = connection.execute(
        text("SELECT has_schema_privilege(:role, current_schema(), 'CREATE')"), {"role": role}
    ).scalar_one()
    if creates:
        problems.append(
            f"{role} may still create tables in the schema (on PostgreSQL 14 or older, run "
            f"REVOKE CREATE ON SCHEMA public FROM PUBLIC as the schema's owner)"
        )
    return problems


def _refuse_unsafe_role(connection: Connection, role: str) -> None:
    found = connection.execute(
        text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :role"), {"role": role}
    ).first()
    if found is None:
        raise RoleProblem(
            f"There is no database role called {role}: create it first with "
            f"`createuser --pwprompt {role}`, then run this again."
        )
    if found.rolsuper or found.rolbypassrls:
        raise RoleProblem(
            f"{role} is a superuser (or bypasses row security), so it could switch off the "
            f"audit guard: give the app an ordinary role instead."
        )
    owns = (
        connection.execute(
            text(
                "SELECT c.relname FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND pg_has_role(:role, c.relowner, 'MEMBER') "
                "ORDER BY c.relname LIMIT 3"
            ),
            {"role": role},
        )
        .scalars()
        .all()
    )
    if owns:
        raise RoleProblem(
            f"{role} owns (or is a member of the role that owns) {', '.join(owns)}, so it "
            f"could change those tables: run the migrations as a separate owner role and give "
            f"the app a role that owns nothing."
        )


def grant(engine: Engine, app_role: str) -> None:
    """Gives `app_role` exactly the privileges the app needs on the current schema, and the
    same on tables and sequences the owner creates later. Idempotent."""
    if engine.dialect.name != "postgresql":
        raise RoleProblem(
            "Database roles are a PostgreSQL set-up; the SQLite file needs none (keep the "
            "file readable only by the app's user)."
        )
    with engine.connect() as connection:
        _refuse_unless_owner(connection)
    if not is_current(engine):
        raise RoleProblem(
            "The database's tables are not up to date: run `python -m db.store.migrate` as "
            "the owner first, then run this again."
        )
    with engine.begin() as connection:
        _refuse_unsafe_role(connection, app_role)
        quote = connection.dialect.identifier_preparer.quote
        role = quote(app_role)
        database = quote(connection.execute(text("SELECT current_database()")).scalar_one())
        schema = quote(connection.execute(text("SELECT current_schema()")).scalar_one())
        statements = [
            f"GRANT CONNECT ON DATABASE {database} TO {role}",
            f"GRANT USAGE ON SCHEMA {schema} TO {role}",
            # Start from nothing so a second run leaves the same privileges as the first.
            f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {role}",
            f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {role}",
            f"GRANT {ROW_PRIVILEGES} ON ALL TABLES IN SCHEMA {schema} TO {role}",
            *(f"REVOKE UPDATE, DELETE ON {schema}.{quote(t)} FROM {role}" for t in APPEND_ONLY),
            *(
                f"REVOKE INSERT, UPDATE, DELETE ON {schema}.{quote(t)} FROM {role}"
                for t in READ_ONLY
            ),
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} "
            f"GRANT {ROW_PRIVILEGES} ON TABLES TO {role}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} "
            f"GRANT USAGE, SELECT ON SEQUENCES TO {role}",
        ]
        for statement in statements:
            connection.exec_driver_sql(statement)
        problems = _privilege_problems(connection, app_role)
    if problems:
        raise RoleProblem(
            f"The privileges were given, but {app_role} still does not have exactly what the "
            f"app needs: {'; '.join(problems[:5])}. A privilege given to PUBLIC or to a role "
            f"{app_role} belongs to counts too: take it away there, then run this again."
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m db.ops.roles",
        description="Set up the app's PostgreSQL role (run as the owner of the tables).",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    grant_command = commands.add_parser(
        "grant", help="give the app's role row privileges only (safe to run again)"
    )
    grant_command.add_argument("--app-role", required=True, help="e.g. golden_thread_app")
    args = parser.parse_args(argv)
    try:
        grant(migration_engine(), args.app_role)
    except (RoleProblem, DatabaseUnavailable) as problem:
        print(problem, file=sys.stderr)
        return 1
    print(
        f"{args.app_role} may now read and change case records, only add to the audit "
        f"record, and change no tables. Point DATABASE_URL at {args.app_role} and keep "
        f"MIGRATION_DATABASE_URL for the owner."
    )
    return 0


if __name__ == "__main__":
    with plain_database_errors(migration_variable()):
        sys.exit(main())
