"""The family meeting screen: large, calm, plain words; only this family and only what fits
the audience chosen by the worker."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import family_copy, goals
from components.export import download_button
from components.forms import form_prefix, redraw_after_save, save_button
from components.i18n import _, current, long_date, term, use, use_terms
from components.meeting_views import step_visibility
from components.ui import demo_marker, plain
from db import families as family_store
from db import meetings
from db.conference import ConferenceView
from db.meetings import ItemIn, PlanStepIn
from db.rules.access import Actor
from db.rules.visibility import Audience
from db.store.models import ConversationColumn, GoalStatus, Relationship, Visibility
from db.words import CONVERSATION_COLUMN, VISIBILITY

SHARED_SCREEN_STYLE = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header,
[data-testid="stToolbar"] { display: none; }
/* Read from across a room on a TV (1920 wide: 29 px text), still comfortable on a tablet. */
[data-testid="stMain"] [data-testid="stMarkdownContainer"],
[data-testid="stMain"] [data-testid="stMarkdownContainer"] :is(p, li),
[data-testid="stMain"] [data-testid="stExpander"] summary,
[data-testid="stMain"] :is(input, textarea, button) { font-size: clamp(1.25rem, 1.5vw, 2rem); }
[data-testid="stMain"] [data-testid="stCaptionContainer"],
[data-testid="stMain"] [data-testid="stCaptionContainer"] p {
  font-size: clamp(1.125rem, 1.25vw, 1.75rem);
}
[data-testid="stMain"] :is([data-testid="stTextInputRootElement"], [data-testid="stDateInput"] div,
  [data-testid="stNumberInputContainer"]) { height: auto; }
/* Streamlit's own hints, in English whatever the family's language ("Press Enter to submit
   form"), and the headings' link icons, a tab stop each that says "Link to heading". */
[data-testid="InputInstructions"], [data-testid="stHeaderActionElements"] { display: none; }
[data-testid="stMain"] h1 { font-size: clamp(2.5rem, 3vw, 3.5rem); }
[data-testid="stMain"] h2 { font-size: clamp(1.875rem, 2.25vw, 2.75rem); }
[data-testid="stMain"] h3 { font-size: clamp(1.5rem, 1.75vw, 2.25rem); }
</style>
"""


def show(actor: Actor, view: ConferenceView) -> None:
    st.title(plain(view.family_name))
    st.header(_("Our goals"))
    goals.goal_cards(view.family_id, view.goals, today=view.made_on, audience=view.audience)
    with st.expander(_("Score our goals together")):
        score_together(actor, view, current())
    with st.expander(_("Add a goal, in their own words")):
        goals.add_goal_form(
            actor,
            view.family_id,
            view.people,
            shared_with=shared_in_the_room(view.audience),
            everyone=everyone_at_the_meeting(),
        )
    st.header(_("What's going well"))
    if view.going_well.empty:
        st.write(_("Let's talk about what's going well."))
    for item in view.going_well.itertuples():
        st.write(plain(f"“{item.words}”" + (f" — {item.said_by}" if item.said_by else "")))
    with st.expander(_("Add what's going well or what's hard")):
        what_was_said(actor, view)
    if not view.child_views.empty:
        st.header(_("What the children told us"))
        for item in view.child_views.itertuples():
            st.write(plain(f"{item.child}: “{item.words}”"))
    st.header(_("Our {plan}", plan=term("plan")))
    plan(view.plan)
    if view.follow_up.if_plan_does_not_work:
        st.subheader(_("If the {plan} doesn't work", plan=term("plan")))
        st.write(plain(view.follow_up.if_plan_does_not_work))
    if view.follow_up.look_again_on:
        st.write(
            _(
                "We'll look at the {plan} again on {day}.",
                plan=term("plan"),
                day=long_date(view.follow_up.look_again_on),
            )
        )
    demo_marker()


def what_was_said(actor: Actor, view: ConferenceView) -> None:
    """What's going well and what's hard, each thing on its own line in the speaker's words,
    said by someone who may be in the room and shared with the room unless they choose
    otherwise. Saved once (a second click adds nothing); a refused save keeps the words."""
    people = _family_of(view.people)
    speakers = {None: _("The family together"), **dict(zip(people["person_id"], people["name"]))}
    form = "conference_said"
    prefix = form_prefix(form)
    with st.form(form):
        columns = st.columns(2)
        said = {
            code: columns[n].text_area(
                _(CONVERSATION_COLUMN[code]),
                help=_("One thing on each line, in their words."),
                key=f"{prefix}_{code.value}",
            )
            for n, code in enumerate((ConversationColumn.going_well, ConversationColumn.hard))
        }
        said_by = st.selectbox(
            _("Who said these"),
            list(speakers),
            format_func=speakers.__getitem__,
            key=f"{prefix}_by",
        )
        shared = {v.value: _(VISIBILITY[v]) for v in Visibility}
        shared[Visibility.everyone.value] = everyone_at_the_meeting()
        visibility = st.radio(
            _("Who can see them"),
            list(shared),
            index=list(shared).index(shared_in_the_room(view.audience)),
            format_func=shared.__getitem__,
            horizontal=True,
            key=f"{prefix}_visibility",
        )
        save = save_button(_("Save what was said"), type="primary")
    if save.clicked:
        items = [
            ItemIn(code.value, line.strip(), said_by, visibility)
            for code, words in said.items()
            for line in words.splitlines()
            if line.strip()
        ]
        with redraw_after_save(save.problem_place, form=form, notice=_("Saved.")):
            meetings.add_conversation(
                actor, family_id=view.family_id, held_on=view.made_on, items=items
            )


