"""Right of access (a copy of everything held, asked for by an admin and approved by a second
person), erasure in place, and the retention report."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import func, select

from db import admin, auth
from db import subject_access as sar
from db.family_space import accept_invitation, invite_family_member
from db.rules.access import NotAllowed, load_actor
from db.rules.audit import Action
from db.rules.validation import Invalid
from db.store.clock import utcnow
from db.store.engine import read_session, write_session
from db.store.models import (
    AuditEvent,
    Family,
    FamilyInvitation,
    FamilyStatus,
    FamilyStatusChange,
    Goal,
    GoalScore,
    KeepingSafe,
    LoginAttempt,
    LoginOutcome,
    LoginSession,
    Meeting,
    Person,
    RecordsRequest,
    RecordsRequestStatus,
    Relationship,
    Role,
    Worker,
)
from tests import audit
from tests import factories as make

FAMILY_TABLES_EXPECTED = {
    "family",
    "person",
    "meeting",
    "meetingperson",
    "goal",
    "goalscore",
    "scoreround",
    "planstep",
    "note",
    "conversation",
    "conversationitem",
    "childview",
    "agreement",
    "keepingsafe",
    "workerrelationship",
    "familystatuschange",
    "practicalhelp",
    "recordsrequest",
}


def _actor(username: str):
    from db.rules.access import load_actor

    with read_session() as session:
        return load_actor(session, username)


def _rich_family() -> int:
    """The demo family with the most goal scores (so every kind of row is there)."""
    with read_session() as session:
        return session.exec(
            select(Goal.family_id)
            .join(GoalScore, GoalScore.goal_id == Goal.id)
            .join(Family, Family.id == Goal.family_id)
            .where(Family.team_id == 1)
            .group_by(Goal.family_id)
            .order_by(func.count(GoalScore.id).desc())
        ).first()


def _texts(document: dict) -> set[str]:
    found = set()
    for rows in document["records"].values():
        for row in rows:
            for key, value in row.items():
                if (
                    isinstance(value, str)
                    and len(value.strip()) > 3
                    and not value[:4].isdigit()
                    and key not in {"token", "time_zone"}
                    and not key.endswith(
                        (
                            "_on",
                            "_at",
                            "status",
                            "kind",
                            "role",
                            "column",
                            "visibility",
                            "relationship",
                            "rhythm",
                            "reason",
                        )
                    )
                ):
                    found.add(value)
    return found


def _copy_of(family_id: int, asked_by_whom: str = "Mum, by letter") -> dict:
    """A copy made the only way there is: an admin records the request, a manager who leads
    the family's team approves it, and the admin prepares it."""
    request_id = sar.ask_for_copy(
        _actor("admin"), family_id, asked_by_whom=asked_by_whom, asked_on=date.today()
    )
    sar.approve_request(_actor("manager"), request_id)
    return json.loads(sar.prepare_copy(_actor("admin"), request_id))


@pytest.fixture
def office(empty_db):
    """Team A with a family, its manager; Team B's manager; two admins, one of whom also
    leads Team A."""
    a, b = make.team("Team A"), make.team("Team B")
    return {
        "family": make.family(a, "The Ash family"),
        "admin": make.worker("boss", Role.admin),
        "admin_and_manager": make.worker("both", Role.admin, Role.manager, leads=(a,)),
        "manager_a": make.worker("mgr_a", Role.manager, leads=(a,)),
        "manager_b": make.worker("mgr_b", Role.manager, leads=(b,)),
        "practitioner_a": make.worker("prac_a", Role.practitioner, teams=(a,)),
    }


def _ask(office, by: str = "admin") -> int:
    return sar.ask_for_copy(
        office[by], office["family"], asked_by_whom="Dad, in person", asked_on=date.today()
    )


def test_an_admin_alone_cannot_get_the_copy(office):
    request_id = _ask(office)
    with pytest.raises(NotAllowed):
        sar.prepare_copy(office["admin"], request_id)
    refused = audit.audited(Action.REFUSED)
    assert [(r.username, r.record_type, r.record_id, r.family_id) for r in refused] == [
        ("boss", "records_request", request_id, office["family"])
    ]
    assert not audit.audited(Action.EXPORT)


def test_only_admins_record_a_request(office):
    for who in ("manager_a", "practitioner_a"):
        with pytest.raises(NotAllowed):
            _ask(office, by=who)
    assert not audit.audited(Action.REQUEST)


