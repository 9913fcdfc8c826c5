"""The family meeting screen, once open with the family in the room, is the only page of this
login until the worker's password takes it back: the browser's Back, another address, a
reload (a new tab session, brought back by the re-login cookie) or another tab of the login
all show it again. It is kept in this tab's session and, for the reload and the other tabs, in
the login session (db.conference)."""

from __future__ import annotations

from typing import NoReturn

import streamlit as st

from components.auth import session
from db import auth, conference
from db.conference import OpenScreen
from db.rules.access import Actor

_KEY = "conference"


def now_open() -> OpenScreen | None:
    """The screen this tab shows, or that this login opened in another tab of the browser since
    this tab was drawn: a tab left on the staff record must not be a click away from the room."""
    screen = st.session_state.get(_KEY)
    if isinstance(screen, OpenScreen):
        return screen
    session_id = st.session_state.get("login_session_id")
    screen = conference.screen_open_in(session_id) if isinstance(session_id, str) else None
    if screen is not None:
        st.session_state[_KEY] = screen
    return screen


def opened_in_another_tab() -> bool:
    """Whether this tab draws the worker's pages while its login has the screen open (another
    tab opened it since this one was drawn)."""
    return not isinstance(st.session_state.get(_KEY), OpenScreen) and now_open() is not None


def open_for(actor: Actor, family_id: int, audience: str, language: str | None) -> None:
    st.session_state[_KEY] = conference.open_screen(
        actor,
        family_id=family_id,
        audience=audience,
        language=language,
        login_session=st.session_state.get("login_session_id"),
    )


def close(actor: Actor) -> None:
    conference.close_screen(actor, login_session=st.session_state.get("login_session_id"))
    st.session_state.pop(_KEY, None)


def sign_in_again() -> NoReturn:
    """The screen can't go on for this worker (the family or the page is no longer theirs):
    rather than show anything else to the room, the login ends, and only the worker signing
    in again gets their own screens back."""
    session.end(auth.SIGN_IN_AGAIN)
    st.rerun()
