"""Who looked at a family's record: for the managers who lead the family's team."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.i18n import _
from components.ui import local_time, table
from db.admin import family_viewers
from db.rules.access import Actor
from db.settings import DEFAULT_TIME_ZONE
from db.store.models import Role


def who_looked(
    actor: Actor, family_id: int, time_zone: str = DEFAULT_TIME_ZONE
) -> pd.DataFrame | None:
    """Draws who opened this family's record and when, newest first, for a manager who leads
    the family's team; draws nothing and returns None for anyone else."""
    if not actor.has(Role.manager):
        return None
    viewers = family_viewers(actor, family_id)
    if viewers is None:
        return None
    with st.expander(_("Who has looked at this record ({count})", count=len(viewers))):
        if viewers.empty:
            st.caption(_("No one has opened this record yet."))
        else:
            shown = viewers.assign(when=viewers["when"].map(lambda t: local_time(t, time_zone)))
            table(shown, {"when": _("When"), "who": _("Who"), "roles": _("Their role")})
    return viewers