def test_a_manager_of_another_team_cannot_approve_or_prepare(office):
    request_id = _ask(office)
    with pytest.raises(NotAllowed):
        sar.approve_request(office["manager_b"], request_id)
    with pytest.raises(NotAllowed):
        sar.refuse_request(office["manager_b"], request_id, because="Not my team")
    sar.approve_request(office["manager_a"], request_id)
    with pytest.raises(NotAllowed):
        sar.prepare_copy(office["manager_b"], request_id)
    assert len(audit.audited(Action.REFUSED)) == 3
    assert sar.requests_for_managers(office["manager_b"]).empty


def test_the_asker_cannot_approve_their_own_request(office):
    request_id = _ask(office, by="admin_and_manager")
    with pytest.raises(NotAllowed):
        sar.approve_request(office["admin_and_manager"], request_id)
    with pytest.raises(NotAllowed):
        sar.prepare_copy(office["admin_and_manager"], request_id)
    waiting = sar.requests_for_managers(office["admin_and_manager"])
    assert list(waiting["may_decide"]) == [False]
    assert list(sar.requests_for_managers(office["manager_a"])["may_decide"]) == [True]
    with read_session() as session:  # and the database itself holds to it
        request = session.get(RecordsRequest, request_id)
        request.status, request.decided_by = "approved", request.recorded_by
        session.add(request)
        with pytest.raises(IntegrityError):
            session.commit()


def test_every_step_is_audited_with_names_and_ids_only(office):
    request_id = _ask(office)
    sar.approve_request(office["manager_a"], request_id)
    copy = json.loads(sar.prepare_copy(office["admin"], request_id))
    assert copy["family_id"] == office["family"]
    steps = audit.audited(Action.REQUEST, Action.APPROVE, Action.EXPORT)
    assert [(r.action, r.username, r.record_id, r.family_id) for r in steps] == [
        (Action.REQUEST, "boss", request_id, office["family"]),
        (Action.APPROVE, "mgr_a", request_id, office["family"]),
        (Action.EXPORT, "boss", request_id, office["family"]),
    ]
    assert all("Dad" not in r.fields for r in steps)
    with read_session() as session:
        request = session.get(RecordsRequest, request_id)
    assert request.status == RecordsRequestStatus.prepared
    assert (request.decided_by, request.prepared_by) == (
        office["manager_a"].worker_id,
        office["admin"].worker_id,
    )
    with pytest.raises(Invalid, match="already been prepared"):
        sar.prepare_copy(office["admin"], request_id)


def test_a_refused_request_gives_no_copy_and_says_why(office):
    request_id = _ask(office)
    with pytest.raises(Invalid, match="why it is turned down"):
        sar.refuse_request(office["manager_a"], request_id, because="  ")
    sar.refuse_request(office["manager_a"], request_id, because="We asked for ID first")
    with pytest.raises(Invalid, match="already decided"):
        sar.approve_request(office["manager_a"], request_id)
    with pytest.raises(NotAllowed):
        sar.prepare_copy(office["admin"], request_id)
    [turned_down] = audit.audited(Action.TURN_DOWN)
    assert turned_down.username == "mgr_a" and "ID first" not in turned_down.fields
    shown = sar.requests_for_admins(office["admin"])
    assert list(shown["status"]) == [RecordsRequestStatus.refused]
    assert list(shown["refused_because"]) == ["We asked for ID first"]
    assert sar.requests_for_managers(office["manager_a"]).empty  # decided: off their list
    _ask(office)  # a new request can follow a decided one


def test_a_request_needs_who_asked_a_sane_date_and_only_one_waits(office):
    admin, family = office["admin"], office["family"]
    with pytest.raises(Invalid, match="who asked"):
        sar.ask_for_copy(admin, family, asked_by_whom=" ", asked_on=date.today())
    with pytest.raises(Invalid, match="future"):
        sar.ask_for_copy(
            admin, family, asked_by_whom="Mum", asked_on=date.today() + timedelta(days=3)
        )
    with pytest.raises(Invalid, match="no family"):
        sar.ask_for_copy(admin, 10**6, asked_by_whom="Mum", asked_on=date.today())
    request_id = _ask(office)
    with pytest.raises(Invalid, match=f"number {request_id}"):
        _ask(office)
    assert len(audit.audited(Action.REQUEST)) == 1


