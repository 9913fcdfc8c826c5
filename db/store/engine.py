"""One engine per database URL, and sessions that write safely on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from typing import Iterator

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, InterfaceError, OperationalError
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, create_engine

from db.settings import DEFAULT_DATABASE_URL


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached or its address is wrong; the message says which."""


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL


# What the driver says when it can't connect, and what the person at the keyboard can do.
_CONNECTION_ADVICE = (
    (("password authentication failed",), "check the user name and its password (~/.pgpass)."),
    (("no password supplied",), "put the role's password in ~/.pgpass (or in the address)."),
    (("not permitted to log in",), "give the role LOGIN, or use the role meant for this."),
    (("database", "does not exist"), "create it (createdb), or correct its name in the address."),
    (("role", "does not exist"), "create it (createuser), or correct the user in the address."),
    (("connection refused",), "check the host and port, and that PostgreSQL is running."),
    (("translate host name",), "check the host name in the address."),
    (("resolve host",), "check the host name in the address."),
    (("timeout",), "check the host and port, and that PostgreSQL is running."),
    (("timed out",), "check the host and port, and that PostgreSQL is running."),
    (("unable to open database file",), "check the file's folder exists and can be written."),
)


def _advice(said: str) -> str | None:
    said = said.lower()
    return next((what for words, what in _CONNECTION_ADVICE if all(w in said for w in words)), None)


def connection_problem(problem: Exception, variable: str = "DATABASE_URL") -> str:
    """One sentence for the command line when the database can't be reached: where (the
    address without its password), what the driver said, and what to do."""
    url = os.environ.get(variable) or database_url()
    try:
        where = make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        where = variable
    said = str(getattr(problem, "orig", None) or problem).strip()
    lines = [line.strip() for line in said.splitlines() if line.strip()]
    reason = lines[0] if lines else type(problem).__name__
    for marker in ("FATAL:", "failed: "):
        if marker in reason:
            reason = reason.rsplit(marker, 1)[1].strip()
    advice = _advice(said) or "check the address and that the database is running."
    return (
        f"Golden Thread can't reach its database at {where} ({variable}): {reason}. Please {advice}"
    )


@contextmanager
def plain_database_errors(variable: str = "DATABASE_URL") -> Iterator[None]:
    """For the command line tools: a database that can't be reached, or an address that is
    wrong, ends the command with one sentence saying what to do, never a stack trace."""
    try:
        yield
    except DatabaseUnavailable as problem:
        sys.exit(str(problem))
    except (OperationalError, InterfaceError) as problem:
        said = str(getattr(problem, "orig", None) or problem)
        if "connect" not in said.lower() and _advice(said) is None:
            raise  # not about reaching the database (a lock, a query): the whole story
        sys.exit(connection_problem(problem, variable))


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Python's sqlite3 opens transactions itself; turn that off so BEGIN IMMEDIATE is ours.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in ("journal_mode=WAL", "foreign_keys=ON", "busy_timeout=10000", "synchronous=FULL"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()
    # SQLite's own lower() knows only A-Z, so "ÖZDEMIR" never matched "Özdemir" in a search or
    # the duplicate check; PostgreSQL's lower() knows every letter. Python's does too.
    dbapi_connection.create_function("lower", 1, _lower, deterministic=True)


def _lower(value):
    return value.lower() if isinstance(value, str) else value


def _sqlite_begin(connection) -> None:
    # Writers take the lock up front: a deferred BEGIN that later writes fails with
    # "database is locked" under concurrent read-then-write (measured: 349 of 400).
    connection.exec_driver_sql("BEGIN IMMEDIATE" if connection.info.get("write") else "BEGIN")


def _create_owner_only(path: str) -> None:
    """A new SQLite file (password hashes, case records) is readable by its owner only;
    SQLite gives its -wal and -shm files the same mode. An existing file is left as it is."""
    try:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            pass
    except OSError as error:  # a file where a folder should be, a folder not ours…
        raise DatabaseUnavailable(
            f"Golden Thread can't make its SQLite database at {path} ({error.strerror}): "
            f"check DATABASE_URL names a file in a folder this user may write to."
        ) from None


@lru_cache(maxsize=8)
def get_engine(url: str | None = None) -> Engine:
    url = url or database_url()
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise DatabaseUnavailable(
            "DATABASE_URL is not a database address Golden Thread understands "
            "(expected e.g. postgresql+psycopg://user@host:5432/name)."
        ) from error
    if parsed.get_backend_name() == "sqlite":
        options: dict = {"connect_args": {"check_same_thread": False}}
        if parsed.database in (None, "", ":memory:"):
            options["poolclass"] = StaticPool
        else:
            _create_owner_only(parsed.database)
        engine = create_engine(url, **options)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if parsed.get_backend_name() == "postgresql":
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)
    raise DatabaseUnavailable(
        f"Golden Thread runs on SQLite or PostgreSQL, not {parsed.get_backend_name()}."
    )


# How many database sessions this thread (Streamlit run, test) has open, so a refusal knows
# whether a session will audit it on the way out or it must be audited at once.
_open_sessions: ContextVar[int] = ContextVar("open_sessions", default=0)


def in_session() -> bool:
    return _open_sessions.get() > 0


def audit_refusal(refusal, engine: Engine | None = None) -> None:
    """Audits a refusal (db.rules.access.NotAllowed) once, in its own transaction."""
    if refusal.audited:
        return
    from db.rules import audit

    refusal.audited = True
    with write_session(engine) as session:
        audit.record(
            session,
            refusal.actor,
            audit.Action.REFUSED,
            family_id=refusal.family_id,
            record_type=refusal.what,
            record_id=refusal.record_id,
        )


@contextmanager
def _counted_auditing_refusals(engine: Engine) -> Iterator[None]:
    """Counts this session as open. A refusal leaving the outermost session is audited there,
    after that session's own transaction has ended."""
    from db.rules.access import NotAllowed

    outermost = not in_session()
    token = _open_sessions.set(_open_sessions.get() + 1)
    try:
        yield
    except NotAllowed as refusal:
        if outermost:
            audit_refusal(refusal, engine)
        raise
    finally:
        _open_sessions.reset(token)


@contextmanager
def read_session(engine: Engine | None = None) -> Iterator[Session]:
    engine = engine or get_engine()
    with _counted_auditing_refusals(engine), Session(engine) as session:
        yield session


@contextmanager
def write_session(engine: Engine | None = None) -> Iterator[Session]:
    """One transaction: everything commits together or nothing is stored."""
    engine = engine or get_engine()
    with _counted_auditing_refusals(engine), engine.connect() as connection:
        connection.info["write"] = True
        try:
            with Session(bind=connection, expire_on_commit=False) as session:
                with session.begin():
                    yield session
        finally:
            connection.info.pop("write", None)
