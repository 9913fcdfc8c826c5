"""Real browser journeys against a running server: cold page addresses, logging in as each
demo role, a practitioner's round of scores, the manager's continuity page, the admin's workers
and teams, deep links, logging out, and replaying a copied cookie."""

from __future__ import annotations

import re
import time

import jwt
import pytest

from tests.e2e.conftest import (
    COOKIE_NAME,
    PASSWORD,
    log_in,
    login_form_visible,
    main_text,
    no_error_on,
    open_in_sidebar,
    page_paths,
    settle,
    sidebar_titles,
    touched,
)

LOGIN_WORDS = {
    "Golden Thread",
    "Log in",
    "Username",
    "Password",
    "visibility",
    "visibility_off",
    "Please log in to see this page.",
    "You've logged out.",
}


def server_root(page) -> str:
    return re.match(r"https?://[^/]+", page.url).group(0)


def _roles_of(peek, username: str) -> set[str]:
    return {
        role
        for (role,) in peek(
            "SELECT role FROM workerrole JOIN worker ON worker.id = workerrole.worker_id "
            "WHERE worker.username = :u",
            u=username,
        )
    }


def _titles_for(roles: set[str]) -> list[str]:
    return [title for title, _url, allowed in page_paths() if roles & set(allowed)]


def _login_lines(text: str) -> set[str]:
    """The lines on screen, less the demo marker (it says only that the data is made up)."""
    return {
        line.strip()
        for line in text.splitlines()
        if line.strip() and "Demo data: every family here is made up." not in line
    }


def _shows_only_the_login(page) -> None:
    lines = _login_lines(main_text(page))
    assert lines <= LOGIN_WORDS, f"more than the login on {page.url}: {lines - LOGIN_WORDS}"
    assert page.get_by_role("button", name="Log out").count() == 0
    assert page.locator("[data-testid='stSidebarNav']").count() == 0


# --- a cold server ----------------------------------------------------------------------


def test_cold_server_every_page_address_shows_nothing_of_the_page(server):
    assert set(server.cold) == {url for _t, url, _r in page_paths()}
    for url, visit in server.cold.items():
        assert not visit.exception, f"/{url}: an exception on a cold server"
        lines = _login_lines(visit.text)
        assert lines <= LOGIN_WORDS, f"/{url} showed more than the login on a cold server: {lines}"


def test_cold_server_every_page_address_shows_the_login_form(server):
    without_form = [url for url, visit in server.cold.items() if not visit.login_form]
    assert not without_form, f"on a cold server, no login form at {without_form}"


def test_cold_server_no_page_address_shows_page_not_found(server):
    not_found = [url for url, visit in server.cold.items() if visit.page_not_found]
    assert not not_found, f"'Page not found' on a cold server at {not_found}"


# --- logging in -------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["practitioner", "manager", "admin"])
def test_each_demo_role_logs_in_through_the_form_and_sees_its_pages(signed_in, peek, username):
    page = signed_in(username)
    assert sidebar_titles(page) == _titles_for(_roles_of(peek, username))
    no_error_on(page)


