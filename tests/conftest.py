"""Shared fixtures: a migrated demo database made once and copied for each test."""
from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import pytest

os.environ.pop("DATABASE_URL", None)

from db.engine import get_engine  # noqa: E402
from db.migrate import upgrade_to_head  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TODAY = date.today()


def _use_database(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    get_engine.cache_clear()


@pytest.fixture(scope="session")
def template_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("templates")


@pytest.fixture(scope="session")
def empty_template(template_dir) -> Path:
    path = template_dir / "empty.db"
    upgrade_to_head(get_engine(f"sqlite:///{path}"))
    get_engine(f"sqlite:///{path}").dispose()
    return path


@pytest.fixture(scope="session")
def demo_template(template_dir, empty_template) -> Path:
    from db.demo import fill
    path = template_dir / "demo.db"
    shutil.copy(empty_template, path)
    engine = get_engine(f"sqlite:///{path}")
    fill(engine, seed=42, today=TODAY)
    engine.dispose()
    return path


def _copy(template: Path, tmp_path: Path) -> str:
    target = tmp_path / "golden_thread.db"
    shutil.copy(template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def demo_db(demo_template, tmp_path):
    """A private copy of the demo database, used by the app and db/ alike."""
    url = _copy(demo_template, tmp_path)
    _use_database(url)
    _clear_streamlit_caches()
    yield get_engine(url)
    get_engine(url).dispose()
    os.environ.pop("DATABASE_URL", None)
    get_engine.cache_clear()


@pytest.fixture
def empty_db(empty_template, tmp_path):
    url = _copy(empty_template, tmp_path)
    _use_database(url)
    _clear_streamlit_caches()
    yield get_engine(url)
    get_engine(url).dispose()
    os.environ.pop("DATABASE_URL", None)
    get_engine.cache_clear()


def _clear_streamlit_caches() -> None:
    import streamlit as st
    st.cache_data.clear()
    st.cache_resource.clear()
