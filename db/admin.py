"""Managing workers and teams, and reading the audit. Admin only, except where it says so.

Every write is validated (Invalid with a sentence saying what to change), audited with field
names but never values, and done in one transaction. Disabling a worker or resetting their
password ends their sessions on every device.
The command line for a first admin is db.ops.admin.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import and_, or_
from sqlmodel import Session, col, func, select

from db import settings
from db.auth import clean_email, hash_password, one_time_password, password_problem
from db.families import still_working
from db.i18n import LANGUAGES, N_, TERMS
from db.plain_language import never_anywhere, terms_in
from db.rules import audit
from db.rules.access import Actor, family_read, refused, require_role
from db.rules.validation import Conflict, Invalid, checked, save_versioned, storable_problem, text
from db.rules.validation import time_zone as check_time_zone
from db.rules.writes import touch_worker
from db.store.clock import utcnow
from db.store.engine import read_session, write_session
from db.store.ids import stored_id, stored_ids
from db.store.models import (
    AuditEvent,
    Family,
    FamilyStatus,
    RelationshipRole,
    Role,
    Team,
    TeamTerm,
    Worker,
    WorkerRelationship,
    WorkerRole,
    WorkerTeam,
)
from db.store.query import select_columns

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


# --- validation ----------------------------------------------------------------------------


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise Invalid(N_("Please enter the worker's name."))
    if len(name) > 120:
        raise Invalid(N_("Please keep the name under 120 characters."))
    return name


def _clean_username(username: str) -> str:
    username = (username or "").strip().lower()
    if not USERNAME_PATTERN.match(username):
        raise Invalid(
            N_(
                "A username is 2 to 64 lower-case letters or digits (dots, dashes and "
                "underscores are fine too), with no spaces."
            )
        )
    return username


def _clean_email(typed: str | None) -> str | None:
    """A work email for single sign-on, lower-cased; None when left empty."""
    if typed is None or not typed.strip():
        return None
    email = clean_email(typed)
    if email is None:
        raise Invalid(
            N_(
                "Please enter a work email like sam.carter@council.gov.uk (letters, digits, dots "
                "and dashes), or leave it empty."
            )
        )
    return email


def _check_email_free(session: Session, email: str | None, worker_id: int | None = None) -> None:
    if email is None:
        return
    query = select(col(Worker.id)).where(col(Worker.email) == email)
    if worker_id is not None:
        query = query.where(col(Worker.id) != worker_id)
    if session.exec(query).first():
        raise Invalid(N_("The email {email} is already linked to another worker.", email=email))


def _check_login_free(session: Session, username: str, email: str | None) -> None:
    """A new worker's username and work email must not be anyone else's already."""
    if session.exec(select(col(Worker.id)).where(col(Worker.username) == username)).first():
        raise Invalid(
            N_(
                "The username {username} is already taken. Please choose another.",
                username=username,
            )
        )
    _check_email_free(session, email)


def _clean_roles(roles) -> set[Role]:
    try:
        chosen = {Role(role) for role in roles}
    except (ValueError, TypeError):
        raise Invalid(N_("Please choose roles from the list.")) from None
    if Role.family_member in chosen:  # a family login comes only from a worker's invitation
        raise Invalid(N_("Please choose roles from the list."))
    if not chosen:
        raise Invalid(N_("Please give the worker at least one role."))
    return chosen


def _check_teams(session: Session, roles: set[Role], team_ids, led_team_ids) -> tuple[set, set]:
    teams, leads = set(team_ids or ()), set(led_team_ids or ())
    if leads and Role.manager not in roles:
        raise Invalid(
            N_(
                "Only a manager can lead a team: add the manager role or untick the teams "
                "they lead."
            )
        )
    wanted = teams | leads
    if wanted:
        found = set(session.exec(select(col(Team.id)).where(col(Team.id).in_(wanted))).all())
        if found != wanted:
            raise Invalid(
                N_("One of the chosen teams no longer exists. Please reload and choose again.")
            )
    if Role.practitioner in roles and not wanted:
        raise Invalid(N_("A practitioner needs at least one team."))
    return teams | leads, leads


def _set_roles_and_teams(
    session: Session, worker_id: int, roles: set[Role], teams: set[int], leads: set[int]
) -> None:
    for row in session.exec(select(WorkerRole).where(col(WorkerRole.worker_id) == worker_id)).all():
        session.delete(row)
    for link in session.exec(
        select(WorkerTeam).where(col(WorkerTeam.worker_id) == worker_id)
    ).all():
        session.delete(link)
    session.flush()
    for role in sorted(roles):
        session.add(WorkerRole(worker_id=worker_id, role=role))
    for team_id in sorted(teams):
        session.add(WorkerTeam(worker_id=worker_id, team_id=team_id, leads=team_id in leads))


def _worker(session: Session, worker_id: int) -> Worker:
    worker = session.get(Worker, worker_id)
    if worker is None or session.get(WorkerRole, (worker_id, Role.family_member)) is not None:
        raise Invalid(N_("That worker no longer exists. Please reload the page."))
    return worker


def _active_admins(session: Session, *, lock: bool = True) -> set[int]:
    """The active admins, counted after locking their rows: two admins removing each other at
    the same moment would each still see the other as an admin, and leave nobody to add
    workers. The second waits for the first and counts again (each statement reads what is
    committed, on PostgreSQL; SQLite's writes already go one at a time)."""
    admins = (
        select(col(Worker.id))
        .join(WorkerRole, col(WorkerRole.worker_id) == Worker.id)
        .where(col(WorkerRole.role) == Role.admin, col(Worker.is_active))
        .order_by(col(Worker.id))
    )
    if lock:
        session.exec(admins.with_for_update(of=Worker)).all()
    return stored_ids(session.exec(admins).all())


# --- teams -----------------------------------------------------------------------------------


@checked
def add_team(
    actor: Actor, *, name: str, community: str = "", time_zone: str = "Europe/London"
) -> int:
    require_role(actor, Role.admin, what="team")
    name = (name or "").strip()
    if not name:
        raise Invalid(N_("Please enter the team's name."))
    time_zone = check_time_zone(time_zone)
    with write_session() as session:
        if session.exec(
            select(col(Team.id)).where(func.lower(col(Team.name)) == name.lower())
        ).first():
            raise Invalid(
                N_("There is already a team called {name}. Please choose another name.", name=name)
            )
        team = Team(name=name[:120], community=(community or "").strip()[:200], time_zone=time_zone)
        session.add(team)
        session.flush()
        audit.record(
            session,
            actor,
            audit.Action.CREATE,
            record_type="team",
            record_id=team.id,
            fields=["name", "community", "time_zone"],
        )
        return stored_id(team)


# --- workers ---------------------------------------------------------------------------------


SIGNS_IN_WITH_EMAIL = N_("Workers sign in with single sign-on here: please add their work email.")


@checked
def add_worker(
    actor: Actor, *, name: str, username: str, roles, team_ids=(), led_team_ids=(), email: str = ""
) -> tuple[int, str]:
    """Adds a worker with a one-time password they must change at first login.
    Returns the new worker's id and that password (shown once to the admin, never stored).
    The work email, if given, is what single sign-on matches."""
    require_role(actor, Role.admin, what="worker")
    name, username, chosen = _clean_name(name), _clean_username(username), _clean_roles(roles)
    address = _clean_email(email)
    if address is None and settings.GOLDEN_THREAD_LOGIN == "oidc":
        raise Invalid(SIGNS_IN_WITH_EMAIL)
    password = one_time_password()
    with write_session() as session:
        _check_login_free(session, username, address)
        teams, leads = _check_teams(session, chosen, team_ids, led_team_ids)
        worker = Worker(
            name=name,
            username=username,
            email=address,
            password_hash=hash_password(password),
            must_change_password=True,
            sessions_valid_after=utcnow(),
        )
        session.add(worker)
        session.flush()
        _set_roles_and_teams(session, stored_id(worker), chosen, teams, leads)
        touch_worker(session, stored_id(worker), teams)
        audit.worker_change(
            session,
            actor,
            audit.Action.CREATE,
            worker.id,
            ["name", "username", "roles", "teams", "password"] + (["email"] if address else []),
        )
        return stored_id(worker), password


@checked
def update_worker(
    actor: Actor,
    worker_id: int,
    *,
    seen_version: int,
    name: str,
    roles,
    team_ids=(),
    led_team_ids=(),
    email: str | None = None,
) -> None:
    """Changes a worker's name, roles, teams, the teams they lead and (when given; "" clears
    it) their work email; refused with Conflict if another admin saved this worker since the
    form was drawn (a role they removed would otherwise come back)."""
    require_role(actor, Role.admin, what="worker", record_id=worker_id)
    name, chosen = _clean_name(name), _clean_roles(roles)
    address = _clean_email(email)
    with write_session() as session:
        worker = _worker(session, worker_id)
        if email is None:
            address = worker.email
        if address is None and settings.GOLDEN_THREAD_LOGIN == "oidc":
            raise Invalid(SIGNS_IN_WITH_EMAIL)  # without it they could never sign in again
        _check_email_free(session, address, worker_id)
        teams, leads = _check_teams(session, chosen, team_ids, led_team_ids)
        if Role.admin not in chosen and _active_admins(session) == {worker_id}:
            raise Invalid(
                N_(
                    "This is the only active admin: give someone else the admin role "
                    "first, so nobody is locked out."
                )
            )
        old_roles = set(
            session.exec(
                select(col(WorkerRole.role)).where(col(WorkerRole.worker_id) == worker_id)
            ).all()
        )
        old_links = {
            (link.team_id, link.leads)
            for link in session.exec(
                select(WorkerTeam).where(col(WorkerTeam.worker_id) == worker_id)
            ).all()
        }
        changed = []
        if worker.name != name:
            changed.append("name")
        if worker.email != address:
            changed.append("email")
        if old_roles != chosen:
            changed.append("roles")
        if {t for t, _ in old_links} != teams:
            changed.append("teams")
        if {t for t, lead in old_links if lead} != leads:
            changed.append("leads")
        if not changed:
            return
        save_versioned(
            session,
            Worker,
            worker_id,
            seen_version,
            {"name": name, "email": address},
            N_("this worker's details"),
        )
        _set_roles_and_teams(session, worker_id, chosen, teams, leads)
        touch_worker(
            session, worker_id, {t for t, _ in old_links} | teams, name_changed="name" in changed
        )
        audit.worker_change(session, actor, audit.Action.UPDATE, worker_id, changed)


@checked
def set_active(actor: Actor, worker_id: int, active: bool, *, now: datetime | None = None) -> None:
    """Disables or re-enables a worker. Disabling ends their sessions on every device."""
    require_role(actor, Role.admin, what="worker", record_id=worker_id)
    now = now or utcnow()
    with write_session() as session:
        worker = _worker(session, worker_id)
        if worker.is_active == active:
            return
        if not active:
            if worker_id == actor.worker_id:
                raise Invalid(N_("You can't disable your own account. Ask another admin."))
            if _active_admins(session) == {worker_id}:
                raise Invalid(
                    N_(
                        "This is the only active admin: give someone else the admin "
                        "role first, so nobody is locked out."
                    )
                )
            worker.active_until = now.date()
            worker.sessions_valid_after = now
        else:
            worker.active_until = None
        worker.is_active = active
        session.add(worker)
        touch_worker(session, worker_id)
        changed = ["is_active", "active_until"] + ([] if active else ["sessions_valid_after"])
        audit.worker_change(session, actor, audit.Action.UPDATE, worker_id, changed)


@checked
def reset_password(actor: Actor, worker_id: int, *, now: datetime | None = None) -> str:
    """A new one-time password (made with `secrets`) that must be changed at the next login.
    Ends the worker's sessions on every device. Returns the password to hand over once."""
    require_role(actor, Role.admin, what="worker", record_id=worker_id)
    password = one_time_password()
    with write_session() as session:
        worker = _worker(session, worker_id)
        worker.password_hash = hash_password(password)
        worker.must_change_password = True
        worker.sessions_valid_after = now or utcnow()
        session.add(worker)
        changed = ["password", "must_change_password", "sessions_valid_after"]
        audit.worker_change(session, actor, audit.Action.UPDATE, worker_id, changed)
    return password


def worker_details(actor: Actor, worker_id: int) -> dict:
    """One worker's name, roles, teams and led teams, for the edit form."""
    require_role(actor, Role.admin, what="worker", record_id=worker_id)
    with read_session() as session:
        worker = _worker(session, worker_id)
        roles = sorted(
            session.exec(
                select(col(WorkerRole.role)).where(col(WorkerRole.worker_id) == worker_id)
            ).all()
        )
        links = session.exec(select(WorkerTeam).where(col(WorkerTeam.worker_id) == worker_id)).all()
    return {
        "worker_id": worker.id,
        "name": worker.name,
        "username": worker.username,
        "email": worker.email or "",
        "active": worker.is_active,
        "version": worker.version,
        "roles": [Role(r) for r in roles],
        "team_ids": sorted(link.team_id for link in links),
        "led_team_ids": sorted(link.team_id for link in links if link.leads),
    }


HANDOVER_COLUMNS = ["family_id", "council_reference", "team", "role", "since"]
# The worker's part, as the admin reads it about the worker (not the family's "Also working
# with you", which on this list read as though it were about the admin).
HANDOVER_ROLE = {
    RelationshipRole.lead: N_("Main worker"),
    RelationshipRole.supporting: N_("Supporting worker"),
}


def handover(actor: Actor, worker_id: int) -> pd.DataFrame:
    """The families a worker works with now, so they can be handed over when the worker leaves.
    Only what handover needs, by number and council reference: an admin sees no case content,
    not even the name a family chose."""
    require_role(actor, Role.admin, what="worker", record_id=worker_id)
    with read_session() as session:
        rows = session.exec(
            select_columns(
                col(Family.id),
                col(Family.council_reference),
                col(Team.name),
                col(WorkerRelationship.role),
                col(WorkerRelationship.started_on),
            )
            .join(WorkerRelationship, col(WorkerRelationship.family_id) == Family.id)
            .join(Team, col(Team.id) == Family.team_id)
            .where(
                col(WorkerRelationship.worker_id) == worker_id,
                col(Family.erased_at).is_(None),
                still_working(),
            )
            .order_by(col(Team.name), col(Family.id))
        ).all()
    frame = pd.DataFrame(rows, columns=HANDOVER_COLUMNS)
    frame["role"] = frame["role"].map(lambda r: HANDOVER_ROLE[RelationshipRole(r)])
    return frame


# --- the audit -------------------------------------------------------------------------------

AUDIT_COLUMNS = [
    "at",
    "username",
    "roles",
    "action",
    "family_id",
    "record_type",
    "record_id",
    "fields",
]


def workers_and_teams(actor: Actor) -> tuple[pd.DataFrame, pd.DataFrame]:
    """For admins: every worker with roles and teams, and every team with its size. A family
    member's login is not a worker's: their worker looks after it, on the Family page."""
    require_role(actor, Role.admin, what="workers_and_teams")
    with read_session() as session:  # columns, not ORM objects: a council has ~600 workers
        family_logins = select(col(WorkerRole.worker_id)).where(
            col(WorkerRole.role) == Role.family_member
        )
        workers = session.exec(
            select_columns(
                col(Worker.id),
                col(Worker.name),
                col(Worker.username),
                col(Worker.email),
                col(Worker.is_active),
            )
            .where(col(Worker.id).not_in(family_logins))
            .order_by(col(Worker.name))
        ).all()
        roles = session.exec(select(col(WorkerRole.worker_id), col(WorkerRole.role))).all()
        links = session.exec(
            select(col(WorkerTeam.worker_id), col(WorkerTeam.leads), col(Team.name)).join(Team)
        ).all()
        teams = session.exec(
            select_columns(
                col(Team.id),
                col(Team.name),
                col(Team.community),
                col(Team.time_zone),
                func.count(col(Family.id)).filter(col(Family.status) != FamilyStatus.closed),
            )
            .join(
                Family,
                and_(col(Family.team_id) == Team.id, col(Family.erased_at).is_(None)),
                isouter=True,
            )
            .group_by(col(Team.id))
            .order_by(col(Team.name))
        ).all()
    # Keyed by the ids the worker query returns, which SQLModel types as optional.
    roles_of: dict[int | None, list[str]] = {}
    for worker_id, role in roles:
        roles_of.setdefault(worker_id, []).append(Role(role).value)
    teams_of: dict[int | None, list[str]] = {}
    for worker_id, leads, team_name in links:
        teams_of.setdefault(worker_id, []).append(team_name + (" (leads)" if leads else ""))
    worker_frame = pd.DataFrame(
        [
            {
                "worker_id": worker_id,
                "name": name,
                "username": username,
                "email": email or "",
                "roles": ", ".join(sorted(roles_of.get(worker_id, []))),
                "teams": ", ".join(sorted(teams_of.get(worker_id, []))),
                "active": active,
            }
            for worker_id, name, username, email, active in workers
        ],
        columns=["worker_id", "name", "username", "email", "roles", "teams", "active"],
    )
    team_frame = pd.DataFrame(
        teams, columns=["team_id", "team", "community", "time_zone", "open_families"]
    )
    return worker_frame, team_frame


def _led_family_ids(actor: Actor):
    return select(col(Family.id)).where(col(Family.team_id).in_(actor.led_team_ids))


def _leads_family(actor: Actor, family_id: int) -> bool:
    with read_session() as session:
        family = session.get(Family, family_id)
    return family is not None and family.team_id in actor.led_team_ids


def _midnight(day: date) -> datetime:
    """The moment a day starts in the default time zone, in UTC."""
    zone = ZoneInfo(settings.DEFAULT_TIME_ZONE)
    return datetime.combine(day, time(0), zone).astimezone(timezone.utc)


def search_audit(
    actor: Actor,
    *,
    username: str = "",
    family_id: int | None = None,
    start: date | None = None,
    end: date | None = None,
    limit: int = 500,
) -> pd.DataFrame:
    """Audit rows, newest first. An admin searches everything; a manager (not admin) sees only
    what happened to families of the teams they lead, including refused attempts on them. Days
    are the default time zone's, the days the audit screen shows its times in."""
    require_role(actor, Role.admin, Role.manager, what="audit")
    nothing = pd.DataFrame(columns=AUDIT_COLUMNS)
    query = select(AuditEvent)
    if not actor.has(Role.admin):
        if family_id is not None and not _leads_family(actor, family_id):
            raise refused(actor, what="audit", record_id=family_id)
        led = _led_family_ids(actor)
        query = query.where(
            or_(
                col(AuditEvent.family_id).in_(led),
                and_(
                    col(AuditEvent.action) == audit.Action.REFUSED,
                    col(AuditEvent.record_type) == "family",
                    col(AuditEvent.record_id).in_(led),
                ),
            )
        )
    if username.strip():
        if storable_problem(username) is not None:  # no username holds a NUL or half an emoji
            return nothing
        query = query.where(col(AuditEvent.username) == username.strip().lower())
    if family_id is not None:
        query = query.where(
            or_(
                col(AuditEvent.family_id) == family_id,
                and_(
                    col(AuditEvent.family_id).is_(None),
                    col(AuditEvent.record_type) == "family",
                    col(AuditEvent.record_id) == family_id,
                ),
            )
        )
    if start is not None:
        query = query.where(col(AuditEvent.at) >= _midnight(start))
    if end is not None:
        query = query.where(col(AuditEvent.at) < _midnight(end + timedelta(days=1)))
    with read_session() as session:
        rows = session.exec(
            query.order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc()).limit(limit)
        ).all()
    return pd.DataFrame(
        [{column: getattr(row, column) for column in AUDIT_COLUMNS} for row in rows],
        columns=AUDIT_COLUMNS,
    )


