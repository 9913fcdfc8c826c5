"""The two shared screens in a real browser: the weekly huddle (sections in their fixed order,
starting the huddle, "we talked about…", the wall screen and back) and the family meeting
screen (opened from a Family page for just the household, nothing staff-only on screen, a plan
step typed with the family, the family copy downloaded, and leaving back to the Family page)."""

from __future__ import annotations

import html
import re
import time

from tests.e2e.conftest import (
    PASSWORD,
    download,
    log_in,
    main_text,
    no_error_on,
    open_in_sidebar,
    settle,
    sidebar_visible,
)

FOLLOW_UP = "Actions from the last huddle"
HUDDLE_SECTIONS = [
    "Waiting to meet a worker",
    "Told us things are harder",
    "Longer than we agreed since we last met",
    "Plan steps overdue",
    "Meetings and conferences this week",
    "Good news",
]
STAFF_ONLY_WORDS = [
    "Keeping safe",
    "Worry shared",
    "Manager's note",
    "Real change",
    "Audit",
    "Continuity",
    "caseload",
]


def _section_headings(page) -> list[str]:
    """The huddle's section headings ("Title (count)", at whichever heading level) in screen
    order, without their counts."""
    headings = page.locator("[data-testid='stMain']").locator("h2, h3, h4").all_inner_texts()
    return [
        re.sub(r"\s*\(\d+\)\s*$", "", h.strip())
        for h in headings
        if re.search(r"\(\d+\)\s*$", h.strip())
    ]


def _font_px(locator) -> float:
    return float(locator.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))


def _practitioner_team_family(peek) -> tuple[int, str]:
    """A family on the practitioner's team (the huddle's Family list is the board's families)."""
    return peek(
        "SELECT family.id, family.known_as FROM family "
        "JOIN workerrelationship r ON r.family_id = family.id "
        "JOIN worker ON worker.id = r.worker_id "
        "WHERE worker.username = 'practitioner' AND r.ended_on IS NULL "
        "AND family.status != 'closed' ORDER BY family.id LIMIT 1"
    )[0]


def _choose(page, label: str, option: str) -> None:
    page.get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=option, exact=True).click()


# --- the weekly huddle ------------------------------------------------------------------


