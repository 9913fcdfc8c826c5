"""The family's world on the Family page: people, workers, where things are, agreements,
keeping safe, practical help, worries shared and the timeline. Staff screens only."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from components import confirm, hints, intake_views
from components.forms import (
    SeenVersion,
    day_so_far,
    form_prefix,
    pick,
    redraw_after_save,
    save_button,
    show_problem,
)
from components.i18n import N_, _, language_choice, said_column
from components.ui import friendly_date, plain, table
from db import family_world, timeline
from db.families import FamilySummary
from db.family_world import PersonIn
from db.rules.access import Actor
from db.store.clock import today_in
from db.store.models import (
    EndReason,
    FamilyStatus,
    HelpKind,
    NoteKind,
    Person,
    Relationship,
    Rhythm,
)
from db.words import END_REASON, FAMILY_STATUS, HELP_KIND, RELATIONSHIP, RHYTHM


def _person_fields(prefix: str, current: Person | None = None) -> PersonIn:
    """The fields of a person, filled from `current` when correcting someone's details."""
    relationships = [r.value for r in Relationship]

    def typed(where, label: str, field: str, key: str, new: str = "") -> str:
        """A box holding what `current` has (`new` for someone new)."""
        value = getattr(current, field) if current else new
        return where.text_input(label, value=value, key=f"{prefix}_{key}")

    def ticked(where, label: str, field: str, key: str) -> bool:
        """A box ticked as `current` has it (not ticked for someone new)."""
        value = bool(current and getattr(current, field))
        return where.checkbox(label, value=value, key=f"{prefix}_{key}")

    left, right = st.columns(2)
    name = typed(left, _("Name"), "name", "name")
    relationship = right.selectbox(
        _("Who they are"),
        relationships,
        index=relationships.index(current.relationship.value) if current else 0,
        format_func=lambda r: _(RELATIONSHIP[Relationship(r)]),
        key=f"{prefix}_rel",
    )
    organisation = typed(st, _("Organisation (for professionals)"), "organisation", "org")
    year = st.number_input(  # no box limits: the store names a year that can't be right
        _("Year of birth (for children)"),
        value=current.birth_year if current else None,
        step=1,
        key=f"{prefix}_year",
    )
    helps = typed(st, _("How they help"), "how_they_help", "helps")
    first, second, third = st.columns(3)
    language = typed(first, _("Language"), "language", "lang", new="English")
    interpreter = ticked(second, _("Needs an interpreter"), "needs_interpreter", "interp")
    household = ticked(third, _("Lives with the family"), "in_household", "home")
    st.caption(_("Only if it applies:"))
    not_invited = ticked(st, _("Must not be invited to meetings"), "must_not_invite", "noinvite")
    not_plan = ticked(st, _("Must not see the plan"), "must_not_see_plan", "noplan")
    return PersonIn(
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
    )


def add_person_form(actor: Actor, family_id: int) -> None:
    form = f"person_add_{family_id}"
    with st.form(form):
        st.markdown(_("**Add someone who matters to the children**"))
        person = _person_fields(form_prefix(form))
        save = save_button(_("Add person"))
    if save.clicked:
        with redraw_after_save(save.problem_place, form=form):
            family_world.add_person(actor, family_id=family_id, person=person)


def edit_person_form(actor: Actor, family_id: int, people: pd.DataFrame) -> None:
    """Corrects someone's details. The version seen when the form was first drawn is kept: a
    save after someone else's is a conflict, and what was typed stays on screen."""
    names = dict(zip(people["person_id"], people["name"]))
    person_id = st.selectbox(
        _("Who"), list(names), format_func=lambda i: names[i], key=f"person_edit_who_{family_id}"
    )
    if person_id is None:
        return
    current = family_world.person(actor, family_id=family_id, person_id=int(person_id))
    seen = SeenVersion(f"person_{person_id}", current.version)
    with st.form(f"person_edit_{person_id}"):
        person = _person_fields(seen.prefix, current)
        save = save_button(_("Save changes"))
    if save.clicked:
        with seen.saving(save.problem_place):
            family_world.update_person(
                actor,
                family_id=family_id,
                person_id=int(person_id),
                seen_version=seen.version,
                person=person,
            )


# Why a main worker's time with a family ends, as the end of a sentence.
BECAUSE = {
    EndReason.worker_left: N_("because the worker left"),
    EndReason.sickness: N_("because of sickness"),
    EndReason.team_change: N_("because of a team change"),
    EndReason.family_asked: N_("because the family asked"),
}


