"""The plain-language hint: after a save, a short and kind suggestion, once per term."""

from __future__ import annotations

import streamlit as st

from components.i18n import _
from components.ui import plain
from db import plain_language
from db.rules.access import Actor


def after_save(actor: Actor, *texts: str) -> None:
    """Queues the suggestions for the next run (a save usually reruns the page)."""
    hints = plain_language.hints_to_show(actor.worker_id, [t for t in texts if t])
    if hints:
        st.session_state.setdefault("plain_language_hints", []).extend(hints)


def show_pending() -> None:
    for term, suggestion in st.session_state.pop("plain_language_hints", []):
        st.info(
            plain(
                _(
                    "A thought on wording: instead of “{term}”, families often find this "
                    "easier: {suggestion}. (Saved as you wrote it.)",
                    term=term,
                    suggestion=suggestion,
                )
            ),
            icon=":material/lightbulb:",
        )


def setting(actor: Actor) -> None:
    current = plain_language.hints_on(actor.worker_id)
    wanted = st.toggle(
        _("Show plain-language suggestions after I save"),
        value=current,
        key="plain_language_setting",
    )
    if wanted != current:
        plain_language.set_hints(actor.worker_id, wanted)
