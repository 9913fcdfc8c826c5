"""A list of families with a link to each family's page."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.ui import friendly_date


def family_table(families: pd.DataFrame) -> None:
    shown = pd.DataFrame(
        {
            "Family": "/family?family=" + families["family_id"].astype(str),
            "Name": families["family"],
            "Where things are": families["status"],
            "Worker": families["workers"],
            "Last time we met": families["last_met"].map(friendly_date),
            "Next meeting": families["next_meeting"].map(friendly_date),
        }
    )
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        column_config={
            "Family": st.column_config.LinkColumn(
                "Open", display_text="Open", help="Open the family's page"
            )
        },
    )
