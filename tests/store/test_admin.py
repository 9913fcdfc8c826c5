"""Admin writes (validated, audited, one transaction), the audit search, the append-only audit
on PostgreSQL, the first admin of a real database, and demo users only in a demo database."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import func, select

from db import admin, auth, families
from db.ops import admin as admin_cli
from db.rules.access import NotAllowed
from db.rules.audit import Action
from db.rules.validation import Invalid
from db.store.clock import today_in
from db.store.engine import read_session, write_session
from db.store.models import AuditEvent, DemoInfo, Role, Worker
from tests import factories as make

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def office(empty_db):
    a, b = make.team("Team A"), make.team("Team B")
    boss = make.worker("boss", Role.admin)
    return boss, a, b


def _audit_rows() -> list[AuditEvent]:
    with read_session() as session:
        return session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()


def test_adding_a_worker_gives_a_one_time_password_that_must_be_changed(office):
    boss, a, b = office
    worker_id, password = admin.add_worker(
        boss,
        name="Jo Bloggs",
        username="Jo.Bloggs",
        roles=[Role.manager, Role.practitioner],
        team_ids=[a],
        led_team_ids=[b],
    )
    assert len(password) >= 12
    result = auth.check_login("jo.bloggs", password)
    assert result.actor is not None and result.must_change_password
    assert result.actor.led_team_ids == {b} and result.actor.team_ids == {a, b}
    row = _audit_rows()[-2]  # the login comes after
    assert (row.action, row.record_type, row.record_id) == (Action.CREATE, "worker", worker_id)
    assert "Jo" not in row.fields and password not in row.fields


@pytest.mark.parametrize(
    "values, words",
    [
        (dict(name="  ", username="new", roles=[Role.admin]), "name"),
        (dict(name="New", username="new", roles=[]), "at least one role"),
        (dict(name="New", username="boss", roles=[Role.admin]), "already taken"),
        (dict(name="New", username="has space", roles=[Role.admin]), "no spaces"),
        (dict(name="New", username="new", roles=[Role.practitioner]), "at least one team"),
        (
            dict(
                name="New",
                username="new",
                roles=[Role.practitioner],
                team_ids=[1],
                led_team_ids=[1],
            ),
            "Only a manager",
        ),
    ],
)
def test_bad_input_gets_a_clear_sentence_and_stores_nothing(office, values, words):
    boss, _, _ = office
    before = len(_audit_rows())
    with pytest.raises(Invalid, match=words):
        admin.add_worker(boss, **values)
    with read_session() as session:
        assert session.exec(select(func.count(Worker.id))).one() == 1
    assert len(_audit_rows()) == before


def test_only_admins_manage_workers(office):
    _, a, _ = office
    manager = make.worker("mgr", Role.manager, leads=(a,))
    for call in (
        lambda: admin.add_worker(manager, name="X", username="x", roles=[Role.admin]),
        lambda: admin.reset_password(manager, 1),
        lambda: admin.set_active(manager, 1, False),
        lambda: admin.handover(manager, 1),
    ):
        with pytest.raises(NotAllowed):
            call()


def test_roles_teams_and_leads_change_together(office):
    boss, a, b = office
    worker_id, _ = admin.add_worker(
        boss, name="Kim", username="kim", roles=[Role.practitioner], team_ids=[a]
    )
    admin.update_worker(
        boss,
        worker_id,
        seen_version=admin.worker_details(boss, worker_id)["version"],
        name="Kim Lee",
        roles=[Role.manager],
        team_ids=[],
        led_team_ids=[a, b],
    )
    details = admin.worker_details(boss, worker_id)
    assert details["name"] == "Kim Lee" and details["roles"] == [Role.manager]
    assert details["led_team_ids"] == sorted([a, b])
    row = _audit_rows()[-1]
    assert row.action == Action.UPDATE and set(row.fields.split(",")) == {
        "name",
        "roles",
        "teams",
        "leads",
    }


def test_the_last_admin_cannot_be_removed(office):
    boss, _, _ = office
    with pytest.raises(Invalid, match="only active admin"):
        admin.update_worker(boss, boss.worker_id, seen_version=1, name="Boss", roles=[Role.manager])
    with pytest.raises(Invalid, match="your own account"):
        admin.set_active(boss, boss.worker_id, False)


def test_disabling_ends_sessions_and_re_enabling_lets_them_back(office):
    boss, a, _ = office
    sam = make.worker("sam", Role.practitioner, teams=(a,))
    now = datetime.now(timezone.utc)
    admin.set_active(boss, sam.worker_id, False, now=now)
    assert auth.sessions_valid_after("sam") is None  # the session check refuses at once
    assert auth.check_login("sam", make.TEST_PASSWORD).actor is None
    admin.set_active(boss, sam.worker_id, True)
    assert auth.sessions_valid_after("sam") == now  # sessions from before stay ended
    assert auth.check_login("sam", make.TEST_PASSWORD).actor is not None


def test_resetting_a_password_ends_sessions_and_forces_a_change(office):
    boss, a, _ = office
    sam = make.worker("sam", Role.practitioner, teams=(a,))
    before = auth.sessions_valid_after("sam")
    password = admin.reset_password(boss, sam.worker_id)
    assert auth.sessions_valid_after("sam") > before
    assert auth.check_login("sam", make.TEST_PASSWORD).actor is None
    assert auth.check_login("sam", password).must_change_password
    row = [r for r in _audit_rows() if r.action == Action.UPDATE][-1]
    assert "password" in row.fields and password not in row.fields


def test_handover_lists_a_leavers_current_families(office):
    boss, a, _ = office
    sam = make.worker("sam", Role.practitioner, teams=(a,))
    current, old = make.family(a, "The Ash family"), make.family(a, "The Oak family")
    make.relationship(current, sam.worker_id, date(2025, 1, 1))
    make.relationship(
        old, sam.worker_id, date(2024, 1, 1), ended_on=date(2024, 6, 1), end_reason="family_asked"
    )
    frame = admin.handover(boss, sam.worker_id)
    assert list(frame["family_id"]) == [current]
    assert "The Ash family" not in frame.to_string()  # an admin sees no case content
    assert list(frame["team"]) == ["Team A"]
    assert list(frame["role"]) == ["Main worker"]


def test_handover_names_a_supporting_worker_as_staff_say_it(office):
    """Sam's part with a family, on the admin's list about Sam: not the family's words "Also
    working with you", which there read as though the admin worked with the family."""
    boss, a, _ = office
    sam = make.worker("sam", Role.practitioner, teams=(a,))
    make.relationship(make.family(a), sam.worker_id, date(2025, 1, 1), role="supporting")
    assert list(admin.handover(boss, sam.worker_id)["role"]) == ["Supporting worker"]


