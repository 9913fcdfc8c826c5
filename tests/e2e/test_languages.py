"""The family meeting screen, the family copy and the family's own space in Welsh and in Urdu
on a phone-sized screen (390 px): nothing wider than the screen (a full-page screenshot is
exactly 390 px wide), Urdu laid out right to left, and axe finds no serious violation in
either language.

Lean on purpose (one demo database, one server, no cold visits): it overrides the shared
`server` fixture for this module only."""

from __future__ import annotations

import struct

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, text

from db import i18n
from tests.e2e.conftest import (
    PASSWORD,
    Server,
    _start,
    _stop,
    _wait_until_answering,
    cookie_secrets,
    download,
    fill_demo,
    main_text,
    no_error_on,
    settle,
    submit_login,
    touched,
)
from tests.e2e.test_accessibility import violations

PHONE = {"width": 390, "height": 844}
HEADINGS = {"cy": ("Ein nodau", "Ein cynllun"), "ur": ("ہمارے مقاصد", "ہمارا منصوبہ")}
DIRECTION = {"cy": "ltr", "ur": "rtl"}
PHONE_LOCALE = {"cy": "cy-GB", "ur": "ur-PK"}
MAIN_DIRECTION = "getComputedStyle(document.querySelector(\"[data-testid='stMain']\")).direction"
# What the browser, and so a screen reader, is told: the page's language, and the main block's
# language and direction (Streamlit's page always said lang="en").
SAID_LANGUAGE = """() => { const main = document.querySelector("[data-testid='stMain']");
    return [document.documentElement.lang, main.lang, main.dir]; }"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("e2e-languages")
    database_url = f"sqlite:///{folder / 'golden_thread.db'}"
    fill_demo(database_url)
    cookie_key, secrets_file = cookie_secrets(folder)
    process, base, log = _start(folder, "server", database_url, secrets_file)
    try:
        _wait_until_answering(base, process, log)
        yield Server(
            base=base, database_url=database_url, cookie_key=cookie_key, log=log, process=process
        )
    finally:
        _stop(process)


def _family_of_the_practitioner(database_url: str, language: str) -> int:
    """A family the demo practitioner works with, whose language is set to `language`."""
    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            family_id = connection.execute(
                text(
                    "SELECT family.id FROM family "
                    "JOIN workerrelationship r ON r.family_id = family.id "
                    "JOIN worker ON worker.id = r.worker_id "
                    "WHERE worker.username = 'practitioner' AND r.ended_on IS NULL "
                    "AND family.status != 'closed' ORDER BY family.id LIMIT 1"
                )
            ).scalar_one()
            connection.execute(
                text("UPDATE family SET preferred_language = :language WHERE id = :id"),
                {"language": language, "id": family_id},
            )
        return family_id
    finally:
        engine.dispose()


# What sticks out past the right edge, to say where a layout broke.
WIDER = """[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right
> window.innerWidth + 0.5).slice(-5).map(e => e.tagName + '.' + (e.getAttribute('data-testid')
|| e.className) + ' ' + (e.innerText || '').slice(0, 40)).join(' | ')"""


def _logged_in(context, server, username: str):
    """A new page of this phone-sized context, logged in as `username` (a worker or a family
    member, whose space has no sidebar to wait for)."""
    page = touched(context.new_page())
    page.goto(server.url(""))
    settle(page)
    submit_login(page, username)
    settle(page)
    return page


def _png_width(png: bytes) -> int:
    return struct.unpack(">I", png[16:20])[0]


def _fits_the_phone(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{overflow} px wider than the screen: " + page.evaluate(WIDER)
    assert _png_width(page.screenshot(full_page=True)) == PHONE["width"]


@pytest.mark.parametrize("language", ["cy", "ur"])
def test_the_family_screens_in_each_language_fit_a_phone_and_pass_axe(server, browser, language):
    family_id = _family_of_the_practitioner(server.database_url, language)
    context = browser.new_context(viewport=PHONE)
    try:
        page = _logged_in(context, server, "practitioner")
        page.goto(server.url(f"conference?family={family_id}"))
        settle(page)
        page.get_by_text("Just the household", exact=True).click()
        page.get_by_role("button", name="Open the family meeting screen").click()
        settle(page)
        no_error_on(page)
        goals, plan = HEADINGS[language]
        page.get_by_role("heading", name=plan).wait_for()
        assert goals in main_text(page)
        assert page.evaluate(MAIN_DIRECTION) == DIRECTION[language]
        assert page.evaluate(SAID_LANGUAGE) == [language, language, DIRECTION[language]]
        _fits_the_phone(page)
        assert violations(page) == []

        family_copy = download(page, page.locator("[data-testid='stDownloadButton'] button"))
        copy = open(family_copy.path(), encoding="utf-8").read()
        assert f'lang="{language}"' in copy
        page.set_content(copy)
        assert page.evaluate("document.documentElement.dir") == DIRECTION[language]
        assert goals in page.locator("body").inner_text()
        _fits_the_phone(page)
        assert violations(page) == []
    finally:
        context.close()


def _family_login_speaks(database_url: str, language: str) -> None:
    """The demo family member's family now prefers `language`."""
    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "UPDATE family SET preferred_language = :language WHERE id = ("
                    "SELECT familylogin.family_id FROM familylogin "
                    "JOIN worker ON worker.id = familylogin.worker_id "
                    "WHERE worker.username = 'family')"
                ),
                {"language": language},
            )
    finally:
        engine.dispose()