def test_practitioner_holds_the_huddle_records_a_family_and_uses_the_wall_screen(signed_in, peek):
    page = signed_in("practitioner")
    open_in_sidebar(page, "Weekly huddle")
    no_error_on(page)
    page.get_by_role("heading", name="Weekly huddle").first.wait_for()
    sections = _section_headings(page)
    # Last huddle's actions to follow up come first, when there are any; then the six reasons.
    assert [s for s in sections if s != FOLLOW_UP] == HUDDLE_SECTIONS
    assert FOLLOW_UP not in sections or sections[0] == FOLLOW_UP

    talked_before = peek("SELECT count(*) FROM huddlefamily")[0][0]
    page.get_by_role("button", name="Start this week's huddle").click()
    settle(page)
    no_error_on(page)
    page.get_by_text("We talked about…").wait_for()

    form = page.locator("[data-testid='stForm']").filter(has_text="We talked about…")
    family = form.get_by_role("combobox", name="Family")
    family.click()
    options = page.get_by_role("option")
    options.first.wait_for()
    assert options.first.inner_text().strip()
    options.first.click()
    note = f"Talked through the school run, e2e {time.time():.0f}"
    form.get_by_label("Huddle note (staff only)").fill(note)
    form.get_by_role("textbox", name="Action agreed").fill("Ring school on Tuesday")
    (me,) = peek("SELECT name FROM worker WHERE username = 'practitioner'")[0]
    form.get_by_role("combobox", name="Who").click()
    page.keyboard.type(me)  # type to filter the team's workers, then take the match
    page.keyboard.press("Enter")
    form.get_by_role("button", name="Save").click()
    settle(page)
    no_error_on(page)
    assert peek("SELECT count(*) FROM huddlefamily")[0][0] == talked_before + 1
    huddle_id, action, doer = peek(
        "SELECT hf.huddle_id, hf.action, worker.username FROM huddlefamily hf "
        "LEFT JOIN worker ON worker.id = hf.action_worker_id ORDER BY hf.id DESC LIMIT 1"
    )[0]
    assert (action, doer) == ("Ring school on Tuesday", "practitioner")
    assert huddle_id == peek("SELECT max(id) FROM huddle")[0][0], "not this week's new huddle"
    assert peek("SELECT count(*) FROM note WHERE words = :w", w=note)[0][0] == 1
    assert [s for s in _section_headings(page) if s != FOLLOW_UP] == HUDDLE_SECTIONS  # whole

    normal_title = _font_px(page.locator("[data-testid='stMain'] h1").first)
    assert sidebar_visible(page)
    page.get_by_role("button", name="Show on the wall screen").click()
    settle(page)
    no_error_on(page)
    page.get_by_role("button", name="Back to the huddle").wait_for()
    assert not sidebar_visible(page), "the wall screen still shows the sidebar"
    title = page.locator("[data-testid='stMain'] h1").first
    assert title.inner_text().strip().endswith("this week"), title.inner_text()
    assert _font_px(title) >= 40 and _font_px(title) > normal_title, _font_px(title)
    sections = _section_headings(page)
    # Last huddle's actions to follow up come first, when there are any; then the six reasons.
    assert [s for s in sections if s != FOLLOW_UP] == HUDDLE_SECTIONS
    assert FOLLOW_UP not in sections or sections[0] == FOLLOW_UP
    assert page.locator("[data-testid='stDataFrame']").count() >= 1
    assert page.get_by_text("We talked about…").count() == 0

    page.get_by_role("button", name="Back to the huddle").click()  # one click back
    settle(page)
    no_error_on(page)
    page.get_by_role("heading", name="Weekly huddle").first.wait_for()
    assert sidebar_visible(page)
    assert page.get_by_role("button", name="Show on the wall screen").count() == 1
    sections = _section_headings(page)
    # Last huddle's actions to follow up come first, when there are any; then the six reasons.
    assert [s for s in sections if s != FOLLOW_UP] == HUDDLE_SECTIONS
    assert FOLLOW_UP not in sections or sections[0] == FOLLOW_UP


# --- the family meeting screen ----------------------------------------------------------


