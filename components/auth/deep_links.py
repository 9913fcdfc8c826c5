"""A page asked for before logging in (e.g. a family's link opened on a fresh server) opens
after the login, if the worker's roles include it; and a page opened on the next run."""

from __future__ import annotations

import streamlit as st

from db.rules.access import Actor


def remember(page_file: str) -> None:
    st.session_state["after_login"] = {"page": page_file, "query": dict(st.query_params)}


def open_next(page_file: str, query: dict[str, str]) -> None:
    """Reruns the app, which then opens this page: for a page the current run's page list
    doesn't have (leaving the family meeting screen, whose list has only that screen)."""
    st.session_state["after_login"] = {"page": page_file, "query": query}
    st.rerun()


def return_to_where_they_were_going(actor: Actor) -> None:
    from components.pages import PAGES

    target = st.session_state.pop("after_login", None)
    allowed = {path for path, _t, _i, _u, roles in PAGES if any(actor.has(r) for r in roles)}
    if target and target["page"] in allowed and not st.session_state.get("must_change_password"):
        st.switch_page(target["page"], query_params=target["query"] or None)
