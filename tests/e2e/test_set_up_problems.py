"""A set-up that must be fixed before anyone can log in (a secrets file with a typing mistake,
a new database with no admin yet) shows one sentence on a freshly started server, and nothing
else: not Streamlit's list of every file in pages/ ("app", "account", "admin"…) as links.

Lean on purpose: it overrides the shared `server` fixture with a server whose secrets file
can't be read, and starts one more on an empty database."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import (
    VIEWPORT,
    Server,
    _start,
    _stop,
    _wait_until_answering,
    cookie_secrets,
    main_text,
    run_tool,
    settle,
)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A demo-less server whose secrets file has a quote left open in its [auth] section."""
    folder = tmp_path_factory.mktemp("e2e-set-up")
    database_url = f"sqlite:///{folder / 'golden_thread.db'}"
    secrets_file = folder / "secrets.toml"
    secrets_file.write_text(
        f'cookie_key = "{"k" * 48}"\n[auth]\nredirect_uri = "https://gt.example/oauth2callback\n'
    )
    process, base, log = _start(folder, "server", database_url, secrets_file)
    try:
        _wait_until_answering(base, process, log)
        yield Server(base=base, database_url=database_url, cookie_key="", log=log, process=process)
    finally:
        _stop(process)


def _first_visit(browser, base: str) -> tuple[str, int, int]:
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.goto(base)
        settle(page)
        nav_links = page.locator("[data-testid='stSidebarNav'] a").count()
        any_links = page.locator("a[href*='/admin'], a[href*='/account']").count()
        return main_text(page), nav_links, any_links
    finally:
        context.close()


def test_a_secrets_file_with_a_mistake_shows_one_sentence_and_no_page_list(server, browser):
    text, nav_links, page_links = _first_visit(browser, server.base)
    assert "secrets.toml can't be read (the mistake is at line 3, column" in text, text[:500]
    assert "make run" not in text
    assert nav_links == 0 and page_links == 0


def test_a_database_with_no_admin_yet_says_how_to_make_one_and_shows_no_page_list(
    server, browser, tmp_path
):
    database_url = f"sqlite:///{tmp_path / 'new.db'}"
    run_tool("db.store.migrate", database_url)
    _key, secrets_file = cookie_secrets(tmp_path)
    process, base, log = _start(tmp_path, "empty", database_url, secrets_file)
    try:
        _wait_until_answering(base, process, log)
        text, nav_links, page_links = _first_visit(browser, base)
    finally:
        _stop(process)
    assert "No one can log in yet" in text and "create-admin" in text, text[:500]
    assert nav_links == 0 and page_links == 0
