"""A real browser journey: a manager downloads the import template, brings it in with two bad
rows, is told exactly which rows and columns to fix, fixes them, brings it in, and finds the
families on My families."""

from __future__ import annotations

import io
import time

import pandas as pd

from tests.e2e.conftest import download, main_text, no_error_on, open_in_sidebar, settle


def _upload(page, name: str, frame: pd.DataFrame) -> None:
    page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": frame.to_csv(index=False).encode()}]
    )
    settle(page)


def _cells(page) -> str:
    """Every cell of the page's first table (Streamlit draws tables on a canvas, and keeps
    each cell's text in the page for screen readers)."""
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.wait_for()
    return " | ".join(grid.locator("[data-testid^='glide-cell-']").all_inner_texts())


def test_manager_fixes_two_bad_rows_then_brings_the_template_in(signed_in, peek):
    page = signed_in("manager")
    open_in_sidebar(page, "Bring records in")
    no_error_on(page)
    page.get_by_text("How to lay out the file").click()
    template_file = download(page, page.get_by_role("button", name="Download the template"))
    template = pd.read_csv(
        io.BytesIO(open(template_file.path(), "rb").read()), dtype=str, keep_default_na=False
    )

    stamp = f"{time.time():.0f}"
    template["council_reference"] = template["council_reference"] + f"-{stamp}"
    names = {"The Example family": f"The Larkspur family {stamp}"}
    names["The Sample family"] = f"The Thistledown family {stamp}"
    template["family_name"] = template["family_name"].replace(names)
    broken = template.copy()
    broken.loc[0, "family_name"] = ""  # row 2
    broken.loc[len(broken) - 1, "score"] = "11"  # row 15
    _upload(page, "our-families.csv", broken)
    text = main_text(page)
    assert "2 things need fixing" in text
    problems = _cells(page)
    assert "missing family name" in problems and "score 11 isn't between 0 and 10" in problems
    assert page.get_by_role("button", name="Yes, bring in").count() == 0
    assert not peek("SELECT id FROM family WHERE council_reference LIKE :r", r=f"%-{stamp}")

    _upload(page, "our-families-fixed.csv", template)
    no_error_on(page)
    page.get_by_role("button", name="Yes, bring in 2 families").click()
    settle(page)
    no_error_on(page)
    assert "Brought in 2 families" in main_text(page)
    assert len(peek("SELECT id FROM family WHERE council_reference LIKE :r", r=f"%-{stamp}")) == 2

    open_in_sidebar(page, "My families")
    page.get_by_role("textbox", name="Find a family in your team").fill(stamp)
    page.keyboard.press("Enter")
    settle(page)
    listed = _cells(page)
    assert names["The Example family"] in listed and names["The Sample family"] in listed
