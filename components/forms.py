"""Shared behaviour of forms: a problem is shown as one sentence, never a trace."""

from __future__ import annotations

from contextlib import contextmanager

import streamlit as st

from components.ui import plain
from db.rules.access import NotAllowed
from db.rules.validation import Conflict, Invalid


@contextmanager
def show_problem():
    """Runs a save; bad input, a conflict or a refusal becomes a clear message and the typed
    text stays on screen (the widgets are left as they are)."""
    try:
        yield
    except Invalid as problem:
        st.error(plain(str(problem)))  # messages quote what people typed
    except Conflict as problem:
        st.warning(plain(str(problem)))
    except NotAllowed:
        st.warning("That isn't available to you.")
