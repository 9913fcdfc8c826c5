"""Nothing reruns while a screen sits idle, so a small timer does: it warns before an idle
logout (with "I'm still here"), and once the session has lapsed it reruns the whole app, whose
session check ends the session and shows the login form.

Typing into a form sends nothing until it is saved, so the server can't tell someone is busy:
the warning asks, rather than throwing away what they are writing. The family meeting screen
and the huddle's wall view set st.session_state["idle_exempt"] while they are drawn. The same
timer turns a tab left on the worker's pages into the family meeting screen once another tab of
the login opens it, so a tab switch in the room shows nothing of the staff record.
"""

from __future__ import annotations

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from components.auth import session, shared_screen
from components.i18n import _, ngettext, use
from db import auth
from db.settings import FAMILY_IDLE_MINUTES, IDLE_CHECK_SECONDS, IDLE_MINUTES
from db.store.clock import utcnow

# How often an open screen checks whether its session still stands (seconds).
WATCH_SECONDS = IDLE_CHECK_SECONDS or max(
    15, min(60, int(min(IDLE_MINUTES, FAMILY_IDLE_MINUTES) * 60 / 4))
)


@st.fragment(run_every=WATCH_SECONDS)
def watch(language: str) -> None:
    """`language`: the page's, which its own timed runs (given the same arguments) speak too."""
    use(language)
    try:
        lapsed = session.has_lapsed()
    except SQLAlchemyError:
        return  # the database is away: the page's own next run says so; check again later
    if lapsed or shared_screen.opened_in_another_tab():
        st.rerun(scope="app")  # the login form, or the family meeting screen, drawn instead
    if st.session_state.get("idle_exempt"):
        # A screen that is read rather than clicked (a family meeting, the wall) is in use
        # while it is open: a reload of it finds its login still fresh.
        session.mark_active(utcnow())
        return
    left = auth.idle_minutes_left(
        last_active_at=st.session_state.get("last_active_at", utcnow()),
        now=utcnow(),
        idle_exempt=st.session_state.get("idle_exempt", False),
        idle_minutes=session.idle_minutes(),
    )
    if left is None:
        return
    with st.container(key="idle_warning"):  # a screen may keep it in view (the family's space)
        st.warning(
            ngettext(
                "You'll be logged out in about {n} minute as nothing has been saved or clicked"
                " for a while. Anything you're typing stays if you carry on.",
                "You'll be logged out in about {n} minutes as nothing has been saved or clicked"
                " for a while. Anything you're typing stays if you carry on.",
                max(1, round(left)),
            ),
            icon=":material/timer:",
        )
        if st.button(_("I'm still here"), key="still_here", type="primary"):
            session.mark_active(utcnow())
            st.rerun(scope="fragment")


def clear_idle_exemption() -> None:
    """Run by app.py after the session check on every full run: a screen that wants to be
    exempt sets idle_exempt again while it is drawn, so leaving it clears the exemption
    without that screen having to notice."""
    st.session_state.pop("idle_exempt", None)
