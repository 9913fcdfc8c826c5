"""What people type is shown as typed, never as Markdown: a payload of Markdown, colour
directives, an image beacon, HTML and a bare web address, written into every name and text the
store holds, reaches no screen unescaped — for any page and any role.

Streamlit renders Markdown in far more than st.markdown (captions, alerts, headings, labels,
help text, tab and expander titles, radio options), so the check walks every element's
protobuf: any string outside the few fields Streamlit shows as plain text must carry the
payload escaped."""

from __future__ import annotations

import re

import pytest
from google.protobuf.message import Message
from sqlalchemy import bindparam, text
from sqlmodel import SQLModel

from db.i18n import TERMS
from db.store.engine import read_session
from db.subject_access import _free_text_columns
from tests.apptest import _walk, logged_in

PAYLOAD = ":red[R] ![x](http://127.0.0.1:9/b.png) <b>B</b> **S** https://example.org"
# Each piece as Markdown would act on it, were it not escaped.
LIVE = [":red[", "![x](", "<b>", "**S**"]
WEB_ADDRESS = re.compile(r"https?://|www\.", re.IGNORECASE)

# Tables whose strings are never shown as anyone's words, and columns that are keys.
NOT_SHOWN = {"auditevent", "loginattempt"}
# A worker's email is a key too: single sign-on matches it, and only a checked address (no
# spaces, no brackets) can be stored there.
KEYS = {("worker", "username"), ("worker", "password_hash"), ("worker", "email")}

# Protobuf fields Streamlit draws as plain text (or never draws): what a person typed may sit
# there as it is.
PLAIN_FIELDS = {
    "id",
    "form_id",
    "key",
    "default",  # a text box's content
    "value",
    "options",  # a selectbox's or multiselect's choices: plain text, checked below for radios
    "spec",  # Vega-Lite: titles and tooltips are text, not Markdown
    "code_text",
    "placeholder",
    "file_name",
    "alt",  # a chart's description for screen readers
    "url",
    "page_script_hash",
    "page_name",
    "data",
}
MARKDOWN_OPTIONS = {"Radio", "ButtonGroup"}  # these draw their options as Markdown


def _seed(engine) -> None:
    """Writes the payload into every free-text column of every table people's words live in."""
    with engine.begin() as connection:
        for table in SQLModel.metadata.sorted_tables:
            if table.name in NOT_SHOWN:
                continue
            for column in _free_text_columns(table):
                if (table.name, column.name) in KEYS:
                    continue
                connection.execute(
                    text(
                        f"UPDATE {table.name} SET {column.name} = :payload || ' ' || id "
                        f"WHERE {column.name} <> ''"
                    ).bindparams(bindparam("payload", PAYLOAD))
                )


# A team's own words (an admin types them, at most 60 characters) stand in our sentences on the
# family meeting screen: the demo has none, so every team gets the payload for every word.
TEAM_WORD = ":red[R] ![x](http://127.0.0.1:9/b.png) **S**"


def _seed_team_words(engine) -> None:
    with engine.begin() as connection:
        for team_id in connection.execute(text("SELECT id FROM team")).scalars().all():
            for term in TERMS:
                connection.execute(
                    text(
                        "INSERT INTO teamterm (team_id, term, language, words, version) "
                        "VALUES (:team, :term, 'en', :words, 1)"
                    ),
                    {"team": team_id, "term": term, "words": TEAM_WORD},
                )


@pytest.fixture
def seeded(demo_db):
    _seed(demo_db)
    _seed_team_words(demo_db)
    with read_session() as session:
        family_id = session.execute(
            text(
                "SELECT f.id FROM family f JOIN workerteam wt ON wt.team_id = f.team_id "
                "JOIN worker w ON w.id = wt.worker_id AND w.username = 'practitioner' "
                "JOIN goal g ON g.family_id = f.id JOIN planstep p ON p.family_id = f.id "
                "WHERE f.erased_at IS NULL GROUP BY f.id ORDER BY count(*) DESC LIMIT 1"
            )
        ).scalar_one()
    return family_id


def _strings(message: Message, owner: str, path: str = ""):
    for field, value in message.ListFields():
        where = f"{path}.{field.name}" if path else field.name
        single = isinstance(value, (str, bytes, int, float, Message))
        values = [value] if single else list(value)
        for item in values:
            if isinstance(item, Message):
                yield from _strings(item, type(item).__name__, where)
            elif isinstance(item, str):
                if field.name in PLAIN_FIELDS and not (
                    field.name == "options" and owner in MARKDOWN_OPTIONS
                ):
                    continue
                yield owner, where, item


