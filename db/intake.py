"""A new family asks for help, then meets the team and chooses a worker.

Adding a family is one transaction: the family, its first dated status row ("waiting to meet a
worker", from the day they first asked) and the people in it are stored together or not at all.
Before a family is added, `possible_matches` looks for a family the worker's teams may already
know: the same name, the same council reference, or a child of the same name. It looks only in
the worker's own teams, so nobody learns of a family they may not open.

When the family has met the team, `choose_worker` records every worker they met and the one they
chose (a WorkerOffer row each), and starts the chosen worker's relationship with
`chosen_by_family`, moving the family from waiting to working together.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, ClassVar

import pandas as pd
from pydantic import field_validator
from sqlalchemy import func
from sqlmodel import Field, Session, col, select

from db.family_world import start_relationship
from db.i18n import N_, Words, joined, words_column
from db.rules import audit
from db.rules.access import Actor, family_read, require_case_team
from db.rules.validation import (
    Input,
    Invalid,
    RecordId,
    WholeNumber,
    checked,
    day,
    field_problem,
    max_chars,
)
from db.rules.writes import family_write, touch
from db.store.clock import family_today, team_today, today_in
from db.store.engine import read_session, write_session
from db.store.ids import stored_id
from db.store.models import (
    Family,
    FamilyStatus,
    FamilyStatusChange,
    Person,
    Relationship,
    Team,
    Worker,
    WorkerOffer,
    WorkerTeam,
)
from db.store.query import fold, folded
from db.words import FAMILY_STATUS

# The oldest anyone recorded as a child or adult can plausibly be.
OLDEST_AGE = 110
# Words that say nothing about which family it is ("The Smith family").
_NAME_FILLER = {"the", "family", "families", "and", "household", "children", "kids"}
MATCH_COLUMNS = ["family_id", "family", "team", "status", "first_came_on", "why"]


class MemberIn(Input):
    """Someone in the family, as the new-family form gives them. Limits are the table's."""

    positional: ClassVar[tuple[str, ...]] = ("name", "relationship", "birth_year", "in_household")
    name: str = Field(min_length=1, max_length=max_chars(Person, "name"), title=N_("their name"))
    relationship: Relationship = Field(title=N_("who they are to the family"))
    birth_year: WholeNumber | None = Field(default=None, title=N_("the year of birth"))
    in_household: bool = Field(default=True, title=N_("lives with the family"))

    @field_validator("birth_year")
    @classmethod
    def _plausible_year(cls, year: int | None) -> int | None:
        this_year = today_in().year  # a year's window: the default zone's date serves every team
        if year is not None and year > this_year:
            raise field_problem("outside_window", N_("can't be in the future"))
        if year is not None and year < this_year - OLDEST_AGE:
            raise field_problem(
                "outside_window", N_("can't be before {year}", year=str(this_year - OLDEST_AGE))
            )
        return year


class NewFamilyIn(Input):
    """A family asking for help, as the form gives it. Limits are the table's (Family)."""

    known_as: str = Field(
        min_length=1,
        max_length=max_chars(Family, "known_as"),
        title=N_("the family's name"),
        description=N_("the name the family chose to be known by"),
    )
    team_id: RecordId = Field(title=N_("the team"))
    first_came_on: date = Field(title=N_("the day they first asked for help"))
    how_they_came: str = Field(
        default="", max_length=max_chars(Family, "how_they_came"), title=N_("how they came to us")
    )
    council_reference: str = Field(
        default="",
        max_length=max_chars(Family, "council_reference"),
        title=N_("the council reference"),
    )
    members: list[MemberIn] = Field(
        min_length=1,
        title=N_("the people in the family"),
        description=N_("at least one person in the family"),
    )

    @property
    def children_names(self) -> list[str]:
        return [m.name for m in self.members if m.relationship == Relationship.child]


