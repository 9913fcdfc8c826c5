"""The weekly huddle and the family meeting screen were being built by someone else while these
journeys were written: until their own browser journeys exist, each must at least load for a
logged-in practitioner without an error (and never show the login again). axe-core checks them
with every other page in test_accessibility.py."""
from __future__ import annotations

import pytest

from tests.e2e.conftest import login_form_visible, main_text, no_error_on, open_in_sidebar


@pytest.mark.parametrize("title", ["Weekly huddle", "Family meeting screen"])
def test_screen_being_built_loads_for_a_practitioner_without_an_error(signed_in, title):
    page = signed_in("practitioner")
    open_in_sidebar(page, title)
    no_error_on(page)
    assert not login_form_visible(page)
    assert main_text(page).strip()