def _family_of(people: pd.DataFrame) -> pd.DataFrame:
    """The family and friends among the people, not the professionals."""
    return people[people["relationship_code"] != Relationship.professional.value]


def shared_in_the_room(audience: str) -> str:
    """What is added in the room is shared with the people in it unless they choose otherwise."""
    return Visibility.everyone.value if audience == Audience.EVERYONE else Visibility.family.value


def everyone_at_the_meeting() -> str:
    """The whole network, in the team's own word for the meeting."""
    return _("Everyone at the {meeting}", meeting=term("family_meeting"))


def nobody_kept_out_is_here(people: pd.DataFrame, *, key: str) -> bool:
    """On the worker's side, before the screen opens: the people marked 'must not see the plan'
    or 'must not be invited' are named, and True once the worker has ticked that none of them
    is in the room (the screen shows the plan). True at once when there is no one to name."""
    kept_out = people[people["must_not_see_plan"] | people["must_not_invite"]]
    if kept_out.empty:
        return True
    st.warning(
        _(
            "Not to see the {plan} or not to be invited: {names}. This screen shows the "
            "{plan}, so open it only when none of them is in the room.",
            plan=term("plan"),
            names=", ".join(plain(name) for name in kept_out["name"]),
        ),
        icon=":material/front_hand:",
    )
    return st.checkbox(_("None of them is in the room"), key=key)  # one key a family


@st.fragment
def score_together(actor: Actor, view: ConferenceView, language: str) -> None:
    """A round of scores with each person in the room, on their goals that the screen shows.
    A fragment's own reruns start in our language with our words: it speaks the screen's
    language (`language`) and the team's words again. A save redraws the whole screen, so the
    new scores show in the charts."""
    use(language)
    use_terms(view.terms)
    working_on = view.goals.goals[view.goals.goals["status"] == GoalStatus.working_on_it.value]
    goals.score_round(actor, view.family_id, view.made_on, (working_on, _family_of(view.people)))


def plan(frame: pd.DataFrame) -> None:
    if frame.empty:
        st.write(_("We'll write the {plan} together.", plan=term("plan")))
        return
    for step in frame.itertuples():
        due = _(" · by {day}", day=long_date(step.by_when)) if pd.notna(step.by_when) else ""
        who = f" · {step.who}" if step.who else ""
        done = "✓ " if pd.notna(step.done_on) else "• "
        st.write(plain(f"{done}{step.what}{who}{due}"))
        if step.how_we_will_know:
            st.caption(plain(_("How we'll know: {words}", words=step.how_we_will_know)))


def add_to_plan(actor: Actor, family_id: int, audience: str) -> None:
    """The worker types the family's plan in with them, while everyone sees it. The form comes
    back empty after a save; a refused save keeps what was typed, the message next to the
    button. A new step is shared with the people in the room unless they choose otherwise."""
    form = "conference_plan"
    prefix = form_prefix(form)
    with st.form(form):
        st.markdown("**" + _("Add to our {plan}", plan=term("plan")) + "**")
        columns = st.columns([3, 2, 2])
        what = columns[0].text_input(_("What will happen"), key=f"{prefix}_what")
        who = columns[1].text_input(_("Who"), key=f"{prefix}_who")
        by_when = columns[2].date_input(
            _("By when"), value=None, format="DD/MM/YYYY", key=f"{prefix}_by"
        )
        know = st.text_input(_("How we'll know"), key=f"{prefix}_know")
        visibility = step_visibility(
            prefix, shared_in_the_room(audience), everyone=everyone_at_the_meeting()
        )
        save = save_button(_("Add to the {plan}", plan=term("plan")), type="primary")
    if save.clicked:
        with redraw_after_save(save.problem_place, form=form):
            meetings.add_plan_step(
                actor,
                family_id=family_id,
                step=PlanStepIn(
                    what=what,
                    who=who,
                    by_when=by_when,
                    how_we_will_know=know,
                    visibility=visibility,
                ),
            )


def copy_button(actor: Actor, view: ConferenceView) -> None:
    download_button(
        _("Download the family copy (to print or share)"),
        family_copy.render(view),
        file_name=f"our-plan-{view.made_on:%Y-%m-%d}.html",
        key="conference_copy",
        on_click=family_store.record_copy,
        args=(actor, view.family_id, view.audience),
    )
