"""My families: the families I work with, and a search across my teams when covering."""

import streamlit as st

from components.auth import guard
from components.family_list import family_table, more_than_shown
from components.i18n import _
from components.pages import CASEWORK
from db import families as family_store

actor = guard(*CASEWORK)
SHOWN_AT_MOST = 200  # a longer list is for the search to narrow

st.title(_("My families"))
if st.button(_("A new family asks for help"), icon=":material/person_add:", key="families_new"):
    st.switch_page("pages/new_family.py")
search = st.text_input(
    _("Find a family in your team"),
    placeholder=_("Family name, anyone in their world (a child, a parent…), or council reference"),
    key="families_search",
    help=_("Use this when you're covering for a colleague."),
)
show_closed = st.toggle(_("Include families we've stopped working with"), key="families_closed")
families = family_store.families(
    actor,
    search=search,
    include_closed=show_closed,
    mine_only=not actor.led_team_ids or bool(search),
    limit=SHOWN_AT_MOST + 1,
)

if search and families.empty:
    st.info(_("No family in your teams matches that. Try part of a name or the council reference."))
elif families.empty:
    st.info(
        _(
            "You aren't working with any families right now. Use the search to find a family "
            "in your team."
        )
    )
else:
    family_table(families.head(SHOWN_AT_MOST))
    if len(families) > SHOWN_AT_MOST:
        st.caption(more_than_shown(SHOWN_AT_MOST))
