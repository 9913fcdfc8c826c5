"""The family meeting screen, once open with the family in the room, is the only page of this
login until the worker's password takes it back: the browser's Back, another address or a
reload (a new tab session, brought back by the re-login cookie) all show it again. It is kept
in this tab's session and, for the reload, in the login session (db.conference)."""

from __future__ import annotations

from typing import NoReturn

import streamlit as st

from components.auth import session
from db import auth, conference
from db.conference import OpenScreen
from db.rules.access import Actor

_KEY = "conference"


def now_open() -> OpenScreen | None:
    screen = st.session_state.get(_KEY)
    return screen if isinstance(screen, OpenScreen) else None


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


def reopen_after_reload(session_id: str) -> None:
    """A tab brought back to a login by its cookie shows the screen that login had open."""
    screen = conference.screen_open_in(session_id)
    if screen is not None:
        st.session_state[_KEY] = screen


def sign_in_again() -> NoReturn:
    """The screen can't go on for this worker (the family or the page is no longer theirs):
    rather than show anything else to the room, the login ends, and only the worker signing
    in again gets their own screens back."""
    session.end(auth.SIGN_IN_AGAIN)
    st.rerun()