def working_together(actor: Actor, summary: FamilySummary, workers: pd.DataFrame) -> None:
    team = family_world.team_workers(actor, summary.id)
    current = workers[workers["until"].isna()]
    main_workers = current.loc[current["role"] == "Main worker", "worker"].tolist()
    if main_workers:
        _hand_over_form(actor, summary, team, main_workers)
    supporting = current[current["role"] != "Main worker"]
    if not supporting.empty:
        _end_supporting_form(
            actor, summary, dict(zip(supporting["worker_id"], supporting["worker"]))
        )
    elif summary.status == FamilyStatus.closed:
        st.caption(_("To choose a worker again, first reopen the family below."))
    else:
        intake_views.choose_worker_form(actor, summary, team)
    intake_views.offers_made(actor, summary.id)
    _status_form(actor, summary, current["worker"].tolist(), has_main_worker=bool(main_workers))
    _details_form(actor, summary)


def _hand_over_form(
    actor: Actor, summary: FamilySummary, team: pd.DataFrame, main_workers: list[str]
) -> None:
    """A change of main worker: nothing is pre-chosen, and nothing changes until the worker
    confirms the sentence saying what will happen."""
    family_id = summary.id
    today = today_in(summary.time_zone)
    names = dict(zip(team["worker_id"], team["name"]))
    key = f"assign_{family_id}"
    with st.form(key):
        st.markdown(_("**Change of main worker**"))
        worker_id = pick(
            _("New main worker"),
            names,
            placeholder=_("Choose a worker"),
            key=f"assign_worker_{family_id}",
        )
        reason = _why_it_ends(_("Why the change"), key=f"assign_reason_{family_id}")
        chosen = st.checkbox(
            _("The family chose them after meeting the team"), key=f"assign_chosen_{family_id}"
        )
        on = day_so_far(_("From"), today=today, key=f"assign_on_{family_id}")
        submitted = st.form_submit_button(_("Hand over"))
    confirm.on_save(
        key,
        submitted,
        needs={
            _("Please choose who will be the family's main worker."): worker_id,
            _("Please choose why the main worker is changing."): reason,
        },
        sentence=lambda: _hand_over_sentence(
            summary, names[worker_id], main_workers, on, today, reason, chosen
        ),
        change=lambda: family_world.hand_over(
            actor,
            family_id=family_id,
            to_worker_id=worker_id,
            reason=reason,
            on=on,
            chosen_by_family=chosen,
        ),
    )
    confirm.confirmation(key, yes=_("Yes, hand over"))


def _why_it_ends(label: str, key: str) -> str | None:
    """Why a worker's time with the family ends, from the reasons a worker may give (closing
    the family is its own form); None until chosen."""
    return st.selectbox(
        label,
        list(BECAUSE),
        format_func=lambda r: _(END_REASON[EndReason(r)]),
        index=None,
        placeholder=_("Choose why"),
        key=key,
    )


def _end_supporting_form(actor: Actor, summary: FamilySummary, supporting: dict) -> None:
    """A supporting worker stops working with the family (they left, moved team, the family
    asked): said in a sentence and confirmed, as a handover is."""
    family_id = summary.id
    today = today_in(summary.time_zone)
    key = f"end_supporting_{family_id}"
    with st.form(key):
        st.markdown(_("**A supporting worker stops**"))
        worker_id = pick(
            _("Supporting worker"),
            supporting,
            placeholder=_("Choose a worker"),
            key=f"end_supporting_worker_{family_id}",
        )
        reason = _why_it_ends(_("Why they are stopping"), key=f"end_supporting_reason_{family_id}")
        on = day_so_far(_("Their last day"), today=today, key=f"end_supporting_on_{family_id}")
        submitted = st.form_submit_button(_("Stop supporting"))
    confirm.on_save(
        key,
        submitted,
        needs={
            _("Please choose which supporting worker is stopping."): worker_id,
            _("Please choose why they are stopping."): reason,
        },
        sentence=lambda: _(
            "{name}'s time with {family} ends {when} {because}.",
            name=supporting[worker_id],
            family=summary.known_as,
            when=_("today") if on == today else _("on {day}", day=friendly_date(on)),
            because=_(BECAUSE[EndReason(str(reason))]),
        ),
        change=lambda: family_world.end_supporting(
            actor, family_id=family_id, worker_id=worker_id, reason=reason, on=on
        ),
    )
    confirm.confirmation(key, yes=_("Yes, they stop"))


def _hand_over_sentence(
    summary: FamilySummary,
    new: str,
    main_workers: list[str],
    on: date,
    today: date,
    reason: EndReason | str | None,
    chosen: bool,
) -> str:
    values = {
        "new": new,
        "family": summary.known_as,
        "when": intake_views.when(on, today),
        "before": intake_views.listed(main_workers),
        "because": _(BECAUSE[EndReason(str(reason))]),
    }
    said = (
        _(
            "{new} will become {family}'s main worker {when}; {before}'s time with them ends"
            " today {because}.",
            **values,
        )
        if on == today
        else _(
            "{new} will become {family}'s main worker {when}; {before}'s time with them ends"
            " then {because}.",
            **values,
        )
    )
    return said + (" " + _("The family chose {new}.", new=new) if chosen else "")


