"""Requests for a copy of everything we hold about a family, on screen.

An admin records the request (who asked, when) for a family found by number or reference, and
sees each request's progress; a manager who leads the family's team approves or turns it down
(on their Audit page); then either prepares the copy: a JSON file, and a printable draft for a
worker to check before anything is sent. The rules live in db.subject_access.
"""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd
import streamlit as st

from components import family_copy
from components.export import download_button
from components.forms import show_problem
from components.i18n import _
from components.ui import friendly_date, plain, rerun_with_notice, show_notice, table
from db import subject_access
from db.rules.access import Actor, may_prepare_records_copy
from db.store.models import RecordsRequestStatus
from db.words import RECORDS_REQUEST_STATUS

PREPARED = "records_copy"  # a Prepared copy, after preparing


class Prepared(NamedTuple):
    """A copy just prepared, held in this tab for the worker who prepared it."""

    worker_id: int
    team_id: int
    request_id: int
    family_id: int
    document: str


NOTICE = "records_notice"


def done(message: str) -> None:
    rerun_with_notice(NOTICE, message)


def ask_form(actor: Actor, found: dict) -> None:
    """For an admin: record a family's request for a copy."""
    st.markdown(_("**A copy of everything we hold**"))
    st.caption(
        _(
            "Record the request here. A manager who leads the family's team approves it before "
            "the copy can be prepared."
        )
    )
    with st.form("records_ask"):
        columns = st.columns(2)
        who = columns[0].text_input(
            _("Who asked, and how"),
            key="records_asked_by_whom",
            placeholder=_("For example: Mum, by letter"),
            max_chars=200,
        )
        asked_on = columns[1].date_input(
            _("When they asked"), key="records_asked_on", format="DD/MM/YYYY"
        )
        ask = st.form_submit_button(_("Record the request"))
    if ask:
        with show_problem():
            request_id = subject_access.ask_for_copy(
                actor, found["family_id"], asked_by_whom=who, asked_on=asked_on
            )
            done(
                _(
                    (
                        "Request {request_id} is recorded. A manager who leads {value} will see "
                        "it on their Audit page to approve."
                    ),
                    request_id=request_id,
                    value=found["team"],
                )
            )


def admin_list(actor: Actor, requests: pd.DataFrame) -> None:
    """For an admin: every request and where it has got to; approved ones can be prepared."""
    st.markdown(_("**Requests for a copy**"))
    show_notice(NOTICE)
    table(
        requests.drop(columns="team_id").assign(
            status=requests["status"].map(RECORDS_REQUEST_STATUS)
        ),
        {
            "request_id": _("Request"),
            "family_id": _("Family number"),
            "council_reference": _("Council reference"),
            "team": _("Team"),
            "asked_by_whom": _("Who asked"),
            "asked_on": _("When"),
            "recorded_by": _("Recorded by"),
            "status": _("Where it is"),
            "decided_by": _("Decided by"),
            "refused_because": _("Why it was turned down"),
        },
        dates=("asked_on",),
        when_empty=_("No family has asked for a copy yet."),
    )
    for row in requests[requests["status"] == RecordsRequestStatus.approved].itertuples():
        prepare_button(actor, row.request_id, row.family_id, row.team_id)
    downloads(actor)


def manager_panel(actor: Actor, requests: pd.DataFrame) -> None:
    """For a manager: requests for the families of the teams they lead, to approve or turn
    down, and approved ones to prepare. Draws nothing when there are none."""
    if requests.empty and _prepared_for(actor) is None and NOTICE not in st.session_state:
        return
    st.header(_("Requests for a copy of a family's records"))
    show_notice(NOTICE)
    for row in requests.itertuples():
        with st.container(border=True):
            st.markdown(
                plain(
                    _(
                        "Request {request_id}: {family} ({team}). Asked by {asked_by_whom} on"
                        " {day}; recorded by {recorded_by}.",
                        request_id=row.request_id,
                        family=row.family,
                        team=row.team,
                        asked_by_whom=row.asked_by_whom,
                        day=friendly_date(row.asked_on),
                        recorded_by=row.recorded_by,
                    )
                )
            )
            st.caption(_(RECORDS_REQUEST_STATUS[row.status]))
            if row.status == RecordsRequestStatus.approved:
                prepare_button(actor, row.request_id, row.family_id, row.team_id)
            elif not row.may_decide:
                st.caption(
                    _("You recorded this request, so another manager of the team decides it.")
                )
            else:
                _decide(actor, row.request_id)
    downloads(actor)


def _decide(actor: Actor, request_id: int) -> None:
    if st.button(_("Approve"), key=f"records_approve_{request_id}", type="primary"):
        with show_problem():
            subject_access.approve_request(actor, request_id)
            done(
                _(
                    "Request {request_id} is approved: the copy can now be prepared.",
                    request_id=request_id,
                )
            )
    with st.expander(_("Turn it down")):
        with st.form(f"records_refuse_{request_id}"):
            because = st.text_area(
                _(
                    "Why? The admin who answers the family reads this: please don't write "
                    "details of the family's case."
                ),
                key=f"records_refuse_because_{request_id}",
            )
            refuse = st.form_submit_button(_("Turn down the request"))
        if refuse:
            with show_problem():
                subject_access.refuse_request(actor, request_id, because=because)
                done(_("Request {request_id} is turned down.", request_id=request_id))


def prepare_button(actor: Actor, request_id: int, family_id: int, team_id: int) -> None:
    label = _(
        "Prepare the copy for request {request_id} (family number {family_id})",
        request_id=request_id,
        family_id=family_id,
    )
    if st.button(label, key=f"records_prepare_{request_id}"):
        with show_problem():
            document = subject_access.prepare_copy(actor, request_id)
            st.session_state[PREPARED] = Prepared(
                actor.worker_id, team_id, request_id, family_id, document
            )
            done(
                _("The copy for request {request_id} is ready to download.", request_id=request_id)
            )


def _prepared_for(actor: Actor) -> Prepared | None:
    """The copy held in this tab, if this worker prepared it and may still prepare it (an
    admin, or a manager who still leads the family's team); otherwise it is dropped."""
    prepared = st.session_state.get(PREPARED)
    if not isinstance(prepared, Prepared):
        return None
    if prepared.worker_id != actor.worker_id or not may_prepare_records_copy(
        actor, team_id=prepared.team_id
    ):
        st.session_state.pop(PREPARED, None)
        return None
    return prepared


def downloads(actor: Actor) -> None:
    """The copy just prepared, as JSON and as a printable draft, kept for this session only and
    offered only to the worker who prepared it, while they may still prepare it."""
    prepared = _prepared_for(actor)
    if prepared is None:
        return
    _worker_id, _team_id, request_id, family_id, document = prepared
    download_button(
        _("Download the copy for request {request_id}", request_id=request_id),
        document,
        file_name=f"family-{family_id}-copy.json",
        key="records_download",
    )
    download_button(
        _("Download a printable draft to check before sending"),
        family_copy.render_everything(document),
        file_name=f"family-{family_id}-copy.html",
        key="records_download_html",
    )