def test_the_admins_list_names_no_family(office):
    _ask(office)
    shown = sar.requests_for_admins(office["admin"])
    assert "The Ash family" not in shown.to_string()
    assert list(shown["family_id"]) == [office["family"]]
    assert list(sar.requests_for_managers(office["manager_a"])["family"]) == ["The Ash family"]
    with pytest.raises(NotAllowed):
        sar.requests_for_admins(office["manager_a"])


def test_the_approved_copy_holds_everything_keyed_by_the_family(demo_db):
    family_id = _rich_family()
    document = _copy_of(family_id)
    assert document["family_id"] == family_id
    assert FAMILY_TABLES_EXPECTED <= set(document["records"])
    with read_session() as session:
        people = session.exec(select(Person).where(Person.family_id == family_id)).all()
        meetings = session.exec(
            select(func.count(Meeting.id)).where(Meeting.family_id == family_id)
        ).one()
        keeping_safe = session.exec(
            select(KeepingSafe).where(KeepingSafe.family_id == family_id)
        ).one()
    assert {p.name for p in people} == {row["name"] for row in document["records"]["person"]}
    assert len(document["records"]) >= len(FAMILY_TABLES_EXPECTED)
    assert len(document["records"]["meeting"]) == meetings
    assert document["records"]["goalscore"], "scores are part of the copy"
    assert document["records"]["keepingsafe"][0]["safe_phone"] == keeping_safe.safe_phone
    assert [r["status"] for r in document["records"]["recordsrequest"]] == ["approved"]
    assert "Priya Sharma" in document["workers"].values()  # who decided, by name
    assert all("password_hash" not in row for rows in document["records"].values() for row in rows)
    other_families = {
        row["family_id"]
        for rows in document["records"].values()
        for row in rows
        if "family_id" in row
    }
    assert other_families == {family_id}
    [row] = audit.audited(Action.EXPORT)
    assert (row.username, row.family_id, row.record_type) == ("admin", family_id, "records_request")
    assert all(p.name not in row.fields for p in people)


def test_erasure_anonymises_in_place_and_leaves_nothing_behind(demo_db):
    admin, family_id = _actor("admin"), _rich_family()
    before = _copy_of(family_id)
    words = _texts(before)
    known_as = before["records"]["family"][0]["known_as"]
    counts = {table: len(rows) for table, rows in before["records"].items()}
    with pytest.raises(Invalid, match="reason"):
        sar.erase_family(admin, family_id, reason=" ", confirm_known_as=known_as)
    with pytest.raises(Invalid, match="doesn't match"):
        sar.erase_family(
            admin,
            family_id,
            reason="The family asked us to erase it",
            confirm_known_as="someone else",
        )
    changed = sar.erase_family(
        admin, family_id, reason="The family asked us to erase it", confirm_known_as=known_as
    )
    assert "person.name" in changed and "meeting.summary" in changed
    after = _copy_of(family_id, asked_by_whom="A solicitor, by email")
    # Nothing hard-deleted: the same rows (plus the note giving the reason, and the request).
    assert {t: len(r) for t, r in after["records"].items()} == {
        **counts,
        "note": counts["note"] + 1,
        "recordsrequest": counts["recordsrequest"] + 1,
    }
    leftover = _texts(after) & words
    assert leftover == set(), leftover
    assert after["records"]["family"][0]["erased_at"]
    assert all(p["birth_year"] is None for p in after["records"]["person"])
    with read_session() as session:
        audit_text = " ".join(
            f"{r.username} {r.roles} {r.record_type} {r.fields}"
            for r in session.exec(select(AuditEvent)).all()
        )
        erased = session.exec(select(AuditEvent).where(AuditEvent.action == Action.ERASE)).one()
    assert erased.family_id == family_id and erased.username == "admin"
    assert known_as not in audit_text and not any(w in audit_text for w in words if len(w) > 6)
    with pytest.raises(Invalid, match="already been erased"):
        sar.erase_family(admin, family_id, reason="Again, by mistake", confirm_known_as="x")


def test_only_an_admin_erases(demo_db):
    with pytest.raises(NotAllowed):
        sar.erase_family(
            _actor("manager"), _rich_family(), reason="Because I said so", confirm_known_as="x"
        )