@pytest.mark.parametrize("language", ["cy", "ur"])
def test_the_familys_own_space_in_each_language_fits_a_phone_and_passes_axe(
    server, browser, language
):
    _family_login_speaks(server.database_url, language)
    context = browser.new_context(viewport=PHONE)
    try:
        page = _logged_in(context, server, "family")
        no_error_on(page)
        goals, plan = HEADINGS[language]
        page.get_by_text(goals, exact=True).first.wait_for()
        assert page.evaluate(MAIN_DIRECTION) == DIRECTION[language]
        assert page.evaluate(SAID_LANGUAGE) == [language, language, DIRECTION[language]]
        for section in (goals, plan):
            page.get_by_text(section, exact=True).first.click()
            settle(page)
            no_error_on(page)
            _fits_the_phone(page)
            assert violations(page) == []
    finally:
        context.close()


@pytest.mark.parametrize("language", ["cy", "ur"])
def test_the_login_speaks_the_language_the_phone_asks_for(server, browser, language):
    """Before anyone logs in, the browser's language is all the app knows: a phone set to Welsh
    or Urdu gets the login form, and its problems, in that language (Urdu right to left), and a
    mistyped password costs only the password. The demo family's recorded language is English,
    so their space then speaks English."""
    with i18n.speaking(language):
        username, password, log_in = i18n._("Username"), i18n._("Password"), i18n._("Log in")
        no_match = i18n._("That username and password don't match an active account.")
    context = browser.new_context(viewport=PHONE, locale=PHONE_LOCALE[language])
    try:
        page = touched(context.new_page())
        page.goto(server.url(""))
        settle(page)
        page.get_by_role("button", name=log_in).wait_for()
        assert page.evaluate(MAIN_DIRECTION) == DIRECTION[language]
        assert page.evaluate(SAID_LANGUAGE) == [language, language, DIRECTION[language]]
        page.get_by_role("textbox", name=username).fill("family")
        page.get_by_role("textbox", name=password).fill("not the password")
        page.get_by_role("button", name=log_in).click()
        page.get_by_text(no_match).wait_for()
        # The username stays where it was typed (its box kept its identity: on a tab's first
        # Log in it used to be drawn anew, empty); only the password is typed again.
        assert page.get_by_role("textbox", name=username).input_value() == "family"
        page.get_by_role("textbox", name=password).fill(PASSWORD)
        page.get_by_role("button", name=log_in).click()
        # Logged in: their own space, which speaks the family's recorded language from here on.
        page.get_by_role("textbox", name=password).wait_for(state="detached", timeout=30_000)
        settle(page)
        no_error_on(page)
    finally:
        context.close()


def _worker_speaks(database_url: str, username: str, language: str) -> None:
    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text("UPDATE worker SET language = :language WHERE username = :username"),
                {"language": language, "username": username},
            )
    finally:
        engine.dispose()


def test_a_welsh_workers_round_of_scores_stays_welsh_as_it_redraws_itself(server, browser):
    """The round of scores is a fragment: choosing whose scores reruns it alone, without
    app.py, which is where the worker's language is set (it came back in English)."""
    family_id = _family_of_the_practitioner(server.database_url, "en")
    _worker_speaks(server.database_url, "practitioner", "cy")
    try:
        page = _logged_in(browser.new_context(), server, "practitioner")
        page.goto(server.url(f"family?family={family_id}"))
        settle(page)
        action = "Cofnodi rownd o sgorau"
        page.get_by_role("radio", name=action).or_(page.get_by_role("button", name=action)).click()
        settle(page)
        box = page.get_by_role("combobox", name="Sgorau pwy ydych chi'n eu cofnodi?")
        box.click()
        page.get_by_role("option").first.click()
        settle(page)
        main = page.locator("[data-testid='stMain']")
        expect(main.get_by_role("button", name="Cadw'r sgorau")).to_be_visible()
        assert "Save scores" not in main.inner_text()
        assert "Day of the scores" not in main.inner_text()
    finally:
        _worker_speaks(server.database_url, "practitioner", "en")
