"""The family's own space, one journey on a phone-sized screen (390×844) in Chromium: a worker
invites a parent → the parent takes up the invitation and logs in → scores a goal with one tap
→ the worker sees the home score (on the family's record and in the huddle) → the worker
pauses the login → the parent's open session ends.

On the way, the family's page is checked as a phone page: no sideways scrolling, tap targets
of at least 44 px, no staff sidebar, and no serious or critical axe-core violation."""

from __future__ import annotations

import re

from tests.e2e.conftest import choose, log_in, main_text, no_error_on, settle, touched
from tests.e2e.test_accessibility import violations

PHONE = {"width": 390, "height": 844}
FAMILY_PASSWORD = "our own family passphrase"


def _a_family_to_invite(peek) -> tuple[int, str, str]:
    """One of the practitioner's families, working together, with a goal shared with the
    household, and a parent of it who may be invited (a child would need to agree)."""
    rows = peek(
        "SELECT family.id, family.known_as, parent.name FROM family "
        "JOIN person parent ON parent.family_id = family.id AND parent.relationship = 'parent' "
        "  AND NOT parent.must_not_invite AND NOT parent.must_not_see_plan "
        "JOIN workerrelationship wr ON wr.family_id = family.id "
        "JOIN worker ON worker.id = wr.worker_id "
        "WHERE worker.username = 'practitioner' AND wr.ended_on IS NULL "
        "AND family.status = 'working_together' "
        "AND family.id NOT IN (SELECT family_id FROM familylogin) "
        "AND EXISTS (SELECT 1 FROM goal WHERE goal.family_id = family.id "
        "  AND goal.status = 'working_on_it' AND goal.visibility != 'private' "
        "  AND goal.withdrawn_at IS NULL) "
        "ORDER BY family.id, parent.id"
    )
    assert rows, "the demo has no family of the practitioner to invite"
    return rows[0][0], rows[0][1], rows[0][2]


def _section(page, name: str) -> None:
    page.get_by_role("radio", name=name).or_(page.get_by_role("button", name=name)).first.click()
    settle(page)


def _fits_the_phone(page) -> None:
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, f"the page scrolls sideways by {wide} px"
    small = page.evaluate(
        """() => [...document.querySelectorAll(
                '[data-testid="stMain"] :is(button, input, textarea, a[href])')]
            .filter(b => b.offsetParent !== null)
            .map(b => [b.innerText.trim() || b.getAttribute('aria-label') || b.tagName,
                       b.getBoundingClientRect().height])
            .filter(([, h]) => h < 44)"""
    )
    assert small == [], f"tap targets under 44 px high: {small}"
    hints = page.locator("[data-testid='InputInstructions']:visible").all_inner_texts()
    assert hints == [], f"Streamlit's English keyboard hints show: {hints}"


def test_a_family_member_scores_at_home_and_the_worker_can_pause_them(fresh, server, peek):
    family_id, known_as, parent = _a_family_to_invite(peek)
    worker = touched(fresh().new_page())
    worker.goto(server.url(""))
    settle(worker)
    log_in(worker, "practitioner")
    worker.goto(server.url(f"family?family={family_id}"))
    settle(worker)
    _section(worker, "Working together")
    worker.get_by_text("Invite someone to the family's space").click()
    choose(worker, "Who", parent)
    worker.get_by_role("button", name="Make an invitation").click()
    settle(worker)
    link = worker.locator("[data-testid='stCode'] code").first.inner_text().strip()
    assert re.search(r"\?invite=[\w-]{32,}$", link), link

    phone = touched(fresh().new_page())
    phone.set_viewport_size(PHONE)
    phone.goto(link)
    settle(phone)
    assert "Your worker has invited you" in main_text(phone)
    _fits_the_phone(phone)  # the invitation is opened on a phone too
    assert violations(phone) == []
    phone.get_by_role("textbox", name="Username").fill("journey.family")
    phone.get_by_label(re.compile("^Password")).fill(FAMILY_PASSWORD)
    phone.get_by_label("The same password again").fill(FAMILY_PASSWORD)
    phone.get_by_role("button", name="Make my login").click()
    settle(phone)
    assert "Your login is ready" in main_text(phone)
    log_in(phone, "journey.family", FAMILY_PASSWORD)
    no_error_on(phone)
    assert phone.locator("[data-testid='stSidebarNav']").count() == 0
    _fits_the_phone(phone)
    assert violations(phone) == []

    phone.get_by_role("textbox", name=re.compile("^What made the difference")).first.type("Calm")
    _fits_the_phone(phone)  # typing shows no hint about keys a phone hasn't got
    scale = phone.locator("[data-testid='stButtonGroup'] button")
    scale.filter(has_text=re.compile(r"^\s*7\s*$")).first.click()
    settle(phone)
    assert "your score today is 7" in main_text(phone)
    _section(phone, "Our plan")
    _fits_the_phone(phone)
    assert violations(phone) == []
    _section(phone, "Tell my worker")
    phone.get_by_role("textbox", name="Your message").type("See you Thursday")
    _fits_the_phone(phone)
    assert violations(phone) == []

    home = peek(
        "SELECT goalscore.score FROM goalscore JOIN scoreround ON scoreround.id = round_id "
        "WHERE scoreround.family_id = :f AND scoreround.at_home",
        f=family_id,
    )
    assert [row[0] for row in home] == [7]
    worker.goto(server.url(f"family?family={family_id}"))
    settle(worker)
    _section(worker, "Goals")
    no_error_on(worker)
    assert worker.locator("[data-testid='stVegaLiteChart']").count() >= 1
    worker.goto(server.url("huddle"))
    settle(worker)
    assert f"{known_as}: scored at home" in main_text(worker)

    worker.goto(server.url(f"family?family={family_id}"))
    settle(worker)
    _section(worker, "Working together")
    worker.get_by_role("button", name="Pause now").click()
    settle(worker)
    assert "Paused" in main_text(worker)

    _section(phone, "Our goals")  # the next thing the parent does
    phone.get_by_text("paused or ended by your worker").wait_for(timeout=30_000)
    assert phone.get_by_role("textbox", name="Password").count() == 1
