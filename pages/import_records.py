"""Bring records in: a manager (into the teams they lead) or an admin (into any team, seeing
counts only) brings families, their people, workers, goals and scores in from a CSV or .xlsx —
previewed first, then stored in one transaction once they say yes."""

from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from components import import_views as views
from components.auth import guard
from components.i18n import _, said
from components.ui import plain, stop_with
from db import importer
from db.rules.access import NotAllowed
from db.rules.validation import Invalid
from db.store.models import Role

Result = TypeVar("Result")

actor = guard(Role.admin, Role.manager)

st.title(_("Bring records in"))
views.intro()
views.last_import()
teams = importer.import_teams(actor)
if teams.empty:
    stop_with(st.info, _("You don't lead a team yet, so there is no team to bring records into."))
team_id = views.choose_team(teams)
views.template(actor, team_id)
chosen = views.file_choice()
if chosen is None:
    st.stop()
data, file_name = chosen


def on_the_file(words: str, work: Callable[..., Result]) -> Result:
    """Previews or brings in the chosen file for the chosen team, with a progress bar."""
    return views.with_progress(
        words,
        lambda bar: work(actor, team_id=team_id, data=data, file_name=file_name, on_progress=bar),
    )


key = views.preview_key(team_id, data)
preview = st.session_state.get("import_preview", {}).get(key)
if preview is None:
    try:
        preview = on_the_file(_("Reading the file…"), importer.preview_import)
    except Invalid as problem:
        stop_with(st.error, plain(said(problem)), icon=":material/error:")
    except NotAllowed:
        stop_with(st.warning, _("This team isn't available to you."))
    st.session_state["import_preview"] = {key: preview}
views.show_preview(preview)

if preview.ready and views.confirm(preview):
    try:
        result = on_the_file(_("Bringing the records in…"), importer.import_records)
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