def drawn_as_markdown(at):
    """(element, field, text) for every string Streamlit may draw as Markdown that holds some
    of the payload."""
    for node in _walk(at._tree):
        proto = getattr(node, "proto", None)
        if not isinstance(proto, Message):
            continue
        for owner, where, body in _strings(proto, type(proto).__name__):
            if "R] !" in body.replace("\\", ""):
                yield owner, where, body


def unescaped(at) -> list[str]:
    found = []
    for owner, where, body in drawn_as_markdown(at):
        as_parsed = re.sub(r"\\(.)", r"\1", body)  # what Markdown's parser reads as text
        if any(piece in body for piece in LIVE) or WEB_ADDRESS.search(as_parsed):
            found.append(f"{owner}.{where}: {body[:120]!r}")
    return found


def _visit(username: str, page: str, family_id=None, *, then=None):
    at = logged_in(username)
    at.run()
    if family_id is not None:
        at.query_params["family"] = str(family_id)
    at.switch_page(page).run()
    if then:
        then(at)
    assert not at.exception, at.exception
    return at


def _each_section(at):
    for section in at.segmented_control(key="family_section").options:
        at.segmented_control(key="family_section").set_value(section).run()
        yield section


def _scan_family_sections(username, family_id) -> list[str]:
    at = _visit(username, "pages/family.py", family_id)
    found, drawn = [], 0
    for section in list(_each_section(at)):
        assert not at.exception, (section, at.exception)
        found += [f"{section}: {problem}" for problem in unescaped(at)]
        drawn += len(list(drawn_as_markdown(at)))
    assert drawn > 20  # the payload was on screen, escaped
    return found


@pytest.mark.parametrize("username", ["practitioner", "manager"])
def test_every_family_section_shows_typed_text_as_typed(seeded, username):
    assert _scan_family_sections(username, seeded) == []


@pytest.mark.parametrize("audience", ["everyone", "household"])
def test_the_family_meeting_screen_shows_typed_text_and_addresses_as_text(seeded, audience):
    def open_screen(at):
        assert unescaped(at) == []  # the choice of audience, naming the family
        next(r for r in at.radio if r.key == "conference_audience").set_value(audience)
        next(b for b in at.button if b.key == "conference_open").click()
        at.run()

    at = _visit("practitioner", "pages/conference.py", seeded, then=open_screen)
    assert len(list(drawn_as_markdown(at))) > 5  # the words are there, escaped
    assert unescaped(at) == []


def _wall(at):
    next(b for b in at.button if b.key == "huddle_start").click()
    at.run()
    next(b for b in at.button if b.key == "huddle_wall_open").click()
    at.run()


CONTINUITY_CHARTS = [
    "monthly_continuity",
    "relationship_spread",
    "caseload_per_worker",
    "waiting_over_time",
]


def _every_chart(at):
    found = []
    for option in CONTINUITY_CHARTS:
        at.segmented_control(key="continuity_chart").set_value(option).run()
        found += unescaped(at)
        assert list(drawn_as_markdown(at))
    at.session_state["continuity_found"] = found


@pytest.mark.parametrize(
    "username, page, then",
    [
        ("practitioner", "pages/families.py", None),
        ("practitioner", "pages/huddle.py", None),
        ("practitioner", "pages/huddle.py", _wall),
        ("practitioner", "pages/account.py", None),
        ("manager", "pages/families.py", None),
        ("manager", "pages/huddle.py", None),
        ("manager", "pages/continuity.py", None),
        ("manager", "pages/audit.py", None),
        ("admin", "pages/admin.py", None),
        ("admin", "pages/audit.py", None),
        ("admin", "pages/account.py", None),
        ("family", "pages/our_space.py", None),
    ],
)
def test_every_page_shows_typed_text_as_typed(seeded, username, page, then):
    at = _visit(username, page, then=then)
    assert unescaped(at) == []


def test_every_continuity_chart_describes_workers_names_as_typed(seeded):
    at = _visit("manager", "pages/continuity.py", then=_every_chart)
    assert at.session_state["continuity_found"] == []


@pytest.mark.parametrize("page", ["pages/family.py", "pages/conference.py"])
@pytest.mark.parametrize("junk", ["99999999999999999999", "-1", "x'--", "1.5", "\x00", "٣"])
def test_junk_in_the_address_is_no_family(seeded, page, junk):
    at = _visit("practitioner", page, junk)
    assert not at.exception