class WorkerChoiceIn(Input):
    """Who the family met when they met the team, and who they chose."""

    offered: list[RecordId] = Field(
        min_length=1,
        title=N_("the workers the family met"),
        description=N_("the workers the family met"),
    )
    chosen: RecordId = Field(title=N_("the worker the family chose"))
    on: date = Field(title=N_("the day they chose"))

    def workers(self) -> list[int]:
        """Everyone offered, once each, the chosen worker included (they met them too)."""
        return list(dict.fromkeys([*self.offered, self.chosen]))


# --- is this family already known? --------------------------------------------------------


def _name_words(known_as: str) -> list[str]:
    """The words that tell families apart, a plural's "s" dropped: "The Okafors" → okafor."""
    words = re.findall(r"[\w'-]+", fold(known_as))
    return [
        word[:-1] if len(word) > 3 and word.endswith("s") else word
        for word in words
        if word not in _NAME_FILLER and len(word) >= 2
    ]


def possible_matches(actor: Actor, family: NewFamilyIn | dict[str, Any]) -> pd.DataFrame:
    """Families of the worker's teams that may be this one, each with why: a name like it, the
    same council reference, or a child of the same name. Closed families count (a family
    may come back); erased records and other teams' families never appear."""
    family = NewFamilyIn.check(family)
    teams = actor.case_team_ids
    if not teams:
        return pd.DataFrame(columns=MATCH_COLUMNS)
    # Keyed by the ids the queries return, which SQLModel types as optional.
    reasons: dict[int | None, list[Words]] = {}
    in_teams = (col(Family.team_id).in_(teams), col(Family.erased_at).is_(None))
    with read_session() as session:
        words = _name_words(family.known_as)
        if words:
            named = [folded(col(Family.known_as)).contains(w, autoescape=True) for w in words]
            for family_id in session.exec(select(col(Family.id)).where(*in_teams, *named)):
                reasons.setdefault(family_id, []).append(N_("a similar name"))
        reference = fold(family.council_reference)
        if reference:
            for family_id in session.exec(
                select(col(Family.id)).where(
                    *in_teams, folded(func.trim(col(Family.council_reference))) == reference
                )
            ):
                reasons.setdefault(family_id, []).append(N_("the same council reference"))
        children = sorted({fold(name) for name in family.children_names})
        if children:
            for family_id, name in session.exec(
                select(col(Family.id), col(Person.name))
                .join(Person, col(Person.family_id) == Family.id)
                .where(
                    *in_teams,
                    col(Person.relationship) == Relationship.child,
                    folded(func.trim(col(Person.name))).in_(children),
                )
            ):
                reasons.setdefault(family_id, []).append(N_("a child called {name}", name=name))
        rows = session.exec(
            select(Family, col(Team.name))
            .join(Team, col(Team.id) == Family.team_id)
            .where(col(Family.id).in_(list(reasons)))
            .order_by(col(Family.known_as), col(Family.id))
        ).all()
    # At most 20, the surest first: a short name ("Ali") is part of many families' names, and
    # must not push out the family with the same council reference or the same child.
    similar = N_("a similar name")
    rows = sorted(rows, key=lambda row: all(why == similar for why in reasons[row[0].id]))[:20]
    frame = pd.DataFrame(
        [
            {
                "family_id": row.id,
                "family": row.known_as,
                "team": team,
                "status": FAMILY_STATUS[row.status],
                "first_came_on": row.first_came_on,
            }
            for row, team in rows
        ],
        columns=MATCH_COLUMNS,
    )
    reasons_of = (joined(list(dict.fromkeys(reasons[row.id])), ", ") for row, _team in rows)
    frame["why"] = words_column(reasons_of, frame.index)
    return frame


# --- adding the family --------------------------------------------------------------------


