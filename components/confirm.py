"""Changes that are hard to undo — who a family's worker is, where things are with them — are
said in a sentence and confirmed before anything is stored, so one click never makes them.

A form's save only asks (`ask`); `confirmation` then shows the sentence with a button that
does it and one that goes back. The form keeps what was chosen either way.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from components.forms import show_problem
from components.i18n import _
from components.ui import plain


def _slot(key: str) -> str:
    return f"confirm_{key}"


def ask(key: str, sentence: str, change: Callable[[], object]) -> None:
    """Holds the change until the worker confirms the sentence saying what it will do."""
    st.session_state[_slot(key)] = (sentence, change)


def forget(key: str) -> None:
    st.session_state.pop(_slot(key), None)


def on_save(
    key: str,
    submitted: bool,
    *,
    needs: dict[str, object],
    sentence: Callable[[], str],
    change: Callable[[], object],
) -> None:
    """After a form's save: the first choice still to be made is said (`needs`: what to say
    when a chosen value is still None), otherwise the change waits for the worker to confirm
    the sentence saying what it will do."""
    if not submitted:
        return
    forget(key)
    missing = next((words for words, chosen in needs.items() if chosen is None), None)
    if missing:
        st.error(missing)
    else:
        ask(key, sentence(), change)


def confirmation(key: str, *, yes: str) -> None:
    """The waiting change's sentence, a button to make it and one to go back; nothing if no
    change is waiting."""
    waiting = st.session_state.get(_slot(key))
    if waiting is None:
        return
    sentence, change = waiting
    with st.container(border=True):
        st.warning(plain(sentence), icon=":material/help:")
        left, right = st.columns(2)
        confirmed = left.button(yes, type="primary", key=f"{_slot(key)}_yes")
        if right.button(_("No, go back"), key=f"{_slot(key)}_no"):
            forget(key)
            st.rerun()
    if confirmed:
        forget(key)
        with show_problem():
            change()
            st.rerun()
