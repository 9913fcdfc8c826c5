"""Who may see what. Every query and action asks here first, outside any cache.

Practitioners see their teams' families; managers the teams they lead; admins manage workers,
teams and the audit, and see no case content unless they are also a manager or practitioner.
A family member (role family_member) is bound to one family and one person: they have no
teams, so every staff rule refuses them, and they reach only their own family's space through
`require_own_family`.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

from sqlalchemy.engine import Connection
from sqlmodel import Session, col, select

from db.i18n import N_
from db.store.ids import stored_id
from db.store.models import Family, FamilyLogin, Person, Role, Worker, WorkerRole, WorkerTeam


class NotAllowed(PermissionError):
    """Shown to people as a polite 'not available to you', never with the data.

    Made only by `refused()`, so every refusal names who was refused what, and is audited
    exactly once."""

    def __init__(
        self,
        actor: "Actor",
        *,
        what: str,
        record_id: int | None = None,
        family_id: int | None = None,
    ) -> None:
        super().__init__(N_("This isn't available to you."))
        self.actor = actor
        self.what = what
        self.record_id = record_id
        self.family_id = family_id
        self.audited = False


@dataclass(frozen=True)
class Actor:
    """The worker acting now, with what they may do."""

    worker_id: int
    username: str
    name: str
    roles: frozenset[Role]
    team_ids: frozenset[int]
    led_team_ids: frozenset[int]
    must_change_password: bool = False
    language: str = "en"  # what the worker's own screens speak
    # A family member's login: the one family and the one person it is bound to.
    family_id: int | None = None
    person_id: int | None = None
    young_person: bool = False

    @property
    def is_family_member(self) -> bool:
        return self.has(Role.family_member) and self.family_id is not None

    def has(self, role: Role) -> bool:
        return role in self.roles

    @property
    def case_team_ids(self) -> frozenset[int]:
        """Teams whose families' records this worker may open."""
        teams: set[int] = set()
        if self.has(Role.family_member):
            return frozenset()  # a family member never opens a staff record
        if self.has(Role.practitioner):
            teams |= self.team_ids
        if self.has(Role.manager):
            teams |= self.led_team_ids
        return frozenset(teams)

    @property
    def roles_text(self) -> str:
        return ",".join(sorted(self.roles))


def load_actor(session: Session, username: str) -> Actor | None:
    """The active worker with this username, or None."""
    worker = session.exec(select(Worker).where(col(Worker.username) == username)).first()
    if worker is None or not worker.is_active:
        return None
    roles = frozenset(
        session.exec(select(col(WorkerRole.role)).where(col(WorkerRole.worker_id) == worker.id))
    )
    if Role.family_member in roles:
        login = session.get(FamilyLogin, worker.id)
        if login is None or login.paused or login.ended_at is not None:
            return None
        return Actor(
            worker_id=stored_id(worker),
            username=worker.username,
            name=worker.name,
            roles=frozenset({Role.family_member}),
            team_ids=frozenset(),
            led_team_ids=frozenset(),
            must_change_password=worker.must_change_password,
            family_id=login.family_id,
            person_id=login.person_id,
            young_person=login.young_person,
        )
    links = session.exec(select(WorkerTeam).where(col(WorkerTeam.worker_id) == worker.id)).all()
    return Actor(
        worker_id=stored_id(worker),
        username=worker.username,
        name=worker.name,
        roles=roles,
        team_ids=frozenset(link.team_id for link in links),
        led_team_ids=frozenset(link.team_id for link in links if link.leads),
        must_change_password=worker.must_change_password,
        language=worker.language,
    )


def refused(
    actor: Actor, *, what: str, record_id: int | None = None, family_id: int | None = None
) -> NotAllowed:
    """The one way to refuse: returns the error to raise, audited exactly once.

    Raised inside a database session, the session audits it once its own transaction has
    ended (a second writer inside it would wait on its own lock on SQLite); raised outside
    any session, it is audited here and now. `family_id` names the family the record belongs
    to, when that is known and the refusal may be shown to the managers who lead its team."""
    from db.store import engine

    refusal = NotAllowed(actor, what=what, record_id=record_id, family_id=family_id)
    if not engine.in_session():
        engine.audit_refusal(refusal)
    return refusal


