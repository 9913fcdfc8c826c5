"""Tables of families: choosing a row opens that family's page in the same tab."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.i18n import N_, _, said_column, short_date
from components.ui import table

OPEN_HINT = N_(
    "To open a family's page, choose its row: click the box at the start of the row, or Tab "
    "into the table, move with the arrow keys and press Shift+Space."
)


def more_than_shown(shown: int) -> str:
    return _(
        "These are the first {n} families, A to Z. To find another, search for it above.", n=shown
    )


def family_rows(
    shown: pd.DataFrame, family_ids: pd.Series, *, key: str, column_config: dict | None = None
) -> None:
    """A table of families with row selection instead of link cells (links could not be
    reached by keyboard and opened a new tab): choosing a row opens the family here.
    `family_ids` runs alongside `shown`'s rows."""
    st.caption(_(OPEN_HINT))
    event = table(shown, column_config, key=key, on_select="rerun", selection_mode="single-row")
    rows = event.selection.rows if event is not None else []
    if rows:
        family_id = int(family_ids.iloc[rows[0]])
        # Forget the choice, so coming back to this list doesn't open the family again.
        del st.session_state[key]
        st.switch_page("pages/family.py", query_params={"family": str(family_id)})


def family_table(families: pd.DataFrame) -> None:
    shown = pd.DataFrame(
        {
            _("Name"): families["family"],
            _("Where things are"): families["status"].map(_),
            _("Worker"): said_column(families["workers"]),
            _("Last time we met"): families["last_met"].map(short_date),
            _("Next meeting"): families["next_meeting"].map(short_date),
        }
    )
    family_rows(shown, families["family_id"], key="families_table")
