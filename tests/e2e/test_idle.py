"""An idle logout never throws away what someone is typing: a warning with an "I'm still here"
button comes first. Typing into a form sends nothing to the server until it is saved, so the
server alone cannot tell a busy worker from an empty room."""

import pytest

from tests.e2e.conftest import _start, _stop, _wait_until_answering, log_in, settle, touched


@pytest.fixture(scope="module")
def short_idle_server(server, tmp_path_factory):
    """The same demo database, served with a one-minute idle limit (warning 45 s before)."""
    folder = tmp_path_factory.mktemp("idle")
    secrets_file = folder / "secrets.toml"
    secrets_file.write_text(f'cookie_key = "{server.cookie_key}"\n')
    secrets_file.chmod(0o600)
    process, base, log = _start(
        folder,
        "idle-server",
        server.database_url,
        secrets_file,
        {"IDLE_MINUTES": "1", "IDLE_WARNING_MINUTES": "0.75"},
    )
    try:
        _wait_until_answering(base, process, log)
        yield base
    finally:
        _stop(process)


def test_unsaved_typing_survives_the_idle_warning_and_idling_still_logs_out(
    short_idle_server, fresh
):
    page = touched(fresh().new_page())
    page.goto(short_idle_server + "/")
    settle(page)
    log_in(page, "practitioner")
    page.goto(short_idle_server + "/family?family=1")
    settle(page)
    page.get_by_text("Add a goal", exact=True).click()
    settle(page)
    box = page.get_by_role("textbox", name="The goal, in their own words")
    box.fill("Typed but not saved yet")

    page.get_by_role("button", name="I'm still here").wait_for(timeout=60_000)
    page.get_by_role("button", name="I'm still here").click()
    page.wait_for_timeout(2_000)
    assert box.input_value() == "Typed but not saved yet"
    assert page.get_by_role("button", name="Log out").count() == 1

    # Nobody answers the next warning: the session ends and the login form shows.
    page.get_by_role("textbox", name="Username").wait_for(timeout=120_000)
    assert page.get_by_role("button", name="Log out").count() == 0
