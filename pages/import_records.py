"""Bring records in: a manager (into the teams they lead) or an admin (into any team, seeing
counts only) brings families, their people, workers, goals and scores in from a CSV or .xlsx —
previewed first, then stored in one transaction once they say yes."""

import streamlit as st

from components import import_views as views
from components.auth import guard
from components.i18n import _, said
from components.ui import plain
from db import importer
from db.rules.access import NotAllowed
from db.rules.validation import Invalid
from db.store.models import Role

actor = guard(Role.admin, Role.manager)

st.title(_("Bring records in"))
views.intro()
views.last_import()
teams = importer.import_teams(actor)
if teams.empty:
    st.info(_("You don't lead a team yet, so there is no team to bring records into."))
    st.stop()
team_id = views.choose_team(teams)
views.template(actor, team_id)
chosen = views.file_choice()
if chosen is None:
    st.stop()
data, file_name = chosen

key = views.preview_key(team_id, data)
preview = st.session_state.get("import_preview", {}).get(key)
if preview is None:
    try:
        preview = views.with_progress(
            _("Reading the file…"),
            lambda bar: importer.preview_import(
                actor, team_id=team_id, data=data, file_name=file_name, on_progress=bar
            ),
        )
    except Invalid as problem:
        st.error(plain(said(problem)), icon=":material/error:")
        st.stop()
    except NotAllowed:
        st.warning(_("This team isn't available to you."))
        st.stop()
    st.session_state["import_preview"] = {key: preview}
views.show_preview(preview)

if preview.ready and views.confirm(preview):
    try:
        result = views.with_progress(
            _("Bringing the records in…"),
            lambda bar: importer.import_records(
                actor, team_id=team_id, data=data, file_name=file_name, on_progress=bar
            ),
        )
    except Invalid as problem:
        st.session_state.pop("import_preview", None)
        st.error(
            plain(_("{problem} Nothing was stored.", problem=said(problem))),
            icon=":material/error:",
        )
    except NotAllowed:
        st.warning(_("This team isn't available to you."))
    else:
        views.done(result)
