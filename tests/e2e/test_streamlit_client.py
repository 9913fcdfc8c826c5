"""The load run's simulated worker (bench/streamlit_client.py) against the real app: it speaks
Streamlit's protocol well enough to log in through the real login form and switch pages, so the
figures it times are real page switches of a logged-in worker, not login forms."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from bench.browser import PASSWORD
from bench.streamlit_client import LoginFailed, StreamlitClient


def _run(journey) -> None:
    """Runs the client's coroutine on its own thread: the session's sync Playwright browser
    (the server fixture's) keeps an event loop running on this one."""
    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, journey()).result(timeout=180)


async def _log_in(base: str, username: str, password: str) -> tuple[StreamlitClient, list]:
    client = StreamlitClient(base)
    first = await client.connect()
    login = await client.log_in(username, password)
    return client, [first, login]


def test_the_client_logs_in_through_the_form_and_switches_pages_and_back(server):
    async def journey():
        client, (first, login) = await _log_in(server.base, "practitioner", PASSWORD)
        try:
            assert first.ok, first.problems
            assert first.login_form() is not None  # logged out: the form, nothing else
            assert not first.logged_in()

            assert login.ok, login.problems
            assert login.logged_in()  # the sidebar's "Log out", no form
            assert login.login_form() is None
            assert "My families" in login.texts()  # the practitioner's first page
            assert client.current_path() == "families"
            assert {"families", "huddle"} <= set(client.page_paths())

            to_huddle = await client.switch_to("huddle")
            assert to_huddle.ok, to_huddle.problems
            assert client.current_path() == "huddle"
            assert to_huddle.logged_in()
            assert "Weekly huddle" in to_huddle.texts()
            assert any(t.startswith("Waiting to meet a worker (") for t in to_huddle.texts())
            assert "My families" not in to_huddle.texts()

            back = await client.switch_to("families")
            assert back.ok, back.problems
            assert client.current_path() == "families"
            assert "My families" in back.texts()
            assert back.ms > 0
        finally:
            await client.close()

    _run(journey)


def test_a_wrong_password_leaves_the_client_logged_out(server):
    async def journey():
        client = StreamlitClient(server.base)
        try:
            await client.connect()
            with pytest.raises(LoginFailed, match="still logged out"):
                await client.log_in("worker1", "not-the-password")
            assert client.last.finished
            assert client.last.login_form() is not None  # the form came back
            assert not client.last.logged_in()
        finally:
            await client.close()

    _run(journey)