def test_retention_report_lists_closed_families_past_the_setting(empty_db):
    team = make.team()
    boss = make.worker("boss", Role.admin)
    old = make.family(
        team, "The Old family", first_came_on=date(2010, 1, 1), status=FamilyStatus.closed
    )
    recent = make.family(
        team, "The New family", first_came_on=date(2010, 1, 1), status=FamilyStatus.closed
    )
    make.family(team, "The Open family", first_came_on=date(2010, 1, 1))
    today = date(2026, 6, 1)
    with write_session() as session:
        session.add(
            FamilyStatusChange(
                family_id=recent, status=FamilyStatus.closed, changed_on=today - timedelta(days=365)
            )
        )
    report = sar.retention_report(boss, today=today, years=6)
    assert list(report["family_id"]) == [old]
    assert "The Old family" not in report.to_string()
    with pytest.raises(NotAllowed):
        sar.retention_report(make.worker("mgr", Role.manager, leads=(team,)))
    with read_session() as session:  # a report, never a deletion
        assert session.exec(select(func.count(Family.id))).one() == 3


def test_find_family_is_for_admins_and_audited(demo_db):
    admin = _actor("admin")
    family_id = _rich_family()
    found = sar.find_family(admin, family_id=family_id)
    assert found["family_id"] == family_id
    with read_session() as session:
        known_as = session.get(Family, family_id).known_as
    assert known_as not in str(found)  # an admin sees numbers and references, not names
    assert sar.find_family(admin, family_id=10**8) is None
    with pytest.raises(NotAllowed):
        sar.find_family(_actor("manager"), family_id=family_id)


def _erase(office, family_id: int, known_as: str) -> None:
    sar.erase_family(
        office["admin"],
        family_id,
        reason="The family asked us to erase it",
        confirm_known_as=known_as,
    )


def test_names_typed_to_confirm_an_erasure_are_audited_and_only_three_a_day_miss(office):
    """Admins never see a family's name: the confirm box must not check guesses against a
    family number. A wrong name is audited where the family's manager sees it; after three in
    a day, even the right one waits a day."""
    ash = office["family"]
    for guess in ("The Oak family", "The Elm family", "The Birch family"):
        with pytest.raises(Invalid, match="doesn't match"):
            _erase(office, ash, guess)
    with pytest.raises(Invalid, match="paused for a day"):
        _erase(office, ash, "The Ash family")
    misses = admin.search_audit(office["manager_a"], family_id=ash)
    assert (misses["action"] == Action.REFUSED).sum() == 3
    assert set(misses["username"]) == {"boss"}
    with read_session() as session:
        assert session.get_one(Family, ash).erased_at is None
    tomorrow = utcnow() + timedelta(days=1, minutes=1)
    sar.erase_family(
        office["admin"],
        ash,
        reason="The family asked us to erase it",
        confirm_known_as="the ash family ",
        now=tomorrow,
    )
    with read_session() as session:
        assert session.get_one(Family, ash).erased_at is not None


def test_erasure_keeps_invitation_codes_apart_and_ends_open_invitations(office):
    """An invitation's code hash is a key, not words: two invitations (or two erased families'
    invitations) can't all become "[erased]" (the hash is unique). An open invitation of an
    erased family can never be taken up."""
    ash = office["family"]
    with read_session() as session:
        birch = make.family(session.get(Family, ash).team_id, "The Birch family")
    invited = []
    for family_id, names in ((ash, ("Sarah", "Tom")), (birch, ("Sam",))):
        for name in names:
            person = make.person(family_id, name, Relationship.parent)
            invited.append(
                invite_family_member(
                    office["practitioner_a"], family_id=family_id, person_id=person
                )
            )
    _erase(office, ash, "The Ash family")
    _erase(office, birch, "The Birch family")
    with read_session() as session:
        invitations = session.exec(select(FamilyInvitation)).all()
    assert len({i.code_hash for i in invitations}) == 3
    assert all(i.withdrawn_at is not None for i in invitations)
    with pytest.raises(Invalid):
        accept_invitation(invited[0], username="sarah.a", password="a long enough password 123")


def test_erasure_ends_a_family_members_login_and_takes_their_name_off_it(office):
    ash = office["family"]
    mum = make.person(ash, "Sarah Realname", Relationship.parent)
    code = invite_family_member(office["practitioner_a"], family_id=ash, person_id=mum)
    accept_invitation(code, username="sarah.r", password="a long enough password 123")
    with write_session() as session:
        login = session.exec(select(Worker).where(Worker.username == "sarah.r")).one()
        login.email = "sarah@example.org"
        session.add(login)
    with read_session() as session:
        sarah = load_actor(session, "sarah.r")
    session_id, _started = auth.start_session(sarah)

    _erase(office, ash, "The Ash family")
    with read_session() as session:
        account = session.get(Worker, sarah.worker_id)
        ended = session.get(LoginSession, session_id).ended_at
    assert (account.name, account.username, account.email, account.is_active) == (
        "Erased",
        f"erased-{sarah.worker_id}",
        None,
        False,
    )
    assert ended is not None
    assert auth.check_login("sarah.r", "a long enough password 123").actor is None
    copy = _copy_of_erased(office)
    assert "Sarah Realname" not in json.dumps(copy)
    assert "sarah" not in json.dumps(copy["workers"]).lower()