def test_add_team_refuses_duplicates_and_bad_time_zones(office):
    boss, _, _ = office
    assert admin.add_team(boss, name="Team C", community="Lane End")
    with pytest.raises(Invalid, match="already a team"):
        admin.add_team(boss, name="team c")
    with pytest.raises(Invalid, match="time zone"):
        admin.add_team(boss, name="Team D", time_zone="Mars/Base")
    with pytest.raises(Invalid, match="time zone"):  # longer than a file name may be
        admin.add_team(boss, name="Team D", time_zone="Europe/" + "X" * 300)


# --- the audit search ----------------------------------------------------------------------


def test_audit_search_for_admins_and_managers(office):
    boss, a, b = office
    manager = make.worker("mgr", Role.manager, leads=(a,))
    prac = make.worker("prac", Role.practitioner, teams=(a, b))
    fa, fb = make.family(a, "The Ash family"), make.family(b, "The Beech family")
    families.record_view(prac, fa)
    families.record_view(prac, fb)
    everything = admin.search_audit(boss)
    assert {fa, fb} <= set(everything["family_id"].dropna())
    assert set(admin.search_audit(boss, family_id=fb)["family_id"]) == {fb}
    assert set(admin.search_audit(boss, username="prac")["username"]) == {"prac"}
    today = today_in()  # the audit screen's day: the default zone's
    assert admin.search_audit(boss, start=today + timedelta(days=1)).empty
    assert len(admin.search_audit(boss, start=today, end=today)) == len(everything)
    # A manager sees who looked at the families of the teams they lead, and nothing else.
    seen = admin.search_audit(manager)
    assert set(seen["family_id"]) == {fa}
    with pytest.raises(NotAllowed):  # asking about another team's family is a refusal
        admin.search_audit(manager, family_id=fb)
    with pytest.raises(NotAllowed):
        admin.search_audit(prac)
    viewers = admin.family_viewers(manager, fa)
    assert list(viewers["who"]) == ["Prac"]
    assert admin.family_viewers(prac, fa) is None  # the team's practitioners: nothing to show
    with pytest.raises(NotAllowed):
        admin.family_viewers(manager, fb)
    with pytest.raises(NotAllowed):  # an admin sees no case content
        admin.family_viewers(boss, fa)


