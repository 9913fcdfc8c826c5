"""A download button for any table: the CSV is made (neutralised) and the export audited only
when someone actually clicks it, by db.export."""

from __future__ import annotations

from functools import partial
from typing import Any, Callable

import pandas as pd
import streamlit as st

from components.i18n import N_, _, said_table
from db import export
from db.rules.access import Actor


def csv_maker(actor: Actor, frame: pd.DataFrame, **whose: Any) -> Callable[[], bytes]:
    """db.export.export_csv deferred until Streamlit runs it on click (it audits, then returns
    the safe CSV), on the table as it is now, downloaded in the reader's words while the audit
    names its columns in English; `whose` is what export_csv takes (what, team_id, family_id)."""
    snapshot = frame.copy()
    return partial(export.export_csv, actor, snapshot, shown=said_table(snapshot), **whose)


def export_button(
    actor: Actor,
    frame: pd.DataFrame,
    *,
    what: str,
    file_name: str,
    key: str,
    team_id: int | None = None,
    family_id: int | None = None,
    label: str = N_("Download as CSV"),
) -> None:
    st.download_button(
        _(label),
        data=csv_maker(actor, frame, what=what, team_id=team_id, family_id=family_id),
        file_name=file_name,
        mime="text/csv",
        key=key,
        on_click="ignore",
        icon=":material/download:",
        help=_("A spreadsheet copy of this table. Every download is recorded."),
    )
