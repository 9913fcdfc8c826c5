"""The family meeting screen, for a family group conference on a shared screen with the family
in the room: only this family, plain words, nothing worker-only — in the family's own language
(their preferred one, or another chosen when it opens) and in the team's own words."""

import streamlit as st

from components import conference_view
from components.auth import deep_links, guard, shared_screen
from components.auth.password_check import password_confirmed
from components.family_view import mark_viewed, not_yet_viewed
from components.i18n import _, language_choice, speak_as_family, term, use_terms
from components.pages import CASEWORK
from components.ui import page_title, plain, query_family_id, stop_with
from db import families
from db.conference import AUDIENCES, meeting_screen
from db.rules.access import NotAllowed

actor = guard(*CASEWORK)

family_id = query_family_id()
opened = shared_screen.now_open()

if not opened:
    # The worker's side: who is in the room, and which language the screen speaks.
    summary = None
    if family_id is not None:
        try:
            summary = families.family_summary(actor, family_id)
            use_terms(families.family_terms(actor, family_id))
        except NotAllowed:
            pass
    st.title(
        _(
            "{Meeting} screen",
            Meeting=term("family_meeting", capital=True),
            meeting=term("family_meeting"),
        )
    )
    if family_id is None:
        stop_with(
            st.info, _('Open this screen from a family\'s page ("Open the family meeting screen").')
        )
    if summary is None:
        stop_with(st.warning, _("This family isn't available to you."))
    st.write(
        _(
            "This screen shows only {family}'s goals, what's going well, the children's "
            "views they agreed to share, and their {plan} — nothing that is just for "
            "workers. Who is in the room?",
            family=plain(summary.known_as),
            plan=term("plan"),  # made safe by term()
        )
    )
    audience = st.radio(
        _("Who is in the room?"),
        list(AUDIENCES),
        format_func=lambda code: _(AUDIENCES[code]),
        key="conference_audience",
        label_visibility="collapsed",
    )
    language = language_choice(
        _("The screen's language (the family's own is chosen on their page)"),
        current_value=summary.preferred_language,
        key=f"conference_language_{family_id}",
    )
    # The screen shows the plan: whoever must not see it, or must not be at a meeting, is named,
    # and the screen opens only once the worker says none of them is in the room.
    may_open = conference_view.nobody_kept_out_is_here(
        families.family_people(actor, family_id), key=f"conference_none_kept_out_{family_id}"
    )
    if (
        st.button(
            _("Open the family meeting screen"),
            type="primary",
            key="conference_open",
            disabled=not may_open,
        )
        and may_open
    ):
        shared_screen.open_for(actor, family_id, audience, language)
        st.rerun()
    st.stop()

# From here on the family is reading: their language, their team's words.
speak_as_family(opened.language)
# A conference can last two hours: no idle logout while this screen is open.
st.session_state["idle_exempt"] = True
st.html(conference_view.SHARED_SCREEN_STYLE)
try:  # one read: one session, one access check, the view audited once per worker's session
    view = meeting_screen(
        actor, opened.family_id, opened.audience, record_view=not_yet_viewed(opened.family_id)
    )
    mark_viewed(view.family_id)
    use_terms(view.terms)
except NotAllowed:
    shared_screen.sign_in_again()
page_title(
    _(
        "{Meeting} screen",
        Meeting=term("family_meeting", capital=True),
        meeting=term("family_meeting"),
    )
)

conference_view.show(actor, view)
conference_view.add_to_plan(actor, view.family_id, view.audience)
conference_view.copy_button(actor, view)
with st.expander(_("Finish the {meeting}", meeting=term("family_meeting"))):
    # The worker's view holds what the family must not see (keeping-safe details among it):
    # only the worker, with their password, takes the screen back.
    st.write(
        _(
            "This takes the screen back to the {worker}'s view. The {worker}'s password is needed.",
            worker=term("worker"),
        )
    )
    if password_confirmed(
        actor,
        key="conference_leave",
        action=_("Leave the {meeting} screen", meeting=term("family_meeting")),
        reason="leave_family_meeting_screen",
    ):
        shared_screen.close(actor)
        st.session_state.pop("idle_exempt", None)
        deep_links.open_next("pages/family.py", {"family": str(view.family_id)})
