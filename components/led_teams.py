"""The teams a manager leads, for the pages of figures about them (continuity, outcomes)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from components.i18n import _
from components.ui import stop_with
from db import continuity
from db.rules.access import Actor
from db.store.clock import today_in


def led_teams_or_stop(actor: Actor) -> pd.DataFrame:
    """The teams the manager leads (team_id, team, time_zone); with none, the page says so and
    stops there."""
    teams = continuity.led_teams(actor)
    if teams.empty:
        stop_with(
            st.info,
            _("You don't lead a team yet, so there are no figures to show. Please ask your admin."),
        )
    return teams


def team_names(teams: pd.DataFrame) -> dict[int, str]:
    return dict(zip(teams["team_id"], teams["team"]))


def today_for(teams: pd.DataFrame, team_id: int) -> date:
    """Today in the team's own time zone."""
    zones = dict(zip(teams["team_id"], teams["time_zone"]))
    return today_in(zones[team_id])
