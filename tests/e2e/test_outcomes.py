"""A manager opens "What changed for families", chooses a period, and downloads the board
report and the figures as a CSV: both are made on click, audited, and show their figures with
their definitions (the downloads are the part AppTest cannot click)."""

from __future__ import annotations

import re

from tests.e2e.conftest import download, main_text, no_error_on, open_in_sidebar, settle


def _download(page, name: str):
    return download(page, page.get_by_role("button", name=name))


def test_manager_opens_the_outcomes_page_and_downloads_the_board_report_and_csv(signed_in, peek):
    page = signed_in("manager")
    open_in_sidebar(page, "What changed for families")
    assert page.url.rstrip("/").endswith("/outcomes")
    page.get_by_role("heading", name="What changed for families").first.wait_for()
    settle(page)
    no_error_on(page)
    text = main_text(page)
    for words in ("Goals set", "How goals moved, by whose score", "Quarter by quarter"):
        assert words in text, words
    assert page.locator("[data-testid='stVegaLiteChart']").count() == 1
    before = len(peek("SELECT id FROM auditevent WHERE record_type LIKE 'outcomes%'"))

    report = _download(page, "Download the board report (to print)")
    assert report.suggested_filename.startswith("board-report-")
    copy = open(report.path(), encoding="utf-8").read()
    assert re.match(r"\s*<!doctype html", copy, re.IGNORECASE), copy[:200]
    assert "@page { size: A4" in copy and "<svg" in copy and "<script" not in copy.lower()
    assert "Moved up by a real change" in copy and "2.45 points" in copy
    settle(page)

    figures = _download(page, "Download the figures as CSV")
    assert figures.suggested_filename.endswith(".csv")
    table = open(figures.path(), encoding="utf-8-sig").read()
    assert table.startswith('"Period","Figure","Whose scores","Value"'), table[:120]
    settle(page)
    after = peek("SELECT record_type FROM auditevent WHERE record_type LIKE 'outcomes%'")
    assert len(after) - before == 4  # both downloads, one row per team the manager leads
    no_error_on(page)
