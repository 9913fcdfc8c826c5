"""The audit: who looked at or changed what, and when. Admins search everything; a manager
sees who looked at the families of the teams they lead. Read-only: there is no way to change
or remove an audit row from the app."""

from datetime import timedelta

import streamlit as st

from components import records_requests
from components.auth import guard
from components.i18n import _
from components.ui import local_time, record_number, stop_with, table
from db.admin import search_audit
from db.rules.access import NotAllowed
from db.store.clock import today_in
from db.store.models import Role
from db.subject_access import requests_for_managers

actor = guard(Role.admin, Role.manager)

ACTIONS = {
    "view": _("Opened the record"),
    "create": _("Added"),
    "update": _("Changed"),
    "export": _("Exported"),
    "login": _("Logged in"),
    "login_failed": _("Login didn't work"),
    "logout": _("Logged out"),
    "refused": _("Was refused"),
    "erase": _("Erased"),
    "copy": _("Copied"),
    "request": _("Recorded a request for a copy"),
    "approve": _("Approved a request for a copy"),
    "turn_down": _("Turned down a request for a copy"),
}

st.title(_("Audit"))
if actor.has(Role.admin):
    st.caption(_("Everything recorded: names of fields and records, never what they said."))
else:
    st.caption(_("Who has looked at or changed the records of families in the teams you lead."))
if actor.has(Role.manager):  # requests for a copy of a family's records wait for them here
    records_requests.manager_panel(actor, requests_for_managers(actor))

with st.form("audit_search"):
    columns = st.columns(3)
    username = columns[0].text_input(_("Worker's username"), key="audit_username")
    family = columns[1].text_input(
        _("Family number"),
        key="audit_family",
        help=_("The number in the family's page address (?family=…)."),
    )
    today = today_in()  # the audit spans every team: the default zone's day
    dates = columns[2].date_input(
        _("Between"),
        value=(today - timedelta(days=30), today),
        max_value=today,
        key="audit_dates",
        format="DD/MM/YYYY",
    )
    st.form_submit_button(_("Search"), type="primary")

family_id = record_number(family)
if family.strip() and family_id is None:
    typed_digits = family.strip().isascii() and family.strip().isdigit()  # but none of ours
    stop_with(
        st.warning,
        _("There is no family with that number.")
        if typed_digits
        else _("A family number is digits only, for example 1042."),
    )
start, end = (dates[0], dates[-1]) if isinstance(dates, (tuple, list)) and dates else (None, None)

try:
    rows = search_audit(actor, username=username, family_id=family_id, start=start, end=end)
except NotAllowed:
    stop_with(st.warning, _("That family isn't in the teams you lead."))
if rows.empty:
    stop_with(st.info, _("Nothing recorded matches that search."))
shown = rows.assign(
    at=rows["at"].map(local_time),
    action=rows["action"].map(lambda a: ACTIONS.get(a, a)),
    family_id=rows["family_id"].map(lambda v: "" if v != v or v is None else str(int(v))),
    record_id=rows["record_id"].map(lambda v: "" if v != v or v is None else str(int(v))),
)
st.caption(
    _(
        "{count} entries, newest first (at most 500: narrow the search to see older).",
        count=len(shown),
    )
)
table(
    shown,
    {
        "at": _("When"),
        "username": _("Who"),
        "roles": _("Their roles"),
        "action": _("What"),
        "family_id": _("Family"),
        "record_type": _("Record"),
        "record_id": _("Record number"),
        "fields": _("Fields"),
    },
)
