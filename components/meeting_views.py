"""Meetings, family group conferences, conversations and the plan on the Family page."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from components import hints
from components.forms import (
    SeenVersion,
    day_so_far,
    field_key,
    form_prefix,
    pick,
    pick_many,
    redraw_after_save,
    save_button,
    saved,
    show_problem,
    withdraw_form,
)
from components.i18n import _
from components.ui import friendly_date, local_time, plain, table
from db import goals as goal_store
from db import meetings
from db.families import FamilySummary
from db.meetings import ChildViewIn, ItemIn, MeetingIn, PlanStepIn
from db.rules.access import Actor
from db.rules.validation import max_chars
from db.store.clock import now_in, today_in
from db.store.models import ConversationColumn, MeetingKind, MeetingStatus, Visibility
from db.words import CONVERSATION_COLUMN, MEETING_KIND, MEETING_STATUS, VISIBILITY

VISIBILITY_CHOICES = {VISIBILITY[v]: v.value for v in Visibility}
PLAN_ROWS = 3


def _family_people(people: pd.DataFrame) -> pd.DataFrame:
    return people[people["relationship_code"] != "professional"]


def record_meeting(actor: Actor, summary: FamilySummary, people: pd.DataFrame) -> None:
    """Record a meeting. The kind is chosen first so a conference shows its own questions."""
    form = f"meeting_{summary.id}"
    prefix = form_prefix(form)  # a new set of empty widgets after each save
    kinds = [k.value for k in MeetingKind]
    kind = st.selectbox(
        _("What kind of meeting?"),
        kinds,
        format_func=lambda k: _(MEETING_KIND[MeetingKind(k)]),
        key=f"{prefix}_kind",
    )
    conference = kind == MeetingKind.family_group_conference.value
    invitable = people[~people["must_not_invite"]]
    names = dict(zip(invitable["person_id"], invitable["name"]))
    barred = people[people["must_not_invite"]]["name"].tolist()
    children = people[people["relationship_code"] == "child"]
    with st.form(f"{form}_form"):
        columns = st.columns(3)
        status = columns[0].selectbox(
            _("Did it happen?"),
            [s.value for s in MeetingStatus],
            format_func=lambda s: _(MEETING_STATUS[MeetingStatus(s)]),
            index=1,
            key=f"{prefix}_status",
        )
        day = columns[1].date_input(
            _("Day"), value=today_in(summary.time_zone), format="DD/MM/YYYY", key=f"{prefix}_day"
        )
        at = columns[2].time_input(
            _("Time"), value=_usual_time(summary.time_zone), step=900, key=f"{prefix}_time"
        )
        place = st.text_input(
            _("Where"),
            placeholder=_("The family home, the community centre…"),
            key=f"{prefix}_place",
        )
        invited = pick_many(_("Who was invited"), names, key=f"{prefix}_invited")
        came = pick_many(_("Who came"), names, key=f"{prefix}_came")
        if barred:
            st.caption(
                plain(
                    _(
                        "Not offered, as agreed: {people} (must not be invited).",
                        people=", ".join(barred),
                    )
                )
            )
        views = {}
        for child in children.itertuples():
            views[child.person_id] = (
                st.text_area(
                    # Only the name is escaped: a label's words are also what a screen reader
                    # says, and escaped brackets were read out as backslashes.
                    _(
                        "{name}'s views, in their own words (if they shared them)",
                        name=plain(child.name),
                    ),
                    key=f"{prefix}_view_{child.person_id}",
                ),
                st.radio(
                    _("Who can see {name}'s views", name=plain(child.name)),
                    list(VISIBILITY_CHOICES),
                    format_func=_,
                    index=1,
                    horizontal=True,
                    key=f"{prefix}_view_vis_{child.person_id}",
                ),
            )
        details = _conference_fields(prefix) if conference else {}
        summary_text = st.text_area(_("A short summary"), key=f"{prefix}_summary")
        together = st.checkbox(
            _("We wrote this together with the family"), key=f"{prefix}_together"
        )
        save = save_button(_("Save meeting"), type="primary")
    if not save.clicked:
        return
    starts_at = datetime.combine(day, at, ZoneInfo(summary.time_zone))
    with show_problem(save.problem_place):
        meetings.record_meeting(
            actor,
            family_id=summary.id,
            meeting=MeetingIn(
                kind=kind,
                status=status,
                starts_at=starts_at,
                place=place,
                summary=summary_text,
                written_together=together,
                invited=tuple(invited),
                came=tuple(came),
                workers=(actor.worker_id,) if status == MeetingStatus.held.value else (),
                child_views=tuple(
                    ChildViewIn(p, words, VISIBILITY_CHOICES[vis])
                    for p, (words, vis) in views.items()
                    if words.strip()
                ),
                **details,
            ),
        )
        hints.after_save(
            actor,
            summary_text,
            *(w for w, _ in views.values()),
            details.get("if_plan_does_not_work", ""),
        )
        saved(form)
        # The next meeting's form starts empty but keeps the kind chosen: otherwise a saved
        # conference comes back as a home visit and its own questions vanish.
        st.session_state[field_key(form, "kind")] = kind
        st.toast(_("Meeting saved."))
        st.rerun()


def _conference_fields(prefix: str) -> dict:
    st.markdown(_("**Family group conference**"))
    coordinator = st.text_input(_("Independent coordinator"), key=f"{prefix}_coordinator")
    visits = st.number_input(
        _("Preparation visits"), min_value=0, max_value=50, step=1, key=f"{prefix}_visits"
    )
    private = st.checkbox(_("The family had private family time"), key=f"{prefix}_private")
    st.caption(
        _(
            "The family's plan, as they wrote it in private family time (more steps can be "
            "added under Plan):"
        )
    )
    plan_steps = tuple(
        step
        for n in range(1, PLAN_ROWS + 1)
        if (
            step := _step_fields(
                f"{prefix}_step{n}", label=_("Step {number}", number=n), with_visibility=True
            )
        ).what.strip()
    )
    fallback = st.text_area(_("What happens if the plan doesn't work"), key=f"{prefix}_fallback")
    again = st.date_input(
        _("When everyone will look at the plan again"),
        value=None,
        format="DD/MM/YYYY",
        key=f"{prefix}_again",
    )
    return {
        "coordinator": coordinator,
        "preparation_visits": int(visits),
        "private_family_time": private,
        "plan_steps": plan_steps,
        "if_plan_does_not_work": fallback,
        "look_again_on": again,
    }


def meeting_list(actor: Actor, frame: pd.DataFrame, time_zone: str) -> None:
    if frame.empty:
        st.info(_("No meetings yet."))
        return
    table(
        frame.assign(starts_at=frame["starts_at"].map(lambda t: local_time(t, time_zone)))[
            ["starts_at", "kind", "status", "place", "summary"]
        ],
        {
            "starts_at": _("When"),
            "kind": _("What"),
            "status": _("Did it happen?"),
            "place": _("Where"),
            "summary": _("Summary"),
        },
    )
    labels = {
        row.meeting_id: f"{local_time(row.starts_at, time_zone)} · {row.kind}"
        for row in frame.itertuples()
    }
    chosen = pick(
        _("Copy a meeting as a case note, or change its notes"),
        labels,
        placeholder=_("Choose a meeting"),
        key="case_note_meeting",
    )
    if chosen is not None:
        detail = meetings.meeting_detail(actor, chosen)
        st.caption(_("Use the copy button in the corner, then paste into the council's system."))
        st.code(meetings.case_note(detail), language=None, wrap_lines=True)
        _meeting_notes_form(actor, detail.meeting)


def _meeting_notes_form(actor: Actor, meeting) -> None:
    prefix = f"meeting_edit_{meeting.id}"
    seen = SeenVersion(prefix, meeting.version)
    statuses = [s.value for s in MeetingStatus]
    with st.form(prefix):
        st.markdown(_("**Change this meeting's notes**"))
        status = st.radio(
            _("Did it happen?"),
            statuses,
            index=statuses.index(meeting.status.value),
            format_func=lambda s: _(MEETING_STATUS[MeetingStatus(s)]),
            horizontal=True,
            key=seen.key("status"),
        )
        summary = st.text_area(_("Summary"), value=meeting.summary, key=seen.key("summary"))
        together = st.checkbox(
            _("We wrote this together with the family"),
            value=meeting.written_together,
            key=seen.key("together"),
        )
        save = save_button(_("Save changes"))
    if save.clicked:
        with seen.saving(save.problem_place, notice=_("Saved.")):
            meetings.update_meeting_notes(
                actor,
                meeting_id=meeting.id,
                seen_version=seen.version,
                summary=summary,
                status=status,
                written_together=together,
            )
            hints.after_save(actor, summary)
    withdraw_form(actor, record_type="meeting", record_id=meeting.id, what=_("this meeting"))


# --- what's going well, what's hard, what needs to happen --------------------------------


def conversation_form(actor: Actor, family_id: int, people: pd.DataFrame, today: date) -> None:
    """Three columns, each thing said on its own line, in the speaker's own words. `today` is
    the family's team's today."""
    family = _family_people(people)
    speakers = {None: _("Not recorded"), **dict(zip(family["person_id"], family["name"]))}
    form = f"conversation_{family_id}"
    prefix = form_prefix(form)
    with st.form(form):
        held_on = day_so_far(_("When you talked"), today=today, key=f"{prefix}_day")
        entries = []
        for column, code in zip(st.columns(3), ConversationColumn):
            with column:
                words = st.text_area(
                    _(CONVERSATION_COLUMN[code]),
                    height=140,
                    help=_("One thing on each line, in their words."),
                    key=f"{prefix}_{code.value}",
                )
                said_by = st.selectbox(
                    _("Who said these"),
                    list(speakers),
                    format_func=speakers.__getitem__,
                    key=f"{prefix}_{code.value}_by",
                )
                visibility = st.selectbox(
                    _("Who can see them"),
                    list(VISIBILITY_CHOICES),
                    format_func=_,
                    index=1,
                    key=f"{prefix}_{code.value}_vis",
                )
                entries += [
                    ItemIn(code.value, line.strip(), said_by, VISIBILITY_CHOICES[visibility])
                    for line in words.splitlines()
                    if line.strip()
                ]
        save = save_button(_("Save conversation"), type="primary")
    if save.clicked:
        notice = _("Conversation saved.")
        with redraw_after_save(save.problem_place, form=form, notice=notice):
            meetings.add_conversation(actor, family_id=family_id, held_on=held_on, items=entries)
            hints.after_save(actor, *(i.words for i in entries))


def conversation_board(
    actor: Actor, family_id: int, frame: pd.DataFrame, people: pd.DataFrame
) -> None:
    if frame.empty:
        st.info(_("No conversations recorded yet. Strengths first: start with what's going well."))
        return
    latest = frame[frame["conversation_id"] == frame["conversation_id"].iloc[0]]
    st.caption(_("Our latest conversation, {day}", day=friendly_date(latest["held_on"].iloc[0])))
    for column, (code, items) in zip(
        st.columns(3), [(c.value, latest[latest["column"] == c.value]) for c in ConversationColumn]
    ):
        with column:
            st.markdown(f"**{_(CONVERSATION_COLUMN[ConversationColumn(code)])}**")
            for item in items.itertuples():
                said = f" — {item.said_by}" if item.said_by else ""
                st.write(plain(f"“{item.words}”{said}"))
                if st.button(
                    _("Make this a goal"), key=f"item_goal_{item.item_id}", icon=":material/flag:"
                ):
                    speaker = item.said_by_person_id
                    with show_problem():
                        goal_store.add_goal(
                            actor,
                            family_id=family_id,
                            goal=goal_store.GoalIn(
                                wording=item.words[: max_chars(goal_store.GoalIn, "wording")],
                                person_id=None if pd.isna(speaker) else int(speaker),
                                visibility=item.visibility,
                                from_item_id=int(item.item_id),
                            ),
                        )
                        st.toast(_("Goal added: you'll find it under Goals."))
                        st.rerun()
    _correct_an_item(actor, latest)
    if frame["conversation_id"].nunique() > 1:
        with st.expander(_("Earlier conversations")):
            table(
                frame[["held_on", "column_words", "words", "said_by"]],
                {
                    "held_on": _("When"),
                    "column_words": _("Which"),
                    "words": _("In their words"),
                    "said_by": _("Who said it"),
                },
            )


def _correct_an_item(actor: Actor, latest: pd.DataFrame) -> None:
    labels = dict(zip(latest["item_id"], latest["words"]))
    chosen = pick(
        _("Correct something that was said"),
        labels,
        placeholder=_("Choose what to correct"),
        key="item_correct_pick",
    )
    if chosen is None:
        return
    item = latest.set_index("item_id").loc[chosen]
    prefix = f"item_edit_{chosen}"
    seen = SeenVersion(prefix, item["version"])
    by_code = {code: label for label, code in VISIBILITY_CHOICES.items()}
    with st.form(prefix):
        words = st.text_input(
            _("In their words"), value=item["words"], max_chars=1000, key=seen.key("words")
        )
        visibility = st.radio(
            _("Who can see it"),
            list(VISIBILITY_CHOICES),
            horizontal=True,
            index=list(VISIBILITY_CHOICES).index(by_code[item["visibility"]]),
            key=seen.key("visibility"),
        )
        save = save_button(_("Save correction"))
    if save.clicked:
        with seen.saving(save.problem_place):
            meetings.update_conversation_item(
                actor,
                item_id=int(chosen),
                seen_version=seen.version,
                words=words,
                visibility=VISIBILITY_CHOICES[visibility],
            )
    withdraw_form(
        actor, record_type="conversation_item", record_id=int(chosen), what=_("what was said")
    )


# --- the family's plan -------------------------------------------------------------------


def plan_view(frame: pd.DataFrame) -> None:
    if frame.empty:
        st.info(
            _("No plan yet. The family's plan is written with them, often at a family meeting.")
        )
        return
    shown = frame.assign(
        state=frame.apply(
            lambda r: (
                (_("Done (the family ticked it at home)") if r.get("family_word") else _("Done"))
                if pd.notna(r["done_on"])
                else (_("A little behind — worth a chat") if r["overdue"] else _("To do"))
            ),
            axis=1,
        ),
        seen_by=frame["visibility"].map(lambda v: _(VISIBILITY[Visibility(v)])),
    )
    table(
        shown[["what", "who", "by_when", "how_we_will_know", "state", "seen_by"]],
        {
            "what": _("What will happen"),
            "who": _("Who"),
            "by_when": _("By when"),
            "how_we_will_know": _("How we'll know"),
            "state": _("Where it's at"),
            "seen_by": _("Who can see it"),
        },
        dates=("by_when",),
    )


def plan_forms(actor: Actor, family_id: int, frame: pd.DataFrame) -> None:
    """Adding a step: the form comes back empty after a save and keeps what was typed when a
    save is refused (the message is next to the button)."""
    form = f"plan_add_{family_id}"
    with st.form(form):
        st.markdown(_("**Add a step to the plan**"))
        step = _step_fields(form_prefix(form), with_visibility=True)
        save = save_button(_("Add step"))
    if save.clicked:
        notice = _("Step added to the plan.")
        with redraw_after_save(save.problem_place, form=form, notice=notice):
            meetings.add_plan_step(actor, family_id=family_id, step=step)
            hints.after_save(actor, step.what, step.how_we_will_know)
    open_steps = frame[frame["done_on"].isna()]
    if open_steps.empty:
        return
    labels = dict(zip(open_steps["step_id"], open_steps["what"]))
    chosen = pick(
        _("Change a step"), labels, placeholder=_("Choose a step"), key=f"plan_pick_{family_id}"
    )
    if chosen is None:
        return
    row = open_steps.set_index("step_id").loc[chosen]
    seen = SeenVersion(f"plan_edit_{chosen}", row["version"])
    with st.form(f"plan_edit_{chosen}"):
        step = _step_fields(seen.prefix, row, with_visibility=True)
        done = st.checkbox(_("Done"), key=seen.key("done"))
        save = save_button(_("Save step"))
    if save.clicked:
        with seen.saving(save.problem_place):
            meetings.update_plan_step(
                actor, step_id=int(chosen), seen_version=seen.version, step=step, done=done
            )
    withdraw_form(actor, record_type="plan_step", record_id=int(chosen), what=_("this step"))


def _step_fields(
    prefix: str, row: pd.Series | None = None, label: str = "", *, with_visibility: bool = False
) -> PlanStepIn:
    def value(k, d=""):
        return d if row is None or pd.isna(row[k]) else row[k]

    lead = f"{label}: " if label else ""
    columns = st.columns([3, 2, 2, 3])
    what = columns[0].text_input(
        _("{lead}What will happen", lead=lead), value=value("what"), key=f"{prefix}_what"
    )
    who = columns[1].text_input(_("{lead}Who", lead=lead), value=value("who"), key=f"{prefix}_who")
    by_when = columns[2].date_input(
        _("{lead}By when", lead=lead),
        value=value("by_when", None),
        format="DD/MM/YYYY",
        key=f"{prefix}_by_when",
    )
    know = columns[3].text_input(
        _("{lead}How we'll know", lead=lead), value=value("how_we_will_know"), key=f"{prefix}_know"
    )
    visibility = (
        step_visibility(prefix, value("visibility", Visibility.family.value), lead=lead)
        if with_visibility
        else Visibility.family.value
    )
    return PlanStepIn(
        what=what, who=who, by_when=by_when, how_we_will_know=know, visibility=visibility
    )


def step_visibility(
    prefix: str, current: str = Visibility.family.value, lead: str = "", everyone: str = ""
) -> str:
    """Who may see a plan step, agreed with the family as for goals: a debt-advice step is
    not for the whole network. `everyone`: the words for the whole network, where a screen
    says them in the team's own words."""
    by_code = {code: _(label) for label, code in VISIBILITY_CHOICES.items()}
    if everyone:
        by_code[Visibility.everyone.value] = everyone
    codes = list(by_code)
    return st.radio(
        lead + _("Who can see this step (agreed with the family)"),
        codes,
        index=codes.index(current),
        format_func=by_code.__getitem__,
        horizontal=True,
        key=f"{prefix}_visibility",
    )


def _usual_time(zone: str) -> time:
    """Ten o'clock, or the last quarter hour before now while today's ten o'clock is still to
    come: the form starts on today and on "it happened", which can't be later than now."""
    now = now_in(zone)
    return min(time(10, 0), time(now.hour, now.minute - now.minute % 15))
