"""Set-up problems give one clear sentence on screen, never a stack trace."""

import os
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from db.store.engine import get_engine
from db.store.models import DemoInfo
from tests.apptest import new_app


def _run_with(url: str):
    os.environ["DATABASE_URL"] = url
    get_engine.cache_clear()
    at = new_app()
    at.run()
    return at


def test_a_bad_database_url_is_one_sentence(demo_db):
    at = _run_with("nonsense-without-a-scheme")
    assert not at.exception
    assert len(at.error) == 1 and "DATABASE_URL" in at.error[0].value
    assert not at.text_input  # no login form on a broken set-up


def test_an_unreachable_database_is_one_sentence(demo_db):
    at = _run_with("postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert not at.exception
    assert any("can't reach its database" in e.value for e in at.error)


def test_missing_secrets_stop_the_app_with_what_to_do(demo_db):
    at = new_app()
    at.secrets["cookie_key"] = ""
    at.run()
    assert not at.exception
    assert any("make run" in e.value and "cookie key" in e.value for e in at.error)


def test_the_librarys_default_cookie_key_is_refused(demo_db):
    at = new_app()
    at.secrets["cookie_key"] = "some_key"
    at.run()
    assert any("public default" in e.value for e in at.error)


def test_a_demo_database_older_than_a_week_is_rebuilt(demo_db, monkeypatch, tmp_path, capsys):
    import db.ops.prepare
    import db.store.engine

    path = tmp_path / "demo-old.db"
    url = f"sqlite:///{path}"
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setattr(db.ops.prepare, "DEFAULT_SQLITE_PATH", path)
    monkeypatch.setattr(db.store.engine, "DEFAULT_DATABASE_URL", url)
    get_engine.cache_clear()
    said = db.ops.prepare.prepare()
    assert "Demo data ready" in said
    # Every demo login in README's table, the family's own space's too, and its password.
    assert "practitioner, manager, admin or family" in said and "golden-thread-demo" in said
    with Session(get_engine(url)) as session:
        info = session.exec(select(DemoInfo)).one()
        info.made_at = info.made_at - timedelta(days=8)
        session.add(info)
        session.commit()
        old_made_at = info.made_at
    get_engine(url).dispose()  # this test's own engine must not keep the old file open
    assert "Demo data ready" in db.ops.prepare.prepare()
    assert "rebuilt with fresh dates" in capsys.readouterr().out
    with Session(get_engine(url)) as session:
        assert session.exec(select(DemoInfo)).one().made_at > old_made_at
    assert db.ops.prepare.prepare() == "The database is up to date."


def test_a_secrets_file_with_a_typing_mistake_is_named_not_called_missing(tmp_path, monkeypatch):
    """A quote left open while adding [auth] for single sign-on made the whole secrets.toml
    unreadable, and the screen said the cookie key was missing and to run `make run` (which
    leaves an existing file alone). It now names the file and where the mistake is."""
    import streamlit as st

    from components import config

    key = "k" * 48
    broken = tmp_path / "secrets.toml"
    broken.write_text(f'cookie_key = "{key}"\n[auth]\nredirect_uri = "https://gt.example/oauth\n')

    class Unreadable:
        def get(self, *_args):
            raise FileNotFoundError("Streamlit couldn't parse the secrets file")

    monkeypatch.setattr(st, "secrets", Unreadable())
    monkeypatch.setattr(st, "get_option", lambda name: [str(tmp_path / "none.toml"), str(broken)])
    with pytest.raises(config.ConfigProblem) as problem:
        config.cookie_key()
    said = str(problem.value)
    assert "secrets.toml can't be read" in said and "at line 3, column" in said
    assert "make run" not in said and key not in said and str(tmp_path) not in said

    broken.unlink()  # no file at all: still the missing key, and `make run` makes one
    with pytest.raises(config.ConfigProblem, match="missing: run `make run`"):
        config.cookie_key()
