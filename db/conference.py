"""What a family-facing screen or copy may show: one family, only what fits the audience.

Never: other families, keeping-safe details, anything private to one person, anything of a
person marked 'must not see the plan', staff notes, real-change labels, audit or continuity.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd

from db import families as family_store
from db import goals as goal_store
from db import meetings
from db.i18n import LANGUAGES, N_
from db.rules.access import Actor, require_family
from db.rules.validation import Invalid, checked
from db.rules.visibility import Audience
from db.store.clock import today_in
from db.store.engine import read_session, write_session
from db.store.models import ConversationColumn, LoginSession, Team

AUDIENCES = {
    Audience.EVERYONE: N_("Everyone at the meeting (the whole network)"),
    Audience.HOUSEHOLD: N_("Just the household"),
}


@dataclass(frozen=True)
class ConferenceView:
    family_id: int
    family_name: str
    audience: str
    goals: goal_store.GoalData
    going_well: pd.DataFrame  # words, said_by
    child_views: pd.DataFrame  # child, words, on
    plan: pd.DataFrame  # what, who, by_when, how_we_will_know, done_on
    made_on: date
    follow_up: meetings.PlanFollowUp = meetings.PlanFollowUp()
    workers: str = ""  # the family's current workers, main worker first
    team_name: str = ""
    next_meeting: datetime | None = None
    time_zone: str = ""
    # The words the family's team chose, keyed by (term, language): db/i18n.py term().
    terms: dict[tuple[str, str], str] = field(default_factory=dict)
    # Who may be in the room (families.in_the_room), to say who set a goal, scored or spoke.
    people: pd.DataFrame = field(default_factory=pd.DataFrame)


@checked
def meeting_screen(
    actor: Actor, family_id: int, audience: str, *, record_view: bool = True
) -> ConferenceView:
    """Everything the family meeting screen (and the family copy made from it) shows, in one
    read: one session, one access check and, with `record_view` (the screen's first drawing in
    a worker's session), one audit row of the view in the same transaction. The goals come from
    the one data cache, keyed by the family's data version read here."""
    if audience not in AUDIENCES:
        raise Invalid(N_("A family-facing view is for the whole network or the household."))
    with (write_session if record_view else read_session)() as session:
        family = require_family(session, actor, family_id)
        # Held for the whole read: the session keeps loaded rows only while they are referenced,
        # so each helper's look-up of the team is then answered without asking the database.
        team = session.get_one(Team, family.team_id)
        summary = family_store.family_summary_in(session, family)
        today = today_in(summary.time_zone)
        talk = meetings.conversations_in(session, family_id, audience)
        going_well = talk[talk["column"] == ConversationColumn.going_well.value]
        plan = meetings.plan_in(session, family, audience, today)
        contact = family_store.family_contact_in(session, family)
        view = ConferenceView(
            family_id=family_id,
            family_name=summary.known_as,
            audience=audience,
            goals=goal_store.goal_data_in(session, family, audience),
            going_well=going_well[["words", "said_by"]].drop_duplicates("words").head(12),
            child_views=meetings.child_views_in(session, family, audience)[
                ["child", "words", "on"]
            ],
            plan=plan[["what", "who", "by_when", "how_we_will_know", "done_on"]],
            made_on=today,
            follow_up=meetings.plan_follow_up_in(session, family_id),
            workers=contact.workers,
            team_name=summary.team_name,
            next_meeting=contact.next_meeting,
            time_zone=team.time_zone,
            terms=family_store.family_terms_in(session, family),
            people=family_store.in_the_room(
                family_store.family_people_in(session, family), audience
            ),
        )
        if record_view:
            family_store.audit_view(session, actor, family_id)
    return view


# --- the screen stays the family's until the worker takes it back -----------------------------


@dataclass(frozen=True)
class OpenScreen:
    """The family meeting screen a login has open: whose, for whom, in which language."""

    family_id: int
    audience: str
    language: str | None = None


@checked
def open_screen(
    actor: Actor, *, family_id: int, audience: str, language: str | None, login_session: str | None
) -> OpenScreen:
    """This login (`login_session`, its id) shows only this family's meeting screen from now
    on, on every page and after a reload, until close_screen (which the screen calls once the
    worker's password is confirmed). A login with no session row (a test's) keeps it in the tab
    only."""
    if audience not in AUDIENCES:
        raise Invalid(N_("A family-facing view is for the whole network or the household."))
    screen = OpenScreen(family_id, audience, language if language in LANGUAGES else None)
    with write_session() as session:
        require_family(session, actor, family_id)
        login = session.get(LoginSession, login_session) if login_session else None
        if login is not None and login.worker_id == actor.worker_id:
            login.screen_family_id = screen.family_id
            login.screen_audience = screen.audience
            login.screen_language = screen.language
            session.add(login)
    return screen


@checked
def close_screen(actor: Actor, *, login_session: str | None) -> None:
    """The worker's own login shows the worker's pages again."""
    with write_session() as session:
        login = session.get(LoginSession, login_session) if login_session else None
        if login is None or login.worker_id != actor.worker_id:
            return
        login.screen_family_id = login.screen_audience = login.screen_language = None
        session.add(login)


def screen_open_in(session_id: str) -> OpenScreen | None:
    """The family meeting screen a login has open, if any: for a tab that the re-login cookie
    has just brought back to this login."""
    with read_session() as session:
        login = session.get(LoginSession, session_id)
    if login is None or login.screen_family_id is None or login.screen_audience is None:
        return None
    return OpenScreen(login.screen_family_id, login.screen_audience, login.screen_language)
