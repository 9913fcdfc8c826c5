"""The one clock: "now" is a moment in UTC, and "today" is always some team's calendar day.

A team in Helsinki has already begun tomorrow at 23:00 UTC, and one in New York is still on
yesterday at 03:00 UTC, so the server's own date decides nothing about a family's record. Tests
freeze time by replacing `utcnow` here: every "today" is worked out through it.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from sqlmodel import Session

from db.settings import DEFAULT_TIME_ZONE


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def local_day(moment: datetime, zone: str) -> date:
    """The calendar day a UTC moment falls on in a team's time zone."""
    return moment.astimezone(ZoneInfo(zone)).date()


def today_in(zone: str = DEFAULT_TIME_ZONE) -> date:
    """Today's date for a team in `zone` (the default zone for screens that have no team)."""
    return local_day(utcnow(), zone)


def now_in(zone: str) -> datetime:
    """The wall-clock moment it is now for a team in `zone`."""
    return utcnow().astimezone(ZoneInfo(zone))


def team_zone(session: Session, team_id: int) -> str:
    # The tables take utcnow from this module, so they are imported only when a team is read.
    from db.store.models import Team

    team = session.get(Team, team_id)
    return team.time_zone if team else DEFAULT_TIME_ZONE


def team_today(session: Session, team_id: int) -> date:
    return today_in(team_zone(session, team_id))


def family_today(session: Session, family) -> date:
    """Today's date for the family's team: the day its workers are living in."""
    return team_today(session, family.team_id)
