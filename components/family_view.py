"""Pieces of the Family page."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.forms import pick
from components.ui import friendly_date, plain
from db import families
from db.families import FamilySummary
from db.rules.access import Actor


def choose_family(actor: Actor) -> int | None:
    st.title("Family")
    options = families.families(actor, mine_only=False)
    if options.empty:
        st.info("There are no families in your teams yet.")
        return None
    labels = dict(zip(options["family_id"], options["family"]))
    choice = pick("Which family?", labels, key="family_choice", placeholder="Choose a family")
    if choice is not None:
        st.query_params["family"] = str(choice)
    return choice


def not_yet_viewed(family_id: int) -> bool:
    """A view is audited once per worker's session and family, not once per rerun."""
    return family_id not in st.session_state.get("families_viewed", set())


def mark_viewed(family_id: int) -> None:
    st.session_state.setdefault("families_viewed", set()).add(family_id)


def record_view_once(actor: Actor, family_id: int) -> None:
    if not_yet_viewed(family_id):
        families.record_view(actor, family_id)
        mark_viewed(family_id)


def header(summary: FamilySummary, workers: pd.DataFrame) -> None:
    st.title(plain(summary.known_as))
    current = workers[workers["until"].isna()]
    facts = [
        ("Where things are", summary.status_words),
        ("Worker", ", ".join(current["worker"]) or "Not yet chosen"),
        ("First came to us", friendly_date(summary.first_came_on)),
        ("We agreed to meet", summary.rhythm_words),
    ]
    for column, (label, value) in zip(st.columns(4), facts):
        column.caption(label)
        column.markdown(f"**{plain(value)}**")
    if summary.council_reference:
        st.caption(plain(f"Council reference: {summary.council_reference} · {summary.team_name}"))


def conference_link(family_id: int) -> None:
    st.page_link(
        "pages/conference.py",
        label="Open the family meeting screen",
        icon=":material/co_present:",
        query_params={"family": str(family_id)},
    )


def people(frame: pd.DataFrame) -> None:
    if frame.empty:
        st.info("No one recorded yet.")
        return
    shown = frame.assign(
        notes=frame.apply(_person_notes, axis=1),
        age=frame["age"].map(lambda a: "" if pd.isna(a) else str(int(a))),
    )[["name", "relationship", "age", "organisation", "lives_with_family", "language", "notes"]]
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        column_config={
            "name": "Name",
            "relationship": "Who they are",
            "age": "Age",
            "organisation": "Organisation",
            "lives_with_family": st.column_config.CheckboxColumn("Lives with the family"),
            "language": "Language",
            "notes": "Please note",
        },
    )


def _person_notes(row: pd.Series) -> str:
    notes = []
    if row["interpreter"]:
        notes.append("needs an interpreter")
    if row["must_not_invite"]:
        notes.append("must not be invited")
    if row["must_not_see_plan"]:
        notes.append("must not see the plan")
    return ", ".join(notes)


def workers(frame: pd.DataFrame) -> None:
    if frame.empty:
        st.info("The family hasn't met a worker yet.")
        return
    st.dataframe(
        frame.assign(
            since=frame["since"].map(friendly_date), until=frame["until"].map(friendly_date)
        )[["worker", "role", "since", "until", "chosen_by_family", "why_it_ended"]],
        hide_index=True,
        width="stretch",
        column_config={
            "worker": "Worker",
            "role": "Role",
            "since": "Since",
            "until": "Until",
            "chosen_by_family": st.column_config.CheckboxColumn("Family chose them"),
            "why_it_ended": "Why it ended",
        },
    )
