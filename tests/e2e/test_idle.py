"""An idle logout never throws away what someone is typing: a warning with an "I'm still here"
button comes first. Typing into a form sends nothing to the server until it is saved, so the
server alone cannot tell a busy worker from an empty room. And an idle logout holds: neither a
reload, a new tab nor a copy of the cookie brings the session back."""

import re

import pytest

from tests.e2e.conftest import (
    COOKIE_NAME,
    _start,
    _stop,
    _wait_until_answering,
    log_in,
    login_form_visible,
    settle,
    touched,
)


@pytest.fixture(scope="module")
def short_idle_server(server, tmp_path_factory):
    """The same demo database, served with a 30-second idle limit (warning 15 s before), checked
    every 2 s: a short limit noticed at once, so the journeys wait seconds rather than minutes
    and still leave each step (a busy machine's slow page run) well inside the limit."""
    folder = tmp_path_factory.mktemp("idle")
    secrets_file = folder / "secrets.toml"
    secrets_file.write_text(f'cookie_key = "{server.cookie_key}"\n')
    secrets_file.chmod(0o600)
    process, base, log = _start(
        folder,
        "idle-server",
        server.database_url,
        secrets_file,
        {
            "IDLE_MINUTES": "0.5",
            "FAMILY_IDLE_MINUTES": "0.5",
            "IDLE_WARNING_MINUTES": "0.25",
            "IDLE_CHECK_SECONDS": "2",
        },
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
    settle(page)  # the run that draws the form also removes the page drawn before it
    assert page.get_by_role("button", name="Log out").count() == 0


def test_on_a_familys_phone_the_idle_warning_shows_over_what_they_are_typing(
    short_idle_server, fresh
):
    """A parent writing at the foot of their plan, scrolled down on a phone, sees the warning
    (drawn at the top of the page) and keeps what they typed."""
    page = touched(fresh().new_page())
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(short_idle_server + "/")
    settle(page)
    log_in(page, "family")
    plan = page.get_by_role("radio", name="Our plan")
    plan.or_(page.get_by_role("button", name="Our plan")).first.click()
    settle(page)
    box = page.get_by_role("textbox", name="Something I did for our plan")
    box.fill("Took Noah to football")  # scrolls the page down to the box

    still_here = page.get_by_role("button", name="I'm still here")
    still_here.wait_for(timeout=60_000)
    warning = page.locator("[data-testid='stAlert']", has_text="You'll be logged out")
    top, bottom = warning.evaluate(
        "w => [w.getBoundingClientRect().top, w.getBoundingClientRect().bottom]"
    )
    assert 0 <= top and bottom <= 844, f"the warning is out of view ({top:.0f} to {bottom:.0f} px)"
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    right = warning.evaluate("w => w.getBoundingClientRect().right")
    assert wide <= 0 and right <= 390, f"the warning is wider than the phone ({right:.0f} px)"
    still_here.click()
    page.wait_for_timeout(2_000)
    assert box.input_value() == "Took Noah to football"
    assert page.get_by_role("button", name="Log out").count() == 1


def test_an_idle_logout_is_not_undone_by_a_reload_a_new_tab_or_a_copied_cookie(
    short_idle_server, fresh
):
    context = fresh()
    page = touched(context.new_page())
    page.goto(short_idle_server + "/")
    settle(page)
    log_in(page, "worker3")
    page.wait_for_timeout(2_000)  # the cookie is written on the run after the login
    [cookie] = [c for c in context.cookies() if c["name"] == COOKIE_NAME]
    copied = {k: cookie[k] for k in ("name", "value", "domain", "path")}

    # Nobody answers the warning: the session ends and the login form shows.
    page.get_by_role("textbox", name="Username").wait_for(timeout=150_000)
    page.get_by_text("You were away for a while").wait_for(timeout=10_000)
    settle(page)

    page.reload()
    settle(page)
    page.wait_for_timeout(1_000)  # the cookie component reruns the script once
    settle(page)
    assert login_form_visible(page)
    assert page.get_by_role("button", name="Log out").count() == 0
    assert COOKIE_NAME not in {c["name"] for c in context.cookies()}

    tab = touched(context.new_page())
    tab.goto(short_idle_server + "/families")
    settle(tab)
    assert login_form_visible(tab)
    assert tab.get_by_role("button", name="Log out").count() == 0

    # Even the cookie as it was before the idle logout (copied away) brings nothing back.
    elsewhere = fresh()
    elsewhere.add_cookies([copied])
    replay = touched(elsewhere.new_page())
    replay.goto(short_idle_server + "/families")
    settle(replay)
    replay.wait_for_timeout(1_000)
    settle(replay)
    assert login_form_visible(replay)
    assert replay.get_by_role("button", name="Log out").count() == 0


def test_a_tab_left_on_the_staff_record_turns_into_the_family_screen_by_itself(
    browser, short_idle_server, server
):
    """A tab of the same login, left on the family's record, is not a tab switch away from the
    room: once the family meeting screen opens in another tab it shows that screen by itself,
    with no click (its timer notices)."""
    from tests.e2e.conftest import peek_into

    with peek_into(server.database_url) as query:
        (family_id,) = query(
            "SELECT r.family_id FROM workerrelationship r JOIN worker w ON w.id = r.worker_id "
            "WHERE w.username = 'practitioner' AND r.ended_on IS NULL ORDER BY r.family_id"
        )[0]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        record = context.new_page()
        record.goto(f"{short_idle_server}/")
        settle(record)
        log_in(record, "practitioner")
        record.goto(f"{short_idle_server}/family?family={family_id}")
        settle(record)
        link = record.get_by_role("link", name=re.compile("Open the family meeting screen"))
        link.wait_for()
        screen = context.new_page()
        screen.goto(f"{short_idle_server}/conference?family={family_id}")
        settle(screen)
        screen.get_by_text("Just the household", exact=True).click()
        settle(screen)
        screen.get_by_role("button", name="Open the family meeting screen").click()
        settle(screen)
        screen.get_by_role("heading", name="Our plan").wait_for()
        record.bring_to_front()
        record.get_by_role("heading", name="Our plan").wait_for(timeout=15_000)
        assert record.locator("[data-testid='stSidebar']").count() == 0 or not (
            record.locator("[data-testid='stSidebar']").first.is_visible()
        )
        assert link.count() == 0  # the staff record is gone from that tab
    finally:
        context.close()