def require_role(actor: Actor, *roles: Role, what: str, record_id: int | None = None) -> None:
    """Refuses `what` unless the worker holds one of the roles (a family member holds none
    of the staff roles, whatever is asked)."""
    if actor.has(Role.family_member) or not any(actor.has(role) for role in roles):
        raise refused(actor, what=what, record_id=record_id)


def require_case_team(actor: Actor, team_id: int, *, what: str) -> None:
    """Refuses `what` of the team unless the worker may open its families' records."""
    if team_id not in actor.case_team_ids:
        raise refused(actor, what=what, record_id=team_id)


def require_led_team(actor: Actor, team_id: int, *, what: str) -> None:
    """Refuses `what` of the team unless the worker is a manager who leads it."""
    if (
        not actor.has(Role.manager)
        or team_id not in actor.led_team_ids
        or actor.has(Role.family_member)
    ):
        raise refused(actor, what=what, record_id=team_id)


def may_decide_records_request(actor: Actor, *, team_id: int, asked_by: int) -> bool:
    """A request for a copy of a family's records is decided by a second person: a manager who
    leads the family's team (who already sees its record), never whoever recorded it."""
    return (
        actor.has(Role.manager)
        and not actor.has(Role.family_member)
        and team_id in actor.led_team_ids
        and actor.worker_id != asked_by
    )


def may_prepare_records_copy(actor: Actor, *, team_id: int) -> bool:
    """Once a request is approved, its copy is prepared by a manager who leads the family's
    team or by an admin (who answers the family); before approval, by nobody."""
    if actor.has(Role.family_member):
        return False
    return actor.has(Role.admin) or (actor.has(Role.manager) and team_id in actor.led_team_ids)


def may_import_into(actor: Actor, team_id: int) -> bool:
    """Records are brought into a team by a manager who leads it, or by an admin (who sets
    up teams and moves a council's records over, and sees only counts, never names)."""
    return actor.has(Role.admin) or (actor.has(Role.manager) and team_id in actor.led_team_ids)


def require_import_team(actor: Actor, team_id: int) -> None:
    """Refuses bringing records into the team unless `may_import_into` allows it."""
    if not may_import_into(actor, team_id):
        raise refused(actor, what="import", record_id=team_id)


def _writing(session: Session) -> bool:
    """Inside a write transaction the family row is locked (FOR UPDATE on PostgreSQL), so
    check-then-write rules such as 'one main worker' hold under concurrent saves; SQLite's
    BEGIN IMMEDIATE already serialises writers."""
    bind = session.get_bind()
    return bool(getattr(bind, "info", {}).get("write")) if isinstance(bind, Connection) else False


def require_family(session: Session, actor: Actor, family_id: int) -> Family:
    """The family, if this worker may open its record; NotAllowed otherwise (also if missing,
    so nobody can probe which ids exist)."""
    family = session.get(Family, family_id, with_for_update=_writing(session))
    if family is None or family.team_id not in actor.case_team_ids:
        raise refused(actor, what="family", record_id=family_id)
    return family


@contextmanager
def family_read(actor: Actor, family_id: int) -> Iterator[tuple[Session, Family]]:
    """How every read about one family opens: a session, and the family only if this worker
    may open its record (refused and audited otherwise, like every refusal)."""
    from db.store.engine import read_session

    with read_session() as session:
        yield session, require_family(session, actor, family_id)


def require_own_family(session: Session, actor: Actor, *, what: str) -> Family:
    """The family of a family member's login, read fresh: refused to anyone who is not a family
    member, and to a login paused or ended since the actor was loaded."""
    if not actor.is_family_member or actor.person_id is None:
        raise refused(actor, what=what)
    login = session.get(FamilyLogin, actor.worker_id)
    family = session.get(Family, actor.family_id, with_for_update=_writing(session))
    person = session.get(Person, actor.person_id)
    if (
        login is None
        or login.paused
        or login.ended_at is not None
        or login.family_id != actor.family_id
        or login.person_id != actor.person_id
        or family is None
        or family.erased_at is not None
        or person is None
        or person.must_not_see_plan
        or person.must_not_invite
    ):
        raise refused(actor, what=what, family_id=actor.family_id)
    return family