def _status_form(
    actor: Actor, summary: FamilySummary, current_workers: list[str], *, has_main_worker: bool
) -> None:
    """A move between waiting, working together, keeping in touch and closed: nothing is
    pre-chosen, and nothing changes until the worker confirms what will happen. A family with
    a main worker isn't waiting to meet one (a change of worker is a handover)."""
    options = [
        s.value
        for s in FamilyStatus
        if s != summary.status and not (has_main_worker and s == FamilyStatus.waiting)
    ]
    reopening = summary.status == FamilyStatus.closed
    key = f"status_{summary.id}"
    today = today_in(summary.time_zone)
    with st.form(key):
        st.markdown(_("**Where things are:** {status}", status=_(FAMILY_STATUS[summary.status])))
        status = st.selectbox(
            _("Move to"),
            options,
            format_func=lambda s: (
                _("Reopen: {status}", status=_(FAMILY_STATUS[FamilyStatus(s)]))
                if reopening
                else _(FAMILY_STATUS[FamilyStatus(s)])
            ),
            index=None,
            placeholder=_("Choose where things are now"),
            key=f"status_new_{summary.id}",
        )
        on = day_so_far(_("From"), today=today, key=f"status_on_{summary.id}")
        submitted = st.form_submit_button(_("Save"))

    def sentence() -> str:
        new = _(FAMILY_STATUS[FamilyStatus(str(status))])
        when = intake_views.when(on, today)
        said = (
            _(
                "{family} will be reopened: {new} {when}.",
                family=summary.known_as,
                new=new,
                when=when,
            )
            if reopening
            else _(
                "{family} will move from {old} to {new} {when}.",
                family=summary.known_as,
                old=_(FAMILY_STATUS[summary.status]),
                new=new,
                when=when,
            )
        )
        if status == FamilyStatus.closed and current_workers:
            said += " " + _(
                "{workers}'s time with them ends then.",
                workers=intake_views.listed(current_workers),
            )
        return said

    confirm.on_save(
        key,
        submitted,
        needs={_("Please choose where things are now."): status},
        sentence=sentence,
        change=lambda: family_world.change_status(
            actor, family_id=summary.id, status=str(status), on=on
        ),
    )
    confirm.confirmation(key, yes=_("Yes, save this change"))


def _details_form(actor: Actor, summary: FamilySummary) -> None:
    seen = SeenVersion(f"details_{summary.id}", summary.version)
    rhythms = [r.value for r in Rhythm]
    current = next(r for r in Rhythm if RHYTHM[r] == summary.rhythm_words).value
    with st.form(f"details_{summary.id}"):
        st.markdown(_("**The family's details**"))
        known_as = st.text_input(
            _("The name the family chose to be known by"),
            value=summary.known_as,
            key=seen.key("name"),
        )
        rhythm = st.selectbox(
            _("How often we agreed to meet"),
            rhythms,
            index=rhythms.index(current),
            format_func=lambda r: _(RHYTHM[Rhythm(r)]),
            key=seen.key("rhythm"),
        )
        reference = st.text_input(
            _("Reference in the council's own system"),
            value=summary.council_reference,
            key=seen.key("ref"),
        )
        language = language_choice(
            _("The family's language (their meeting screen and copies speak it)"),
            current_value=summary.preferred_language,
            key=seen.key("language"),
        )
        save = save_button(_("Save details"))
    if save.clicked:
        with seen.saving(save.problem_place):
            family_world.update_family_details(
                actor,
                family_id=summary.id,
                seen_version=seen.version,
                known_as=known_as,
                rhythm=rhythm,
                council_reference=reference,
                preferred_language=language,
            )