def test_a_wrong_password_is_refused(server, fresh):
    page = touched(fresh().new_page())
    page.goto(server.url(""))
    settle(page)
    page.get_by_role("textbox", name="Username").fill("practitioner")
    page.get_by_role("textbox", name="Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    settle(page)
    assert login_form_visible(page)
    assert page.locator("[data-testid='stAlertContentError']").count() == 1
    assert page.get_by_role("button", name="Log out").count() == 0
    assert page.locator("[data-testid='stSidebarNav']").count() == 0


def test_nothing_on_the_login_form_can_rerun_it_and_one_click_logs_in(server, fresh):
    """The first login on a fresh server used to come back to the form: the cookie library's
    frame (an iframe) loaded seconds after the form, and the value it sends on loading reran
    the script between someone's typing and their click (BENCHMARKS.md, issue 14). The login
    form now draws no frame at all, so nothing but the person can rerun it."""
    page = touched(fresh().new_page())
    page.goto(server.url(""))
    page.get_by_role("textbox", name="Username").wait_for(timeout=30_000)
    settle(page)
    assert page.locator("iframe").count() == 0
    page.get_by_role("textbox", name="Username").fill("practitioner")
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Log out").wait_for(timeout=30_000)


# --- a practitioner's round of scores ---------------------------------------------------


def _family_names(page) -> list[str]:
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.wait_for()
    # Column 0 is the row chooser; the family's name is the first column after it.
    return [
        cell.inner_text().strip() for cell in grid.locator("[data-testid^='glide-cell-1-']").all()
    ]


def _opened_family_name(page, peek, family_id: int, listed: list[str]) -> str:
    """The family the keyboard opened, which must be one the list showed."""
    name = peek("SELECT known_as FROM family WHERE id = :f", f=family_id)[0][0]
    assert name in listed, f"{name} was not on My families"
    page.get_by_role("heading", name=name).first.wait_for()
    return name


def _open_the_first_family(page) -> int:
    """Opens the first family of My families by ticking its row's box (the first column), as
    a worker would; the family opens in this same tab. Returns the family's id."""
    grid = page.locator("[data-testid='stDataFrame']").first
    box = grid.bounding_box()
    assert box is not None
    header = row = 35  # Streamlit's table: a 35-pixel header, then 35-pixel rows
    page.mouse.click(box["x"] + 17, box["y"] + header + row / 2)
    page.wait_for_url(re.compile(r"/family\?family=\d+"), timeout=30_000)
    settle(page)
    return int(re.search(r"family=(\d+)", page.url).group(1))


def _goal_to_score(peek, family_id: int):
    rows = peek(
        "SELECT goal.id, goal.wording, person.id, person.name FROM goal "
        "JOIN person ON person.id = goal.person_id "
        "WHERE goal.family_id = :f AND goal.status = 'working_on_it' "
        "AND person.relationship != 'professional' ORDER BY goal.id",
        f=family_id,
    )
    assert rows, f"family {family_id} has no family member's goal being worked on"
    goal_id, wording, person_id, name = rows[0]
    latest = peek(
        "SELECT score FROM goalscore WHERE goal_id = :g AND person_id = :p "
        "ORDER BY scored_on DESC, id DESC LIMIT 1",
        g=goal_id,
        p=person_id,
    )
    return goal_id, wording, name, (latest[0][0] if latest else None)


def _sentence(page, wording: str) -> str:
    """The plain sentence the page writes about the goal (the chart's text alternative)."""
    marker = f"goal '{wording}'"
    lines = [line for line in main_text(page).splitlines() if marker in line]
    assert lines, f"no sentence about {wording!r} on the page"
    return lines[-1]


def _chart_pictures(page) -> list[bytes]:
    return [chart.screenshot() for chart in page.locator("[data-testid='stVegaLiteChart']").all()]


def _score_count(peek, goal_id: int) -> int:
    return peek("SELECT count(*) FROM goalscore WHERE goal_id = :g", g=goal_id)[0][0]


def test_practitioner_opens_a_family_from_my_families_and_records_a_round_of_scores(
    signed_in, peek
):
    page = signed_in("practitioner")
    open_in_sidebar(page, "My families")
    listed = _family_names(page)
    family_id = _open_the_first_family(page)
    family_page = page
    _opened_family_name(page, peek, family_id, listed)
    no_error_on(family_page)

    goal_id, wording, scorer, latest = _goal_to_score(peek, family_id)
    sentence_before = _sentence(family_page, wording)
    pictures_before = _chart_pictures(family_page)
    scores_before = _score_count(peek, goal_id)

    goals_tab = family_page.get_by_role("tab", name="Goals")
    if goals_tab.count():  # the first tab, open already
        goals_tab.first.click()
    # An expander or a segmented control, depending on the page's current layout.
    family_page.get_by_text("Record a round of scores", exact=True).first.click()
    settle(family_page)
    family_page.get_by_role("combobox", name="Whose scores are you recording?").click()
    family_page.get_by_role("option", name=scorer, exact=True).click()
    settle(family_page)
    new_score = 5 if latest is None else (latest + 3) % 11
    boxes = family_page.get_by_role("spinbutton", name=f"{scorer}'s score")  # one per goal
    boxes.first.wait_for(timeout=15_000)  # the person is chosen first, then their boxes appear
    assert boxes.count() >= 1
    for box in boxes.all():  # one round: this person scores every goal being worked on
        box.fill(str(new_score))
    family_page.get_by_role("button", name="Save scores").click()
    settle(family_page)
    no_error_on(family_page)
    assert _score_count(peek, goal_id) == scores_before + 1

    goals_tab = family_page.get_by_role("tab", name="Goals")
    if goals_tab.count():
        goals_tab.first.click()
        settle(family_page)
    sentence_after = _sentence(family_page, wording)
    assert sentence_after != sentence_before
    assert re.search(rf"(to|is at|was) {new_score}\b", sentence_after), sentence_after
    if pictures_before:
        family_page.wait_for_timeout(500)  # let Vega finish drawing the new point
        assert _chart_pictures(family_page) != pictures_before, "no chart changed"


def test_a_family_opens_from_my_families_in_the_same_tab(signed_in, peek):
    page = signed_in("practitioner")
    open_in_sidebar(page, "My families")
    listed = _family_names(page)
    tabs = len(page.context.pages)
    family_id = _open_the_first_family(page)
    assert len(page.context.pages) == tabs, "opened a new tab"
    _opened_family_name(page, peek, family_id, listed)
    assert not login_form_visible(page)
    no_error_on(page)


def test_logging_in_sets_the_session_cookie(server, fresh):
    page = touched(fresh().new_page())
    page.goto(server.url(""))
    settle(page)
    log_in(page, "worker5")
    page.wait_for_timeout(3000)
    assert COOKIE_NAME in {c["name"] for c in page.context.cookies()}


# --- manager and admin ------------------------------------------------------------------


def test_manager_opens_the_continuity_page(signed_in):
    page = signed_in("manager")
    open_in_sidebar(page, "Continuity")
    assert page.url.rstrip("/").endswith("/continuity")
    page.get_by_role("heading", name="Continuity").first.wait_for()
    no_error_on(page)
    assert page.locator("[data-testid='stVegaLiteChart']").count() >= 1
    assert page.locator("[data-testid='stDataFrame']").count() >= 1


def test_manager_cannot_reach_the_admin_page(signed_in):
    page = signed_in("manager")
    assert "Workers and teams" not in sidebar_titles(page)


def test_admin_opens_workers_and_teams(signed_in, peek):
    page = signed_in("admin")
    open_in_sidebar(page, "Workers and teams")
    assert page.url.rstrip("/").endswith(("/admin", server_root(page)))  # the admin's first page
    no_error_on(page)
    text = main_text(page)
    assert "Workers and teams" in text
    assert "My families" not in sidebar_titles(page)


def _wait_for_cookie(page) -> None:
    """The login cookie is written from JavaScript a moment after the form is accepted."""
    for _ in range(50):
        if COOKIE_NAME in {c["name"] for c in page.context.cookies()}:
            return
        page.wait_for_timeout(200)
    raise AssertionError("no login cookie")


# --- bookmarks: every page at its own address --------------------------------------------


@pytest.mark.parametrize(
    ("username", "address", "heading"),
    [("practitioner", "families", "My families"), ("admin", "admin", "Workers and teams")],
)
def test_a_bookmark_of_the_first_page_opens_it_logged_out_and_logged_in(
    server, fresh, username, address, heading
):
    """Each role's first page used to be Streamlit's default page, served at "/" only: its
    own address said "Page not found"."""
    page = touched(fresh().new_page())
    page.goto(server.url(address))
    settle(page)
    assert login_form_visible(page)
    assert page.get_by_text("Page not found").count() == 0
    log_in(page, username)
    assert page.url.rstrip("/").endswith(f"/{address}")
    page.get_by_role("heading", name=heading).first.wait_for()
    no_error_on(page)
    _wait_for_cookie(page)

    page.goto(server.url(address))  # the bookmark again, now the cookie logs in
    settle(page)
    page.get_by_role("heading", name=heading).first.wait_for(timeout=30_000)
    no_error_on(page)

    page.goto(server.url(""))  # the bare address goes on to the same first page
    settle(page)
    page.get_by_role("heading", name=heading).first.wait_for(timeout=30_000)
    assert page.url.rstrip("/").endswith(f"/{address}")
    no_error_on(page)


# --- deep links, logging out, copied cookies --------------------------------------------


def _practitioner_family(peek, username: str = "practitioner") -> tuple[int, str]:
    family_id, known_as = peek(
        "SELECT family.id, family.known_as FROM family "
        "JOIN workerrelationship r ON r.family_id = family.id "
        "JOIN worker ON worker.id = r.worker_id "
        "WHERE worker.username = :u AND r.ended_on IS NULL AND family.status != 'closed' "
        "ORDER BY family.id LIMIT 1",
        u=username,
    )[0]
    return family_id, known_as


def test_a_deep_link_shows_the_login_then_lands_on_that_family(server, fresh, peek):
    family_id, known_as = _practitioner_family(peek)
    page = touched(fresh().new_page())
    page.goto(server.url(f"family?family={family_id}"))
    settle(page)
    assert login_form_visible(page)
    _shows_only_the_login(page)
    log_in(page, "practitioner")
    assert page.url.endswith(f"/family?family={family_id}")
    page.get_by_role("heading", name=known_as).first.wait_for()
    no_error_on(page)


def _cookie_after_login(server, fresh, username: str) -> dict:
    """The re-login cookie a real login wrote, as someone copying it would take it."""
    context = fresh()
    page = touched(context.new_page())
    page.goto(server.url(""))
    settle(page)
    log_in(page, username)
    page.wait_for_timeout(2_000)  # written on the run after the login
    [cookie] = [c for c in context.cookies() if c["name"] == COOKIE_NAME]
    return {k: cookie[k] for k in ("name", "value", "domain", "path")}


def test_a_valid_cookie_logs_in_from_a_fresh_browser(server, fresh):
    """The control for the replay tests below: the cookie itself works while sessions stand."""
    context = fresh()
    context.add_cookies([_cookie_after_login(server, fresh, "worker2")])
    page = touched(context.new_page())
    page.goto(server.url(""))
    settle(page)
    page.get_by_role("button", name="Log out").wait_for(timeout=15_000)


@pytest.mark.parametrize("algorithm", ["none", "HS256 with another key"])
def test_a_forged_cookie_shows_the_login_form_not_an_error(server, fresh, algorithm):
    claims = {"sub": "admin", "sid": "made-up", "iat": time.time(), "exp": time.time() + 3600}
    token = (
        jwt.encode(claims, None, algorithm="none")
        if algorithm == "none"
        else jwt.encode(claims, "not the server's key " * 3, algorithm="HS256")
    )
    context = fresh()
    context.add_cookies([{"name": COOKIE_NAME, "value": token, "url": server.url("")}])
    page = touched(context.new_page())
    page.goto(server.url("families"))
    settle(page)
    page.wait_for_timeout(1_000)
    settle(page)
    assert login_form_visible(page)
    _shows_only_the_login(page)
    assert page.locator("[data-testid='stException']").count() == 0


def test_logout_then_back_button_and_a_copied_cookie_show_nothing_private(server, fresh, peek):
    family_id, known_as = _practitioner_family(peek, "worker1")
    context = fresh()
    page = touched(context.new_page())
    page.goto(server.url(f"family?family={family_id}"))
    settle(page)
    log_in(page, "worker1")
    page.get_by_role("heading", name=known_as).first.wait_for()
    open_in_sidebar(page, "My families")
    [real_cookie] = [c for c in context.cookies() if c["name"] == COOKIE_NAME]
    copied = {k: real_cookie[k] for k in ("name", "value", "domain", "path")}
    time.sleep(1.1)  # logout is recorded to the second

    page.get_by_role("button", name="Log out").click()
    settle(page)
    assert login_form_visible(page)
    _shows_only_the_login(page)
    assert known_as not in page.locator("body").inner_text()

    page.go_back()
    settle(page)
    _shows_only_the_login(page)
    assert known_as not in page.locator("body").inner_text()

    replay = fresh()
    replay.add_cookies([copied])
    stranger = touched(replay.new_page())
    stranger.goto(server.url(f"family?family={family_id}"))
    settle(stranger)
    stranger.wait_for_timeout(1000)
    settle(stranger)
    assert login_form_visible(stranger)
    _shows_only_the_login(stranger)
    assert known_as not in stranger.locator("body").inner_text()