def test_practitioner_runs_a_family_meeting_for_the_household_and_leaves(signed_in, server, peek):
    page = signed_in("practitioner")
    family_id, known_as = _practitioner_team_family(peek)
    page.goto(server.url(f"family?family={family_id}"))
    settle(page)
    page.get_by_role("heading", name=known_as).first.wait_for()
    no_error_on(page)

    page.get_by_role("link", name=re.compile("Open the family meeting screen")).click()
    settle(page)
    assert re.search(rf"/conference\?family={family_id}$", page.url), page.url
    page.get_by_text("Just the household", exact=True).click()
    settle(page)
    page.get_by_role("button", name="Open the family meeting screen").click()
    settle(page)
    no_error_on(page)
    page.get_by_role("heading", name="Our plan").wait_for()

    assert not sidebar_visible(page), "the family meeting screen still shows the sidebar"
    text = main_text(page)
    for heading in ("Our goals", "What's going well", "Our plan"):
        assert heading in text
    body = page.locator("body").inner_text()
    shown = [word for word in STAFF_ONLY_WORDS if word.lower() in body.lower()]
    assert not shown, f"staff-only words on the family's screen: {shown}"

    step = f"Mum and Jo choose a Saturday activity together ({time.time():.0f})"
    form = page.locator("[data-testid='stForm']").filter(has_text="Add to our plan")
    form.get_by_role("textbox", name="What will happen").fill(step)
    form.get_by_role("textbox", name="Who").fill("Mum and Jo")
    form.get_by_role("textbox", name="How we'll know").fill("Jo tells us at the next meeting")
    form.get_by_role("button", name="Add to the plan").click()
    settle(page)
    no_error_on(page)
    page.get_by_text(step, exact=False).first.wait_for()
    text = main_text(page)
    assert text.index(step) > text.index("Our plan"), "the new step is not under 'Our plan'"

    family_copy = download(
        page, page.get_by_role("button", name=re.compile("Download the family copy"))
    )
    assert family_copy.suggested_filename.endswith(".html"), family_copy.suggested_filename
    copy = open(family_copy.path(), encoding="utf-8").read()
    assert re.match(r"\s*<!doctype html|\s*<html", copy, re.IGNORECASE), copy[:200]
    words = html.unescape(copy)  # the copy escapes what it shows ("Okafor&#x27;s")
    assert known_as in words
    assert step in words
    assert "<script" not in copy.lower()
    settle(page)

    # Someone in the room tries the way back without the password: the browser's Back, the
    # family's page by its address, and a reload (a new session, back in by the cookie).
    for way_back in (
        page.go_back,
        lambda: page.goto(server.url(f"family?family={family_id}")),
        page.reload,
    ):
        way_back()
        settle(page)
        page.get_by_role("heading", name="Our plan").wait_for()
        no_error_on(page)
        assert not sidebar_visible(page), "the way back showed the sidebar"
        body = page.locator("body").inner_text()
        assert not [word for word in STAFF_ONLY_WORDS if word.lower() in body.lower()]
        assert re.search(rf"/conference\?family={family_id}$", page.url), page.url

    page.get_by_text("Finish the family meeting", exact=True).click()
    # The worker's own password takes the screen back: the family can't open the staff record.
    page.get_by_role("textbox", name="Your password").fill(PASSWORD)
    page.get_by_role("button", name="Leave the family meeting screen").click()
    page.wait_for_url(re.compile(rf"/family\?family={family_id}$"))
    settle(page)
    no_error_on(page)
    page.get_by_role("heading", name=known_as).first.wait_for()
    assert sidebar_visible(page)
    assert page.get_by_role("link", name=re.compile("Open the family meeting screen")).count()


def test_the_family_meeting_screen_reads_from_across_the_room(browser, server, peek):
    """On a TV (1920 × 1080) the family's words, the captions under them, the form's boxes and
    the charts' words are large enough to read from the sofa; on a tablet they stay large."""
    family_id, _known_as = _practitioner_team_family(peek)
    smallest = {1920: (26, 22, 18), 1024: (19, 17, 18)}  # text, captions, chart words (px)
    for width, height in ((1920, 1080), (1024, 768)):
        context = browser.new_context(viewport={"width": width, "height": height})
        try:
            page = context.new_page()
            page.goto(server.url(""))
            settle(page)
            log_in(page, "practitioner")
            page.goto(server.url(f"conference?family={family_id}"))
            settle(page)
            page.get_by_text("Just the household", exact=True).click()  # their goals shared
            settle(page)
            page.get_by_role("button", name="Open the family meeting screen").click()
            settle(page)
            page.get_by_role("heading", name="Our plan").wait_for()
            main = page.locator("[data-testid='stMain']")
            text, caption, chart = smallest[width]
            texts = main.locator("[data-testid='stMarkdownContainer'] p")
            assert min(_font_px(t) for t in texts.all()) >= text
            captions = main.locator("[data-testid='stCaptionContainer']")
            assert min(_font_px(c) for c in captions.all()) >= caption
            assert _font_px(main.get_by_role("textbox", name="What will happen")) >= text
            page.locator("[data-testid='stVegaLiteChart'] svg text").first.wait_for(
                state="attached"
            )
            words = page.locator("[data-testid='stVegaLiteChart'] svg text")
            assert min(_font_px(w) for w in words.all()) >= chart
            # A box's words fit in it (Streamlit's boxes are a fixed 40 px high).
            box = main.get_by_role("textbox", name="What will happen")
            assert box.evaluate("e => e.parentElement.clientHeight >= e.scrollHeight")
        finally:
            # The screen stays open in this login: the login ends with the context.
            context.close()