@checked
def add_family(actor: Actor, family: NewFamilyIn | dict[str, Any]) -> int:
    """Stores the family, its first status ("waiting to meet a worker", from the day they first
    asked) and its people in one audited transaction. Returns the new family's id."""
    family = NewFamilyIn.check(family)
    require_case_team(actor, family.team_id, what="new_family")
    with write_session() as session:
        # "In the future" is judged by the day of the team the family comes to.
        today = team_today(session, family.team_id)
        day(family.first_came_on, N_("the day they first asked for help"), today=today)
        row = Family(
            team_id=family.team_id,
            known_as=family.known_as,
            first_came_on=family.first_came_on,
            how_they_came=family.how_they_came,
            council_reference=family.council_reference,
            status=FamilyStatus.waiting,
        )
        session.add(row)
        session.flush()
        family_id = stored_id(row)
        session.add(
            FamilyStatusChange(
                family_id=family_id,
                status=FamilyStatus.waiting,
                changed_on=family.first_came_on,
                recorded_by=actor.worker_id,
            )
        )
        people = [Person(family_id=family_id, **member.model_dump()) for member in family.members]
        session.add_all(people)
        session.flush()
        touch(session, row)
        _audit_create(
            session,
            actor,
            family_id,
            "family",
            family_id,
            ["known_as", "team_id", "first_came_on", "how_they_came", "council_reference"],
        )
        for person in people:
            _audit_create(session, actor, family_id, "person", person.id, MemberIn.model_fields)
        return family_id


def _audit_create(session: Session, actor: Actor, family_id, record_type, record_id, fields):
    audit.record(
        session,
        actor,
        audit.Action.CREATE,
        family_id=family_id,
        record_type=record_type,
        record_id=record_id,
        fields=fields,
    )


# --- the family meets the team and chooses a worker ---------------------------------------


@checked
def choose_worker(actor: Actor, *, family_id: int, choice: WorkerChoiceIn | dict[str, Any]) -> int:
    """Records every worker the family met and starts the one they chose as their main worker
    (chosen by the family); a waiting family moves to working together. One transaction.
    Returns the new relationship's id."""
    choice = WorkerChoiceIn.check(choice)
    with family_write(actor, family_id) as (session, family):
        day(choice.on, N_("the day they chose"), today=family_today(session, family))
        workers = choice.workers()
        in_team = set(
            session.exec(
                select(col(WorkerTeam.worker_id)).where(
                    col(WorkerTeam.team_id) == family.team_id,
                    col(WorkerTeam.worker_id).in_(workers),
                )
            )
        )
        if set(workers) - in_team:
            raise Invalid(N_("Please choose workers of the family's team: one of them isn't."))
        relationship = start_relationship(
            session,
            actor,
            family,
            worker_id=choice.chosen,
            role="lead",
            chosen_by_family=True,
            started_on=choice.on,
        )
        for worker_id in workers:
            chosen = worker_id == choice.chosen
            offer = WorkerOffer(
                family_id=family_id,
                worker_id=worker_id,
                offered_on=choice.on,
                chosen=chosen,
                relationship_id=relationship.id if chosen else None,
                recorded_by=actor.worker_id,
            )
            session.add(offer)
            session.flush()
            _audit_create(
                session,
                actor,
                family_id,
                "worker_offer",
                offer.id,
                ["worker_id", "offered_on", "chosen", "relationship_id"],
            )
        return stored_id(relationship)


def offers(actor: Actor, family_id: int) -> pd.DataFrame:
    """The workers the family met each time they chose one, newest first."""
    with family_read(actor, family_id) as (session, _family):
        rows = session.exec(
            select(col(WorkerOffer.offered_on), col(Worker.name), col(WorkerOffer.chosen))
            .join(Worker, col(Worker.id) == WorkerOffer.worker_id)
            .where(col(WorkerOffer.family_id) == family_id)
            .order_by(
                col(WorkerOffer.offered_on).desc(), col(WorkerOffer.chosen).desc(), col(Worker.name)
            )
        ).all()
    return pd.DataFrame(rows, columns=["offered_on", "worker", "chosen"])