@pytest.mark.parametrize(
    "statement", ["UPDATE auditevent SET action = 'view'", "DELETE FROM auditevent"]
)
def test_the_database_refuses_to_change_or_remove_audit_rows(office, statement):
    """Append-only in the database itself (a trigger on SQLite and on PostgreSQL), so no code
    path, present or future, can rewrite who did what."""
    boss, _a, _b = office
    admin.add_team(boss, name="Team C")
    with read_session() as session:
        before = session.exec(select(AuditEvent)).all()
    assert before
    with pytest.raises(DBAPIError, match="append-only"):
        with write_session() as session:
            session.exec(text(statement))
    with read_session() as session:
        assert session.exec(select(AuditEvent)).all() == before


def test_create_admin_asks_for_the_password_and_refuses_a_second_time(empty_db, capsys):
    answers = iter(["Alex Admin", "alex"])
    secrets_ = iter(["a long enough password", "a long enough password"])
    assert (
        admin_cli.main(
            ["create-admin"], ask=lambda _: next(answers), ask_secret=lambda _: next(secrets_)
        )
        == 0
    )
    assert auth.check_login("alex", "a long enough password").actor.roles == {Role.admin}
    assert (
        admin_cli.main(
            ["create-admin"],
            ask=lambda _: pytest.fail("must not ask"),
            ask_secret=lambda _: pytest.fail("must not ask"),
        )
        == 1
    )
    assert "already has workers" in capsys.readouterr().err
    answers = iter(["Bo Admin", "bo"])
    secrets_ = iter(["another good password", "another good password"])
    assert (
        admin_cli.main(
            ["create-admin", "--another"],
            ask=lambda _: next(answers),
            ask_secret=lambda _: next(secrets_),
        )
        == 0
    )


def test_create_admin_never_takes_a_password_on_the_command_line(empty_db):
    with pytest.raises(SystemExit):
        admin_cli.main(["create-admin", "--password", "secret-secret-secret"])


def test_create_admin_refuses_short_or_mismatched_passwords(empty_db, capsys):
    answers = iter(["A", "a1", "A", "a1"])
    secrets_ = iter(["short", "short", "a long enough password", "a different password!"])
    ask, secret = (lambda _: next(answers)), (lambda _: next(secrets_))
    assert admin_cli.main(["create-admin"], ask=ask, ask_secret=secret) == 1
    assert admin_cli.main(["create-admin"], ask=ask, ask_secret=secret) == 1
    with read_session() as session:
        assert session.exec(select(func.count(Worker.id))).one() == 0


def test_create_admin_with_no_one_to_answer_says_to_run_it_in_a_terminal(empty_db, capsys):
    """Run from a script with nothing on its input, the questions ended in EOFError's stack
    trace; it now says what it needs and creates no one."""

    def nobody(_prompt: str) -> str:
        raise EOFError

    assert admin_cli.main(["create-admin"], ask=nobody, ask_secret=nobody) == 1
    said = capsys.readouterr().err
    assert "Nothing was created" in said and "run it in a terminal" in said
    with read_session() as session:
        assert session.exec(select(func.count(Worker.id))).one() == 0


def test_a_real_database_gets_no_demo_users(empty_db):
    from db.ops.prepare import prepare

    assert "python -m db.ops.admin create-admin" in prepare()
    with read_session() as session:
        assert session.exec(select(func.count(Worker.id))).one() == 0


def test_demo_users_exist_only_in_a_demo_database(demo_db):
    with read_session() as session:
        assert session.exec(select(func.count(DemoInfo.id))).one() == 1
        demo_workers = session.exec(select(Worker.username).where(Worker.is_demo)).all()
    assert {"practitioner", "manager", "admin"} <= set(demo_workers)


