"""Helpers for driving screens with AppTest."""

from __future__ import annotations

import re
from contextlib import nullcontext
from pathlib import Path

import pytest
from sqlmodel import select
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from db import auth, i18n
from db.rules.access import Actor, load_actor
from db.store.engine import read_session
from db.store.models import Worker

ROOT = Path(__file__).resolve().parent.parent
COOKIE_KEY = "test-cookie-key-" + "x" * 40


def new_app(script: str = "app.py") -> AppTest:
    # AppTest would otherwise treat pages/ as an old-style multipage app after the first run.
    PagesManager.uses_pages_directory = False
    at = AppTest.from_file(str(ROOT / script), default_timeout=30)
    at.secrets["cookie_key"] = COOKIE_KEY
    return at


def logged_in(username: str, script: str = "app.py") -> AppTest:
    """An app whose session belongs to this worker, as after a real login."""
    at = new_app(script)
    with read_session() as session:
        worker = session.exec(select(Worker).where(Worker.username == username)).one()
    at.session_state["authentication_status"] = True
    at.session_state["username"] = worker.username
    at.session_state["name"] = worker.name
    at.session_state["roles"] = []
    at.session_state["logout"] = None
    return at


def chose_language(username: str, language: str) -> Actor:
    """This worker chose the language of their own screens, as on their settings."""
    with read_session() as session:
        actor = load_actor(session, username)
    assert actor is not None, f"no worker {username}"
    auth.set_my_language(actor, language)
    return actor


def opened(username: str, page: str, *, speaking: str | None = None, **query: str) -> AppTest:
    """This worker's app after a first run, moved to the page with these query parameters, as
    after following its link (drawn in the language `speaking`, when given)."""
    at = logged_in(username)
    at.run()
    for name, value in query.items():
        at.query_params[name] = value
    with i18n.speaking(speaking) if speaking else nullcontext():
        at.switch_page(page).run()
    return at


def open_family_page(username: str, family_id: int) -> AppTest:
    """The Family page of one family, drawn for this worker."""
    return opened(username, "pages/family.py", family=str(family_id))


def all_text(at: AppTest) -> str:
    """Every element's protobuf as text, with the rows of every table and chart decoded:
    catches data that only charts or tables carry."""
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

    parts = []
    for node in _walk(at._tree):
        proto = getattr(node, "proto", None)
        if proto is None:
            continue
        parts.append(str(proto))
        arrow = getattr(proto, "arrow_data", None)
        data = getattr(arrow, "data", None) if arrow is not None else getattr(proto, "data", None)
        if isinstance(data, bytes) and data:
            parts.append(convert_arrow_bytes_to_pandas_df(data).to_string())
    parts += [str(row) for row in chart_rows(at)]
    # Markdown escapes (\- \. …) would hide a leaked value from a plain search: drop them.
    return "\n".join(parts).replace("\\", "")


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def chart_rows(at) -> list[dict]:
    """Every row of data sent with the page's charts (Streamlit moves a spec's inline datasets
    into Arrow tables on the protobuf)."""
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

    rows: list[dict] = []
    for chart in at.get("vega_lite_chart"):
        for dataset in chart.proto.datasets:
            rows += convert_arrow_bytes_to_pandas_df(dataset.data.data).to_dict("records")
        if chart.proto.HasField("data"):
            rows += convert_arrow_bytes_to_pandas_df(chart.proto.data.data).to_dict("records")
    return rows


def edit_box(widgets, form: str, field: str):
    """An edit form's box, keyed by the version of the record it was drawn from (SeenVersion):
    `edit_box(at.text_input, f"person_{person_id}", "name")`."""
    key = re.compile(rf"{re.escape(form)}_v\d+_{re.escape(field)}")
    found = [widget for widget in widgets if widget.key and key.fullmatch(widget.key)]
    assert len(found) == 1, f"{len(found)} boxes {form}_v…_{field} on screen"
    return found[0]


def errors_in_form(at: AppTest, form_id: str) -> list[str]:
    """The error messages drawn inside a form (next to its Save button), not elsewhere."""
    for node in _walk(at._tree):
        proto = getattr(node, "proto", None)
        if proto is not None and getattr(proto, "form", None) and proto.form.form_id == form_id:
            return [e.value for e in _walk(node) if getattr(e, "type", "") == "error"]
    return []


def assert_page_kept_from(username: str, page: str, private: str) -> None:
    """This worker can neither switch to the page nor open it on its own (they are told it isn't
    theirs), someone not logged in is asked to log in, and neither sees the private words."""
    at = logged_in(username)
    at.run()
    with pytest.raises(ValueError):
        at.switch_page(page).run()
    direct = logged_in(username, script=page)
    direct.run()
    assert [w.value for w in direct.warning] == ["This page isn't available to you."]
    assert private not in all_text(direct)
    nobody = new_app(page)
    nobody.run()
    assert private not in all_text(nobody)
    assert [i.value for i in nobody.info] == ["Please log in to see this page."]


def shared_screen(at: AppTest, family_id: int, audience: str = "everyone") -> AppTest:
    """The family meeting screen, opened from the conference page by the worker whose app this
    is, for the people in the room (`audience`)."""
    at.run()
    at.query_params["family"] = str(family_id)
    at.switch_page("pages/conference.py").run()
    next(r for r in at.radio if r.key == "conference_audience").set_value(audience)
    # A family with someone not to see the plan: the worker says they are not in the room.
    for tick in at.checkbox:
        if tick.key == f"conference_none_kept_out_{family_id}":
            tick.check()
            at.run()
    next(b for b in at.button if b.key == "conference_open").click()
    return at.run()