def agreements(actor: Actor, family_id: int) -> None:
    frame = family_world.agreements(actor, family_id)
    for row in frame.itertuples():
        columns = st.columns([4, 1])
        checked = friendly_date(row.last_checked_on)
        columns[0].write(
            plain(
                _(
                    "{what} (with {whom}) · agreed {agreed}, last checked {checked}",
                    what=row.what,
                    whom=row.with_whom,
                    agreed=friendly_date(row.agreed_on),
                    checked=checked,
                )
                if row.with_whom
                else _(
                    "{what} · agreed {agreed}, last checked {checked}",
                    what=row.what,
                    agreed=friendly_date(row.agreed_on),
                    checked=checked,
                )
            )
        )
        if row.time_to_check:
            columns[0].caption(
                _("It's been a while: worth checking this is still OK with the family.")
            )
        if columns[1].button(_("Checked today"), key=f"agreement_checked_{row.agreement_id}"):
            with show_problem():
                family_world.agreement_checked(
                    actor, family_id=family_id, agreement_id=row.agreement_id
                )
                st.rerun()
    form = f"agreement_add_{family_id}"
    prefix = form_prefix(form)
    with st.form(form):
        what = st.text_input(_("What the family agreed to"), key=f"{prefix}_what")
        with_whom = st.text_input(
            _("Shared with whom (if it's about sharing)"), key=f"{prefix}_whom"
        )
        save = save_button(_("Add agreement"))
    if save.clicked:
        with redraw_after_save(save.problem_place, form=form):
            family_world.add_agreement(actor, family_id=family_id, what=what, with_whom=with_whom)


def keeping_safe(actor: Actor, family_id: int) -> None:
    st.caption(_("Never shown on a shared screen or in any copy for the family."))
    current = family_world.keeping_safe(actor, family_id)
    seen = SeenVersion(f"safe_{family_id}", current.version if current else 0)
    with st.form(f"safe_{family_id}"):
        phone = st.text_input(
            _("Safe phone number"),
            value=current.safe_phone if current else "",
            key=seen.key("phone"),
        )
        messages = st.checkbox(
            _("OK to leave messages"),
            value=bool(current and current.ok_to_leave_messages),
            key=seen.key("messages"),
        )
        never = st.text_area(
            _("Never show on a shared screen (e.g. a new address)"),
            value=current.never_show if current else "",
            key=seen.key("never"),
        )
        save = save_button(_("Save"))
    if save.clicked:
        with seen.saving(save.problem_place, notice=_("Saved.")):
            family_world.save_keeping_safe(
                actor,
                family_id=family_id,
                seen_version=seen.version,
                safe_phone=phone,
                ok_to_leave_messages=messages,
                never_show=never,
            )


def help_and_worries(actor: Actor, family_id: int, today: date) -> None:
    """Practical help and worries shared; `today` is the family's team's today."""
    helps, notes = family_world.help_and_notes(actor, family_id)
    left, right = st.columns(2)
    with left:
        st.markdown(_("**Practical help**"))
        if not helps.empty:
            table(
                helps,
                {
                    "given_on": _("When"),
                    "kind": _("Kind"),
                    "what": _("What"),
                    "who_from": _("Who from"),
                },
                dates=("given_on",),
            )
        form = f"help_{family_id}"
        prefix = form_prefix(form)
        with st.form(form):
            kind = st.selectbox(
                _("Kind of help"),
                [k.value for k in HelpKind],
                format_func=lambda k: _(HELP_KIND[HelpKind(k)]),
                key=f"{prefix}_kind",
            )
            what = st.text_input(_("What"), key=f"{prefix}_what")
            who = st.text_input(_("Who from"), key=f"{prefix}_who")
            on = day_so_far(_("When"), today=today, key=f"{prefix}_on")
            save = save_button(_("Add help"))
        if save.clicked:
            with redraw_after_save(save.problem_place, form=form):
                family_world.add_help(
                    actor, family_id=family_id, kind=kind, what=what, given_on=on, who_from=who
                )
    with right:
        st.markdown(_("**A worry shared with social work** (staff only)"))
        form = f"worry_{family_id}"
        prefix = form_prefix(form)
        with st.form(form):
            words = st.text_area(_("What the worry was"), key=f"{prefix}_words")
            shared_with = st.text_input(_("Shared with"), key=f"{prefix}_with")
            next_steps = st.text_input(_("What happens next"), key=f"{prefix}_next")
            on = day_so_far(_("When"), today=today, key=f"{prefix}_on")
            save = save_button(_("Record"))
        if save.clicked:
            with redraw_after_save(save.problem_place, form=form):
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
        if not notes.empty:
            table(
                notes,
                {
                    "written_on": _("When"),
                    "kind": _("Kind"),
                    "words": _("Note"),
                    "shared_with": _("Shared with"),
                    "next_steps": _("Next"),
                },
                dates=("written_on",),
            )


def story(actor: Actor, family_id: int) -> None:
    kinds = st.multiselect(
        _("Show"),
        timeline.KINDS,
        default=timeline.KINDS,
        format_func=_,
        key=f"timeline_kinds_{family_id}",
    )
    frame = timeline.timeline(actor, family_id, kinds)
    table(
        frame.assign(kind=frame["kind"].map(_), what=said_column(frame["what"]))[
            ["on", "kind", "what"]
        ],
        {"on": _("When"), "kind": _("Kind"), "what": _("What happened")},
        dates=("on",),
        when_empty=_("Nothing to show for those choices."),
    )