def test_changing_a_worker_reaches_the_cached_huddle_on_every_server(office):
    """The huddle board is cached by Team.data_version (in each app server's memory): renaming
    or disabling a worker must move that version, or a server that cached the board keeps
    showing the old name (or a disabled worker as a family's worker) until the next case
    write."""
    from db import huddle

    boss, a, _b = office
    kim = make.worker("kim", Role.practitioner, teams=(a,))
    lead = make.worker("lead", Role.manager, teams=(a,), leads=(a,))
    family_id = make.family(a, "The Rivers")
    make.relationship(family_id, kim.worker_id, date(2025, 1, 1))

    def kims_name_on_the_board() -> set[str]:
        return set(huddle.board(lead, a).rows["workers"])

    assert kims_name_on_the_board() == {"Kim"}
    admin.update_worker(
        boss,
        kim.worker_id,
        seen_version=admin.worker_details(boss, kim.worker_id)["version"],
        name="Kim Rivers-Lee",
        roles=[Role.practitioner],
        team_ids=[a],
    )
    assert kims_name_on_the_board() == {"Kim Rivers-Lee"}


def test_audit_search_by_day_uses_the_days_the_screen_shows(office):
    """Times are shown in the default time zone, so a day searched for is that zone's day:
    00:30 on 2 June in London (BST) is 23:30 UTC on 1 June."""
    boss, a, _b = office
    family = make.family(a, "The Ash family")
    with write_session() as session:
        for at in (
            datetime(2026, 6, 1, 22, 59, tzinfo=timezone.utc),  # 23:59 on 1 June in London
            datetime(2026, 6, 1, 23, 30, tzinfo=timezone.utc),  # 00:30 on 2 June
            datetime(2026, 6, 2, 22, 59, tzinfo=timezone.utc),  # 23:59 on 2 June
            datetime(2026, 6, 2, 23, 0, tzinfo=timezone.utc),  # 00:00 on 3 June
        ):
            session.add(
                AuditEvent(
                    at=at,
                    username="prac_a",
                    action=Action.VIEW,
                    family_id=family,
                    record_type="family",
                    record_id=family,
                )
            )
    found = admin.search_audit(boss, start=date(2026, 6, 2), end=date(2026, 6, 2))
    assert sorted(found["at"].dt.strftime("%d %H:%M")) == ["01 23:30", "02 22:59"]


@pytest.mark.parametrize("typed", ["prac\x00a", "\ud800", "x" * 500])
def test_an_audit_search_for_a_username_that_cannot_be_one_finds_nothing(office, typed):
    boss, _a, _b = office
    assert admin.search_audit(boss, username=typed).empty


def test_two_admins_removing_each_other_at_once_leave_one_admin(office, monkeypatch):
    """Each admin's check saw the other still an admin, and both saves went through: on
    PostgreSQL nobody was left to add workers. The admins are locked while one change at a time
    is checked, so the second sees the first's change and is refused."""
    import threading

    from db.rules import audit as audit_rules

    boss, a, _ = office
    other = make.worker("other", Role.admin)
    both_checked = threading.Barrier(2)
    record = audit_rules.worker_change

    def after_the_check(*args, **kwargs):  # still inside the transaction, before it commits
        try:
            both_checked.wait(timeout=3)
        except threading.BrokenBarrierError:
            pass  # the other is waiting for the lock: it no longer races this one
        return record(*args, **kwargs)

    monkeypatch.setattr(audit_rules, "worker_change", after_the_check)
    refused = []

    def change(write) -> None:
        try:
            write()
        except Invalid as problem:
            refused.append(str(problem))

    other_version = admin.worker_details(boss, other.worker_id)["version"]
    threads = [
        threading.Thread(
            target=change,
            args=(
                lambda: admin.update_worker(
                    boss,
                    other.worker_id,
                    seen_version=other_version,
                    name="Other",
                    roles=[Role.manager],
                    led_team_ids=[a],
                ),
            ),
        ),
        threading.Thread(
            target=change, args=(lambda: admin.set_active(other, boss.worker_id, False),)
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    with read_session() as session:
        assert admin._active_admins(session, lock=False)  # someone can still add workers
    assert len(refused) == 1 and "only active admin" in refused[0]
