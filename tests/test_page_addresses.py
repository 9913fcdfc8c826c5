"""A page's address must be its file's name: until app.py has run once, a freshly started
server serves each file in pages/ at its own name, so any other address says "Page not found"
on a cold server (tests/e2e/test_journeys.py proves that in a browser; this says why early)."""

from pathlib import Path

from components.pages import PAGES


def test_every_page_address_is_its_file_name():
    mismatched = [(path, url) for path, _t, _i, url, _r in PAGES if Path(path).stem != url]
    assert mismatched == []