def family_viewers(actor: Actor, family_id: int, *, limit: int = 200) -> pd.DataFrame | None:
    """Who opened this family's record and when, for a manager who leads the family's team.
    None for the team's practitioners (nothing to show); refused for anyone else."""
    with family_read(actor, family_id) as (session, family):
        if not actor.has(Role.manager) or family.team_id not in actor.led_team_ids:
            return None
        rows = session.exec(
            select(
                col(AuditEvent.at),
                col(Worker.name),
                col(AuditEvent.username),
                col(AuditEvent.roles),
            )
            .join(Worker, col(Worker.id) == AuditEvent.worker_id, isouter=True)
            .where(
                col(AuditEvent.family_id) == family_id, col(AuditEvent.action) == audit.Action.VIEW
            )
            .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
            .limit(limit)
        ).all()
    return pd.DataFrame(
        [
            {"when": at, "who": name or username, "roles": roles}
            for at, name, username, roles in rows
        ],
        columns=["when", "who", "roles"],
    )


# --- the first admin -------------------------------------------------------------------------


@checked
def create_admin(
    *, name: str, username: str, password: str, another: bool = False, email: str = ""
) -> int:
    """The first admin of a real database (or, with another=True, one more). With single
    sign-on only, the work email is how they sign in."""
    name, username, address = _clean_name(name), _clean_username(username), _clean_email(email)
    problem = password_problem(password)
    if problem:
        raise Invalid(problem)
    with write_session() as session:
        if not another and session.exec(select(col(Worker.id))).first() is not None:
            raise Invalid(
                N_(
                    "This database already has workers, so no admin was created. Ask an "
                    "admin to add you, or run again with --another to add one more admin."
                )
            )
        _check_login_free(session, username, address)
        worker = Worker(
            name=name,
            username=username,
            email=address,
            password_hash=hash_password(password),
            sessions_valid_after=utcnow(),
        )
        session.add(worker)
        session.flush()
        session.add(WorkerRole(worker_id=stored_id(worker), role=Role.admin))
        audit.worker_change(
            session,
            None,
            audit.Action.CREATE,
            worker.id,
            ["name", "username", "roles", "password"] + (["email"] if address else []),
            username="create-admin",
        )
        return stored_id(worker)


