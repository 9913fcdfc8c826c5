"""Pieces of the Family page."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.forms import pick
from components.i18n import _
from components.ui import friendly_date, plain, table
from db import families
from db.families import FamilySummary
from db.rules.access import Actor

SHOWN_AT_MOST = 200  # families to pick from by typing; the rest are found on My families


def choose_family(actor: Actor) -> None:
    """The families to choose from; a choice opens the family's page at its own address."""
    st.title(_("Family"))
    options = families.families(actor, mine_only=False, limit=SHOWN_AT_MOST + 1)
    if options.empty:
        st.info(_("There are no families in your teams yet."))
        return None
    first = options.head(SHOWN_AT_MOST)
    labels = dict(zip(first["family_id"], first["family"]))
    choice = pick(_("Which family?"), labels, key="family_choice", placeholder=_("Choose a family"))
    if len(options) > SHOWN_AT_MOST:
        st.caption(
            _(
                "These are the first {n} families, A to Z. To find another, search for it on "
                "My families.",
                n=SHOWN_AT_MOST,
            )
        )
    if choice is not None:
        # The page is drawn again as the family's own address, without this chooser and
        # its "Family" heading above the family's name.
        st.query_params["family"] = str(choice)
        st.rerun()
    return None


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
        (_("Where things are"), _(summary.status_words)),
        (_("Worker"), ", ".join(current["worker"]) or _("Not yet chosen")),
        (_("First came to us"), friendly_date(summary.first_came_on)),
        (_("We agreed to meet"), _(summary.rhythm_words)),
    ]
    for column, (label, value) in zip(st.columns(4), facts):
        column.caption(label)
        column.markdown(f"**{plain(value)}**")
    if summary.council_reference:
        st.caption(
            plain(
                _(
                    "Council reference: {council_reference} · {team_name}",
                    council_reference=summary.council_reference,
                    team_name=summary.team_name,
                )
            )
        )


def conference_link(family_id: int) -> None:
    st.page_link(
        "pages/conference.py",
        label=_("Open the family meeting screen"),
        icon=":material/co_present:",
        query_params={"family": str(family_id)},
    )


def people(frame: pd.DataFrame) -> None:
    if frame.empty:
        st.info(_("No one recorded yet."))
        return
    shown = frame.assign(
        relationship=frame["relationship"].map(_words),
        notes=frame.apply(_person_notes, axis=1),
        age=frame["age"].map(lambda a: "" if pd.isna(a) else str(int(a))),
    )[["name", "relationship", "age", "organisation", "lives_with_family", "language", "notes"]]
    table(
        shown,
        {
            "name": _("Name"),
            "relationship": _("Who they are"),
            "age": _("Age"),
            "organisation": _("Organisation"),
            "lives_with_family": st.column_config.CheckboxColumn(_("Lives with the family")),
            "language": _("Language"),
            "notes": _("Please note"),
        },
    )


def _words(value: object) -> object:
    """The store's words (db/words.py) in the language of the run; nothing stays nothing."""
    return _(value) if isinstance(value, str) and value else value


def _person_notes(row: pd.Series) -> str:
    notes = []
    if row["interpreter"]:
        notes.append(_("needs an interpreter"))
    if row["must_not_invite"]:
        notes.append(_("must not be invited"))
    if row["must_not_see_plan"]:
        notes.append(_("must not see the plan"))
    return ", ".join(notes)


def workers(frame: pd.DataFrame) -> None:
    table(
        frame.assign(
            role=frame["role"].map(_words), why_it_ended=frame["why_it_ended"].map(_words)
        )[["worker", "role", "since", "until", "chosen_by_family", "why_it_ended"]],
        {
            "worker": _("Worker"),
            "role": _("Role"),
            "since": _("Since"),
            "until": _("Until"),
            "chosen_by_family": st.column_config.CheckboxColumn(_("Family chose them")),
            "why_it_ended": _("Why it ended"),
        },
        dates=("since", "until"),
        when_empty=_("The family hasn't met a worker yet."),
    )