def test_the_username_a_family_member_chose_is_in_no_audit_row_and_gone_after_erasure(office):
    """Families choose their usernames, often their own names. The audit can't be changed
    (append-only), so it names their login by its mark; a login attempt written before that
    takes the erased name."""
    ash = office["family"]
    mum = make.person(ash, "Sarah Realname", Relationship.parent)
    code = invite_family_member(office["practitioner_a"], family_id=ash, person_id=mum)
    accept_invitation(code, username="sarah.realname", password="a long enough password 123")
    assert auth.check_login("sarah.realname", "not her password").actor is None
    logged_in = auth.check_login("sarah.realname", "a long enough password 123")
    sarah = logged_in.actor
    assert sarah is not None
    auth.end_session(logged_in.session_id, username="sarah.realname", because=auth.AWAY_TOO_LONG)
    with write_session() as session:  # as an attempt written before the mark was
        session.add(
            LoginAttempt(
                username="sarah.realname", source="", at=utcnow(), outcome=LoginOutcome.failed
            )
        )

    def named(username: str) -> tuple[set[str], int]:
        with read_session() as session:
            actions = session.exec(
                select(AuditEvent.action).where(AuditEvent.username == username)
            ).all()
            attempts = session.exec(
                select(func.count()).where(LoginAttempt.username == username)
            ).one()
        return set(actions), attempts

    mark = f"family-login-{sarah.worker_id}"
    assert named("sarah.realname") == (set(), 1)
    assert named(mark) == (
        {Action.CREATE, Action.LOGIN, Action.LOGIN_FAILED, Action.SESSION_ENDED},
        2,
    )
    _erase(office, ash, "The Ash family")
    assert named("sarah.realname") == (set(), 0)
    assert named(f"erased-{sarah.worker_id}")[1] == 1


def _copy_of_erased(office) -> dict:
    request_id = sar.ask_for_copy(
        office["admin"], office["family"], asked_by_whom="A solicitor", asked_on=date.today()
    )
    sar.approve_request(office["manager_a"], request_id)
    return json.loads(sar.prepare_copy(office["admin"], request_id))


def test_a_family_closed_reopened_and_closed_on_one_day_is_listed_once(empty_db):
    team = make.team()
    boss = make.worker("boss", Role.admin)
    family = make.family(
        team, "The Old family", first_came_on=date(2015, 1, 1), status=FamilyStatus.closed
    )
    day = date(2015, 3, 1)
    with write_session() as session:
        for status in (FamilyStatus.closed, FamilyStatus.working_together, FamilyStatus.closed):
            session.add(FamilyStatusChange(family_id=family, status=status, changed_on=day))
    report = sar.retention_report(boss, today=date(2026, 6, 1), years=6)
    assert list(report["family_id"]) == [family]


def test_retention_counts_the_years_on_each_teams_own_day(empty_db, monkeypatch):
    from datetime import datetime, timezone

    from db.store import clock

    west = make.team("West", time_zone="America/Los_Angeles")
    london = make.team("London")
    boss = make.worker("boss", Role.admin)
    closed = {}
    for team in (west, london):
        closed[team] = make.family(
            team, f"Family {team}", first_came_on=date(2019, 1, 1), status=FamilyStatus.closed
        )
        with write_session() as session:
            session.add(
                FamilyStatusChange(
                    family_id=closed[team], status=FamilyStatus.closed, changed_on=date(2020, 6, 1)
                )
            )
    # 04:00 on 2 June 2026 in London, still 20:00 on 1 June in Los Angeles: for the London
    # team the closure is more than six years old, for the West team exactly six, not more.
    monkeypatch.setattr(clock, "utcnow", lambda: datetime(2026, 6, 2, 3, 0, tzinfo=timezone.utc))
    report = sar.retention_report(boss, years=6)
    assert list(report["family_id"]) == [closed[london]]
