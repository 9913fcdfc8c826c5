"""The family meeting screen, for a family group conference on a shared screen with the family
in the room: only this family, plain words, nothing worker-only."""

import streamlit as st

from components import conference_view
from components.auth import guard
from components.auth.password_check import password_confirmed
from components.family_view import mark_viewed, not_yet_viewed
from components.pages import CASEWORK
from components.ui import plain, query_family_id
from db import families
from db.conference import AUDIENCES, meeting_screen
from db.rules.access import NotAllowed

actor = guard(*CASEWORK)

family_id = query_family_id()
opened = st.session_state.get("conference")
if opened and opened["family_id"] != family_id and family_id is not None:
    opened = None  # another family's link: choose the audience again

if not opened:
    st.title("Family meeting screen")
    if family_id is None:
        st.info('Open this screen from a family\'s page ("Open the family meeting screen").')
        st.stop()
    try:
        summary = families.family_summary(actor, family_id)
    except NotAllowed:
        st.warning("This family isn't available to you.")
        st.stop()
    st.write(
        plain(
            f"This screen shows only {summary.known_as}'s goals, what's going well, the "
            "children's views they agreed to share, and their plan — nothing that is just for "
            "workers. Who is in the room?"
        )
    )
    audience = st.radio(
        "Who is in the room?",
        list(AUDIENCES),
        format_func=AUDIENCES.__getitem__,
        key="conference_audience",
        label_visibility="collapsed",
    )
    if st.button("Open the family meeting screen", type="primary", key="conference_open"):
        st.session_state["conference"] = {"family_id": family_id, "audience": audience}
        st.rerun()
    st.stop()

# A conference can last two hours: no idle logout while this screen is open.
st.session_state["idle_exempt"] = True
st.html(conference_view.SHARED_SCREEN_STYLE)
try:  # one read: one session, one access check, the view audited once per worker's session
    view = meeting_screen(
        actor,
        opened["family_id"],
        opened["audience"],
        record_view=not_yet_viewed(opened["family_id"]),
    )
    mark_viewed(view.family_id)
except NotAllowed:
    st.session_state.pop("conference", None)
    st.warning("This family isn't available to you.")
    st.stop()

conference_view.show(view)
conference_view.add_to_plan(actor, view.family_id, view.audience)
conference_view.copy_button(actor, view)
with st.expander("Finish the family meeting"):
    # The worker's view holds what the family must not see (keeping-safe details among it):
    # only the worker, with their password, takes the screen back.
    st.write("This takes the screen back to the worker's view. The worker's password is needed.")
    if password_confirmed(
        actor,
        key="conference_leave",
        action="Leave the family meeting screen",
        reason="leave_family_meeting_screen",
    ):
        st.session_state.pop("conference", None)
        st.session_state.pop("idle_exempt", None)
        st.switch_page("pages/family.py", query_params={"family": str(view.family_id)})