# --- a team's own words ----------------------------------------------------------------------


def team_terms(actor: Actor, team_id: int) -> pd.DataFrame:
    """The words a team has chosen (term, language, words, version), for the admin's form."""
    require_role(actor, Role.admin, what="team_terms", record_id=team_id)
    with read_session() as session:
        rows = session.exec(
            select(TeamTerm).where(col(TeamTerm.team_id) == team_id).order_by(col(TeamTerm.id))
        ).all()
    return pd.DataFrame(
        [
            {"term": r.term, "language": r.language, "words": r.words, "version": r.version}
            for r in rows
        ],
        columns=["term", "language", "words", "version"],
    )


@checked
def set_team_term(
    actor: Actor, *, team_id: int, term: str, language: str, words: str, seen_version: int
) -> None:
    """A team's own word for one of the terms (TERMS) in one language; blank words go back to
    ours. Refused with Conflict if someone else saved it since the form was drawn
    (seen_version 0: there was none yet). A word never used anywhere (plain_language.csv) is
    not accepted: a team's own word is still a family's word."""
    require_role(actor, Role.admin, what="team_term", record_id=team_id)
    if term not in TERMS:
        raise Invalid(N_("Please choose one of the words a team can change."))
    if language not in LANGUAGES:
        raise Invalid(N_("Please choose one of the languages Golden Thread speaks."))
    chosen = text(words, N_("the team's word"), required=False, limit=60)
    if jargon := [t for t in terms_in(chosen) if t in never_anywhere()]:
        raise Invalid(
            N_("“{word}” isn't a word a family should read: please choose another.", word=jargon[0])
        )
    what = N_("the team's word")
    with write_session() as session:
        if session.get(Team, team_id) is None:
            raise refused(actor, what="team_term", record_id=team_id)
        row = session.exec(
            select(TeamTerm).where(
                col(TeamTerm.team_id) == team_id,
                col(TeamTerm.term) == term,
                col(TeamTerm.language) == language,
            )
        ).first()
        if row is None:
            if seen_version != 0:
                raise Conflict(what)
            if not chosen:
                return
            new = TeamTerm(team_id=team_id, term=term, language=language, words=chosen)
            session.add(new)
            session.flush()
            record_id, action = stored_id(new), audit.Action.CREATE
        elif not chosen:
            record_id, action = stored_id(row), audit.Action.UPDATE
            if row.version != seen_version:
                raise Conflict(what)
            session.delete(row)
        else:
            record_id, action = stored_id(row), audit.Action.UPDATE
            save_versioned(session, TeamTerm, record_id, seen_version, {"words": chosen}, what)
        audit.record(
            session, actor, action, record_type="team_term", record_id=record_id, fields=["words"]
        )
