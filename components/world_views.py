"""The family's world on the Family page: people, workers, where things are, agreements,
keeping safe, practical help, worries shared and the timeline. Staff screens only."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from components import hints
from components.forms import show_problem
from components.ui import friendly_date, plain
from db import family_world, timeline
from db.families import FamilySummary
from db.family_world import PersonIn
from db.rules.access import Actor
from db.store.models import EndReason, FamilyStatus, HelpKind, NoteKind, Relationship, Rhythm
from db.words import END_REASON, FAMILY_STATUS, HELP_KIND, RELATIONSHIP, RHYTHM


def add_person_form(actor: Actor, family_id: int) -> None:
    with st.form(f"person_add_{family_id}", clear_on_submit=True):
        st.markdown("**Add someone who matters to the children**")
        columns = st.columns(2)
        name = columns[0].text_input("Name", key=f"person_name_{family_id}")
        relationship = columns[1].selectbox(
            "Who they are",
            [r.value for r in Relationship],
            format_func=lambda r: RELATIONSHIP[Relationship(r)],
            key=f"person_rel_{family_id}",
        )
        organisation = st.text_input(
            "Organisation (for professionals)", key=f"person_org_{family_id}"
        )
        year = st.number_input(
            "Year of birth (for children)",
            min_value=1900,
            max_value=date.today().year,
            value=None,
            step=1,
            key=f"person_year_{family_id}",
        )
        helps = st.text_input("How they help", key=f"person_helps_{family_id}")
        details = st.columns(3)
        language = details[0].text_input(
            "Language", value="English", key=f"person_lang_{family_id}"
        )
        interpreter = details[1].checkbox("Needs an interpreter", key=f"person_interp_{family_id}")
        household = details[2].checkbox("Lives with the family", key=f"person_home_{family_id}")
        st.caption("Only if it applies:")
        not_invited = st.checkbox(
            "Must not be invited to meetings", key=f"person_noinvite_{family_id}"
        )
        not_plan = st.checkbox("Must not see the plan", key=f"person_noplan_{family_id}")
        submitted = st.form_submit_button("Add person")
    if submitted:
        with show_problem():
            family_world.add_person(
                actor,
                family_id=family_id,
                person=PersonIn(
                    name=name,
                    relationship=relationship,
                    organisation=organisation,
                    birth_year=year,
                    in_household=household,
                    how_they_help=helps,
                    language=language,
                    needs_interpreter=interpreter,
                    must_not_invite=not_invited,
                    must_not_see_plan=not_plan,
                ),
            )
            st.rerun()


def working_together(actor: Actor, summary: FamilySummary, workers: pd.DataFrame) -> None:
    family_id = summary.id
    team = family_world.team_workers(actor, family_id)
    names = dict(zip(team["worker_id"], team["name"]))
    has_lead = not workers[(workers["until"].isna()) & (workers["role"] == "Main worker")].empty
    with st.form(f"assign_{family_id}"):
        st.markdown("**Change of main worker**" if has_lead else "**Choose a worker**")
        worker_id = st.selectbox(
            "Worker", list(names), format_func=names.__getitem__, key=f"assign_worker_{family_id}"
        )
        chosen = st.checkbox(
            "The family chose them after meeting the team", key=f"assign_chosen_{family_id}"
        )
        reasons = [r.value for r in EndReason if r != EndReason.family_closed]
        reason = (
            st.selectbox(
                "Why the change",
                reasons,
                format_func=lambda r: END_REASON[EndReason(r)],
                key=f"assign_reason_{family_id}",
            )
            if has_lead
            else None
        )
        on = st.date_input(
            "From",
            value=date.today(),
            max_value=date.today(),
            format="DD/MM/YYYY",
            key=f"assign_on_{family_id}",
        )
        submitted = st.form_submit_button("Hand over" if has_lead else "Save")
    if submitted:
        with show_problem():
            if has_lead:
                family_world.hand_over(
                    actor,
                    family_id=family_id,
                    to_worker_id=worker_id,
                    reason=reason,
                    on=on,
                    chosen_by_family=chosen,
                )
            else:
                family_world.assign_worker(
                    actor,
                    family_id=family_id,
                    worker_id=worker_id,
                    chosen_by_family=chosen,
                    started_on=on,
                )
            st.rerun()
    _status_form(actor, summary)
    _details_form(actor, summary)


def _status_form(actor: Actor, summary: FamilySummary) -> None:
    options = [s.value for s in FamilyStatus if s != summary.status]
    with st.form(f"status_{summary.id}"):
        st.markdown(f"**Where things are:** {FAMILY_STATUS[summary.status]}")
        status = st.selectbox(
            "Move to",
            options,
            format_func=lambda s: (
                ("Reopen: " if summary.status == FamilyStatus.closed else "")
                + FAMILY_STATUS[FamilyStatus(s)]
            ),
            key=f"status_new_{summary.id}",
        )
        on = st.date_input(
            "From",
            value=date.today(),
            max_value=date.today(),
            format="DD/MM/YYYY",
            key=f"status_on_{summary.id}",
        )
        submitted = st.form_submit_button("Save")
    if submitted:
        with show_problem():
            family_world.change_status(actor, family_id=summary.id, status=status, on=on)
            st.rerun()


def _details_form(actor: Actor, summary: FamilySummary) -> None:
    seen = st.session_state.setdefault(f"details_{summary.id}_version", summary.version)
    rhythms = [r.value for r in Rhythm]
    current = next(r for r in Rhythm if RHYTHM[r] == summary.rhythm_words).value
    with st.form(f"details_{summary.id}"):
        st.markdown("**The family's details**")
        known_as = st.text_input(
            "The name the family chose to be known by",
            value=summary.known_as,
            key=f"details_name_{summary.id}",
        )
        rhythm = st.selectbox(
            "How often we agreed to meet",
            rhythms,
            index=rhythms.index(current),
            format_func=lambda r: RHYTHM[Rhythm(r)],
            key=f"details_rhythm_{summary.id}",
        )
        reference = st.text_input(
            "Reference in the council's own system",
            value=summary.council_reference,
            key=f"details_ref_{summary.id}",
        )
        submitted = st.form_submit_button("Save details")
    if submitted:
        with show_problem():
            family_world.update_family_details(
                actor,
                family_id=summary.id,
                seen_version=seen,
                known_as=known_as,
                rhythm=rhythm,
                council_reference=reference,
            )
            st.session_state.pop(f"details_{summary.id}_version", None)
            st.rerun()


def agreements(actor: Actor, family_id: int) -> None:
    frame = family_world.agreements(actor, family_id)
    for row in frame.itertuples():
        columns = st.columns([4, 1])
        checked = friendly_date(row.last_checked_on)
        columns[0].write(
            plain(
                f"{row.what}"
                + (f" (with {row.with_whom})" if row.with_whom else "")
                + f" · agreed {friendly_date(row.agreed_on)}, last checked {checked}"
            )
        )
        if row.time_to_check:
            columns[0].caption(
                "It's been a while: worth checking this is still OK with the family."
            )
        if columns[1].button("Checked today", key=f"agreement_checked_{row.agreement_id}"):
            with show_problem():
                family_world.agreement_checked(
                    actor, family_id=family_id, agreement_id=row.agreement_id
                )
                st.rerun()
    with st.form(f"agreement_add_{family_id}", clear_on_submit=True):
        what = st.text_input("What the family agreed to", key=f"agreement_what_{family_id}")
        with_whom = st.text_input(
            "Shared with whom (if it's about sharing)", key=f"agreement_whom_{family_id}"
        )
        if st.form_submit_button("Add agreement"):
            with show_problem():
                family_world.add_agreement(
                    actor, family_id=family_id, what=what, with_whom=with_whom
                )
                st.rerun()


def keeping_safe(actor: Actor, family_id: int) -> None:
    st.caption("Never shown on a shared screen or in any copy for the family.")
    current = family_world.keeping_safe(actor, family_id)
    # The version seen when the form was first drawn: a later save by someone else is a
    # conflict, and the typed text stays on screen.
    seen_key = f"safe_{family_id}_version"
    seen = st.session_state.setdefault(seen_key, current.version if current else 0)
    with st.form(f"safe_{family_id}"):
        phone = st.text_input(
            "Safe phone number",
            value=current.safe_phone if current else "",
            key=f"safe_phone_{family_id}",
        )
        messages = st.checkbox(
            "OK to leave messages",
            value=bool(current and current.ok_to_leave_messages),
            key=f"safe_messages_{family_id}",
        )
        never = st.text_area(
            "Never show on a shared screen (e.g. a new address)",
            value=current.never_show if current else "",
            key=f"safe_never_{family_id}",
        )
        if st.form_submit_button("Save"):
            with show_problem():
                family_world.save_keeping_safe(
                    actor,
                    family_id=family_id,
                    seen_version=seen,
                    safe_phone=phone,
                    ok_to_leave_messages=messages,
                    never_show=never,
                )
                st.session_state.pop(seen_key, None)
                st.toast("Saved.")


def help_and_worries(actor: Actor, family_id: int) -> None:
    helps, notes = family_world.help_and_notes(actor, family_id)
    left, right = st.columns(2)
    with left:
        st.markdown("**Practical help**")
        if not helps.empty:
            st.dataframe(
                helps.assign(given_on=helps["given_on"].map(friendly_date)),
                hide_index=True,
                width="stretch",
                column_config={
                    "given_on": "When",
                    "kind": "Kind",
                    "what": "What",
                    "who_from": "Who from",
                },
            )
        with st.form(f"help_{family_id}", clear_on_submit=True):
            kind = st.selectbox(
                "Kind of help",
                [k.value for k in HelpKind],
                format_func=lambda k: HELP_KIND[HelpKind(k)],
                key=f"help_kind_{family_id}",
            )
            what = st.text_input("What", key=f"help_what_{family_id}")
            who = st.text_input("Who from", key=f"help_who_{family_id}")
            on = st.date_input(
                "When",
                value=date.today(),
                max_value=date.today(),
                format="DD/MM/YYYY",
                key=f"help_on_{family_id}",
            )
            if st.form_submit_button("Add help"):
                with show_problem():
                    family_world.add_help(
                        actor, family_id=family_id, kind=kind, what=what, given_on=on, who_from=who
                    )
                    st.rerun()
    with right:
        st.markdown("**A worry shared with social work** (staff only)")
        with st.form(f"worry_{family_id}", clear_on_submit=True):
            words = st.text_area("What the worry was", key=f"worry_words_{family_id}")
            shared_with = st.text_input("Shared with", key=f"worry_with_{family_id}")
            next_steps = st.text_input("What happens next", key=f"worry_next_{family_id}")
            on = st.date_input(
                "When",
                value=date.today(),
                max_value=date.today(),
                format="DD/MM/YYYY",
                key=f"worry_on_{family_id}",
            )
            if st.form_submit_button("Record"):
                with show_problem():
                    family_world.add_note(
                        actor,
                        family_id=family_id,
                        kind=NoteKind.worry_shared.value,
                        words=words,
                        written_on=on,
                        shared_with=shared_with,
                        next_steps=next_steps,
                    )
                    hints.after_save(actor, words, next_steps)
                    st.rerun()
        if not notes.empty:
            st.dataframe(
                notes.assign(written_on=notes["written_on"].map(friendly_date)),
                hide_index=True,
                width="stretch",
                column_config={
                    "written_on": "When",
                    "kind": "Kind",
                    "words": "Note",
                    "shared_with": "Shared with",
                    "next_steps": "Next",
                },
            )


def story(actor: Actor, family_id: int) -> None:
    kinds = st.multiselect(
        "Show", timeline.KINDS, default=timeline.KINDS, key=f"timeline_kinds_{family_id}"
    )
    frame = timeline.timeline(actor, family_id, kinds)
    if frame.empty:
        st.info("Nothing to show for those choices.")
        return
    st.dataframe(
        frame.assign(on=frame["on"].map(friendly_date))[["on", "kind", "what"]],
        hide_index=True,
        width="stretch",
        column_config={"on": "When", "kind": "Kind", "what": "What happened"},
    )
