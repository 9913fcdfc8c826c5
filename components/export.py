"""Download buttons, drawn one way: the file's type read from its name, a printer icon for a copy
to print, and no rerun of the page on the click. A table's CSV is made (neutralised) and the
export audited only when someone actually clicks, by db.export."""

from __future__ import annotations

import mimetypes
from functools import partial
from typing import Any, Callable

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from components.i18n import N_, _, said_table
from db import export
from db.rules.access import Actor


def download_button(
    label: str,
    data: Any,
    *,
    file_name: str,
    key: str,
    help: str | None = None,
    on_click: Any = "ignore",
    args: tuple = (),
    place: DeltaGenerator | None = None,
) -> None:
    """`data` may be a function, called only on the click (so an audited copy is made, and
    recorded, only when someone takes it); `on_click` is "ignore" unless a click must record."""
    printable = file_name.endswith(".html")
    (place or st).download_button(
        label,
        data,
        file_name=file_name,
        mime=mimetypes.guess_type(file_name)[0],
        key=key,
        help=help,
        on_click=on_click,
        args=args,
        icon=":material/print:" if printable else ":material/download:",
    )


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
    download_button(
        _(label),
        csv_maker(actor, frame, what=what, team_id=team_id, family_id=family_id),
        file_name=file_name,
        key=key,
        help=_("A spreadsheet copy of this table. Every download is recorded."),
    )
