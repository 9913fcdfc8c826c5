"""Exports of tables to CSV: neutralised so a spreadsheet cannot run a cell, and audited.

A cell beginning with = + - @ (or a tab or carriage return, which some spreadsheets skip before
reading a formula) is prefixed with a single quote, so it is shown as text, never run. Column
names are neutralised too. Numbers stay numbers: only text is touched.

Every export is audited with the names of what was exported (the table and its columns), never
the values. No Streamlit here: the download button in components/export.py calls export_csv.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pandas as pd

from db.i18n import N_
from db.rules import audit
from db.rules.access import Actor, require_family, require_led_team
from db.rules.validation import Invalid, checked
from db.store.engine import write_session

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ENCODING = "utf-8-sig"  # with a byte-order mark, so spreadsheets read accents and £ correctly


def neutralise(value: Any) -> Any:
    """The value, made safe to open in a spreadsheet."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of the table with every text cell and column name neutralised."""
    safe = frame.copy()
    safe.columns = [neutralise(str(column)) for column in frame.columns]
    for column in safe.columns:
        if not (
            pd.api.types.is_numeric_dtype(safe[column])
            or pd.api.types.is_bool_dtype(safe[column])
            or pd.api.types.is_datetime64_any_dtype(safe[column])
        ):
            safe[column] = safe[column].map(neutralise).astype(object)
    return safe


def to_csv(frame: pd.DataFrame) -> bytes:
    """The table as CSV bytes, neutralised, every cell quoted."""
    buffer = io.StringIO()
    neutralised(frame).to_csv(buffer, index=False, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    return buffer.getvalue().encode(ENCODING)


@checked
def export_csv(
    actor: Actor,
    frame: pd.DataFrame,
    *,
    what: str,
    team_id: int | None = None,
    family_id: int | None = None,
    shown: pd.DataFrame | None = None,
) -> bytes:
    """Checks the actor may export this table, audits the export (table and column names,
    never values) and returns the neutralised CSV: of `shown` if given (the same table in the
    reader's language), so the audit names the columns in English and the download is in the
    words of the person who clicked.

    `what` names the table (e.g. "continuity_families"); pass the team (checked as a team the
    actor manages) or the family (checked as a family whose record the actor may open)."""
    if not what or team_id is None and family_id is None:
        # Screens always say both; a caller that doesn't gets the store's plain refusal.
        raise Invalid(N_("Say what is exported and whose it is (a team or a family)."))
    if team_id is not None:
        require_led_team(actor, team_id, what=what[:40])
    with write_session() as session:
        if family_id is not None:
            require_family(session, actor, family_id)
        audit.record(
            session,
            actor,
            audit.Action.EXPORT,
            family_id=family_id,
            record_type=what[:40],
            record_id=team_id if team_id is not None else family_id,
            fields=[str(column) for column in frame.columns],
        )
    return to_csv(frame if shown is None else shown)
