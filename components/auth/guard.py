"""The first line of every page: nothing of the page is drawn unless a session stands and
holds one of the page's roles.

Pages guard themselves because of a Streamlit quirk: until app.py has run once, a freshly
started server serves every file in pages/ directly at /<file stem> (an old-style multipage
app), and app.py — login and navigation — never runs. A page run like that, with nobody
logged in, hands over to app.py: the login form shows, and the page opens after the login.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import streamlit as st
from streamlit.errors import StreamlitAPIException

from components.auth import deep_links, idle_watch, shared_screen
from components.auth.session import current_actor
from components.i18n import FAMILY_LANGUAGE, _, mark_language
from components.ui import stop_with
from db import i18n
from db.rules.access import Actor
from db.store.models import Role

# Set by app.py just before it runs the page. Streamlit runs each script run on its own
# thread, so a page served directly (without app.py) finds it unset.
_this_run = threading.local()


def mark_run_by_the_app() -> None:
    _this_run.by_the_app = True


def guard(*roles: Role, allow_password_change: bool = False) -> Actor:
    i18n.use(i18n.SOURCE_LANGUAGE)  # workers' screens; a family screen then picks its own
    i18n.use_terms(None)  # our words, until a page reads a team's own
    run_by_the_app = getattr(_this_run, "by_the_app", False)
    _this_run.by_the_app = False
    actor = current_actor()
    if actor is None and not run_by_the_app:
        # The page that called guard(): Streamlit runs each page with __file__ set.
        page = Path(sys._getframe(1).f_globals.get("__file__", ""))
        _hand_over_to_the_app(page)
    if actor is None:
        stop_with(st.info, _("Please log in to see this page."))
    if roles and not any(actor.has(role) for role in roles):
        if shared_screen.now_open() is not None:  # its only page is no longer theirs
            shared_screen.sign_in_again()
        stop_with(st.warning, _("This page isn't available to you."))
    if st.session_state.get("must_change_password") and not allow_password_change:
        stop_with(
            st.warning, _("Please choose a new password before going on (Your account page).")
        )
    # A family member's screens speak their family's language (as their space last chose).
    i18n.use(st.session_state.get(FAMILY_LANGUAGE) if actor.is_family_member else actor.language)
    mark_language(i18n.current())
    idle_watch.watch(i18n.current())
    return actor


def _hand_over_to_the_app(page: Path) -> None:
    if page.parent.name == "pages":
        deep_links.remember(f"pages/{page.name}")
    try:
        st.switch_page("app.py")
    except StreamlitAPIException:
        pass  # a page run on its own (tests): no app to hand over to; the guard still holds
