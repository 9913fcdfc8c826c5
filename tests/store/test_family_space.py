"""The family's own space: invitations, a family member's login, what they see (only what is
shared with them) and what they do (score at home, tick steps, add a step, send a message),
and what their worker sees of it."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pandas as pd
import pytest
from sqlmodel import select

from db import auth, family_space, goals, meetings
from db.goals import GoalIn
from db.huddle import monday_of
from db.meetings import ChildViewIn, ItemIn, MeetingIn, PlanStepIn
from db.rules.access import NotAllowed, load_actor
from db.rules.validation import Invalid
from db.rules.writes import AlreadySaved
from db.store.clock import today_in, utcnow
from db.store.engine import read_session, write_session
from db.store.models import (
    AuditEvent,
    FamilyInvitation,
    FamilyLogin,
    GoalScore,
    KeepingSafe,
    Person,
    Relationship,
    Role,
    ScoreRound,
)
from tests import factories as make

PASSWORD = "a long family passphrase"


@pytest.fixture
def world(empty_db):
    team = make.team()
    sam = make.worker("sam", Role.practitioner, Role.manager, teams=(team,), leads=(team,))
    family = make.family(team, "The Rivers family")
    mum = make.person(family, "Dana Rivers", Relationship.parent)
    mia = make.person(family, "Mia", Relationship.child, birth_year=2012)
    other_family = make.family(team, "The Hills family")
    other_person = make.person(other_family, "Kim", Relationship.parent)
    return {
        "sam": sam,
        "team": team,
        "family": family,
        "mum": mum,
        "mia": mia,
        "other_family": other_family,
        "other_person": other_person,
    }


def _join(world, person: str = "mum", username: str = "dana") -> auth.Actor:
    code = family_space.invite_family_member(
        world["sam"], family_id=world["family"], person_id=world[person]
    )
    family_space.accept_invitation(code, username=username, password=PASSWORD)
    result = auth.check_login(username, PASSWORD)
    assert result.actor is not None
    return result.actor


# --- invitations and logins ---------------------------------------------------------------


def test_one_code_sent_twice_at_once_makes_one_login(world, monkeypatch):
    """Two people (or a double tap) sending the same code together: both read the invitation
    before either has used it, unless the first to read holds it until its login is made."""
    import threading

    code = family_space.invite_family_member(
        world["sam"], family_id=world["family"], person_id=world["mum"]
    )
    both_read = threading.Barrier(2, timeout=3)
    reading = family_space._usable_invitation

    def read_then_wait(session, code, **options):
        invitation = reading(session, code, **options)
        try:
            both_read.wait()  # with the row held, the other can't read it: this times out
        except threading.BrokenBarrierError:
            pass
        return invitation

    monkeypatch.setattr(family_space, "_usable_invitation", read_then_wait)
    outcomes: list[str] = []

    def take_it(username: str) -> None:
        try:
            family_space.accept_invitation(code, username=username, password=PASSWORD)
            outcomes.append("login")
        except Invalid:
            outcomes.append("refused")

    takers = [threading.Thread(target=take_it, args=(name,)) for name in ("dana", "dana.too")]
    for taker in takers:
        taker.start()
    for taker in takers:
        taker.join(30)
    assert sorted(outcomes) == ["login", "refused"]
    with read_session() as session:
        assert len(session.exec(select(FamilyLogin)).all()) == 1


def test_an_invitation_is_random_stored_hashed_and_works_once(world):
    code = family_space.invite_family_member(
        world["sam"], family_id=world["family"], person_id=world["mum"]
    )
    assert len(code) >= 32  # 24 random bytes, url-safe: 192 bits
    with read_session() as session:
        stored = session.exec(select(FamilyInvitation)).one()
        audit_text = " ".join(
            f"{a.action} {a.record_type} {a.fields} {a.username}"
            for a in session.exec(select(AuditEvent))
        )
    assert code not in stored.code_hash and stored.code_hash != code
    assert stored.expires_at - utcnow() > timedelta(days=6, hours=23)
    assert family_space.invitation_first_name(code) == "Dana"
    family_space.accept_invitation(code, username="Dana", password=PASSWORD)
    assert code not in audit_text
    with pytest.raises(Invalid, match="can't be used any more"):
        family_space.accept_invitation(code, username="dana2", password=PASSWORD)
    assert family_space.invitation_first_name(code) is None
    actor = auth.check_login("dana", PASSWORD).actor
    assert actor is not None and actor.is_family_member
    assert (actor.family_id, actor.person_id) == (world["family"], world["mum"])
    assert actor.case_team_ids == frozenset()


def test_expired_withdrawn_and_made_up_codes_get_the_same_kind_message(world):
    sam, family, mum = world["sam"], world["family"], world["mum"]
    expired = family_space.invite_family_member(sam, family_id=family, person_id=mum)
    with write_session() as session:
        row = session.exec(select(FamilyInvitation)).one()
        row.expires_at = utcnow() - timedelta(minutes=1)
        session.add(row)
    stopped = family_space.invite_family_member(sam, family_id=family, person_id=mum)
    stopped_id = family_space.family_logins(sam, family).invitations["invitation_id"].iloc[0]
    family_space.withdraw_invitation(sam, family_id=family, invitation_id=int(stopped_id))
    for code in (expired, stopped, "made-up-code", ""):
        with pytest.raises(Invalid, match="Please ask your worker for a new one"):
            family_space.accept_invitation(code, username="dana", password=PASSWORD)


def test_a_young_person_needs_their_own_agreement_and_professionals_get_no_login(world):
    sam, family = world["sam"], world["family"]
    with pytest.raises(Invalid, match="agree"):
        family_space.invite_family_member(
            sam, family_id=family, person_id=world["mia"], young_person=True
        )
    teacher = make.person(family, "Mr Brown", Relationship.professional)
    with pytest.raises(Invalid, match="not for professionals"):
        family_space.invite_family_member(sam, family_id=family, person_id=teacher)
    with pytest.raises(Invalid, match="isn't part of this family"):
        family_space.invite_family_member(sam, family_id=family, person_id=world["other_person"])


def test_a_child_is_a_young_person_whether_or_not_the_box_was_ticked(world):
    """Mia is a child of the family and Jay's year of birth makes him 16: neither gets a
    login without saying they want one, and a login made with their agreement says so."""
    sam, family = world["sam"], world["family"]
    jay = make.person(family, "Jay", Relationship.other_family, birth_year=date.today().year - 16)
    for person in (world["mia"], jay):
        with pytest.raises(Invalid, match="agree"):
            family_space.invite_family_member(sam, family_id=family, person_id=person)
    code = family_space.invite_family_member(
        sam, family_id=family, person_id=world["mia"], child_agreed=True
    )
    family_space.accept_invitation(code, username="mia.home", password=PASSWORD)
    mia = auth.check_login("mia.home", PASSWORD).actor
    assert mia is not None and family_space.own_space(mia).young_person


def test_someone_who_must_not_be_invited_to_meetings_gets_no_space(world):
    """The space shows the plan and when the family next meets: not for someone kept away
    from meetings, whether marked before the invitation, before it is used, or after."""
    sam, family = world["sam"], world["family"]
    lee = make.person(family, "Lee", Relationship.parent, must_not_invite=True)
    with pytest.raises(Invalid, match="must not be invited"):
        family_space.invite_family_member(sam, family_id=family, person_id=lee)

    def mark_mum(must_not_invite: bool) -> None:
        with write_session() as session:
            mum = session.get_one(Person, world["mum"])
            mum.must_not_invite = must_not_invite
            session.add(mum)

    code = family_space.invite_family_member(sam, family_id=family, person_id=world["mum"])
    mark_mum(True)
    with pytest.raises(Invalid, match="can't be used any more"):
        family_space.accept_invitation(code, username="dana", password=PASSWORD)
    mark_mum(False)
    dana = _join(world)
    mark_mum(True)
    with pytest.raises(NotAllowed):
        family_space.own_space(dana)


def test_bad_usernames_and_short_passwords_store_nothing(world):
    code = family_space.invite_family_member(
        world["sam"], family_id=world["family"], person_id=world["mum"]
    )
    for username, password in (("da", PASSWORD), ("<b>dana</b>", PASSWORD), ("dana", "short")):
        with pytest.raises(Invalid):
            family_space.accept_invitation(code, username=username, password=password)
    make.worker("sam.taken", Role.practitioner)
    with pytest.raises(Invalid, match="taken"):
        family_space.accept_invitation(code, username="sam.taken", password=PASSWORD)
    assert family_space.invitation_first_name(code) == "Dana"  # still usable


def test_pausing_ends_every_session_at_once_and_ending_is_for_good(world):
    sam, family = world["sam"], world["family"]
    dana = _join(world)
    logins = family_space.family_logins(sam, family).logins
    assert list(logins["state"]) == ["Can log in"] and logins["last_used_at"].notna().all()
    login = auth.check_login("dana", PASSWORD)
    family_space.pause_family_login(sam, family_id=family, login_id=dana.worker_id, paused=True)
    assert auth.sessions_valid_after("dana") is None
    assert (
        auth.resume_session(
            username="dana", session_id=login.session_id, issued_at=login.started_at
        )
        is None
    )
    assert auth.check_login("dana", PASSWORD).actor is None
    with pytest.raises(NotAllowed):
        family_space.own_space(dana)
    family_space.pause_family_login(sam, family_id=family, login_id=dana.worker_id, paused=False)
    assert auth.check_login("dana", PASSWORD).actor is not None
    family_space.end_family_login(sam, family_id=family, login_id=dana.worker_id)
    assert auth.check_login("dana", PASSWORD).actor is None
    with pytest.raises(Invalid, match="ended"):
        family_space.pause_family_login(
            sam, family_id=family, login_id=dana.worker_id, paused=False
        )
    with read_session() as session:
        assert session.get(FamilyLogin, dana.worker_id).ended_at is not None


def test_a_family_member_idles_out_sooner_than_a_worker():
    now = datetime(2026, 3, 2, 12, tzinfo=timezone.utc)
    quiet = now - timedelta(minutes=20)
    common = {"authenticated_at": quiet, "last_active_at": quiet, "now": now}
    assert auth.session_problem(sessions_valid_after=quiet, **common) is None
    assert auth.session_problem(sessions_valid_after=quiet, idle_minutes=15, **common) == (
        auth.AWAY_TOO_LONG
    )


# --- what a family member sees ------------------------------------------------------------


def _shared(
    sam: auth.Actor,
    family: int,
    *,
    goals_set: list[GoalIn],
    steps: list[PlanStepIn],
    said: list[ItemIn],
    met: tuple[MeetingIn, ...] = (),
) -> list[int]:
    """Goals, plan steps, a conversation of today and meetings, each with who may see it or
    is invited; the goals' ids."""
    for step in steps:
        meetings.add_plan_step(sam, family_id=family, step=step)
    meetings.add_conversation(sam, family_id=family, held_on=today_in(), items=said)
    for meeting in met:
        meetings.record_meeting(sam, family_id=family, meeting=meeting)
    return [goals.add_goal(sam, family_id=family, goal=goal) for goal in goals_set]


def test_the_space_shows_only_what_is_shared_with_this_person(world):
    sam, family, mum, mia = world["sam"], world["family"], world["mum"], world["mia"]
    shared, mine, _mias = _shared(
        sam,
        family,
        goals_set=[
            GoalIn(wording="Calmer mornings"),
            GoalIn(wording="Time for me", person_id=mum, visibility="private"),
            GoalIn(wording="Mia's own worry", person_id=mia, visibility="private"),
        ],
        steps=[
            PlanStepIn(what="Ring the school"),
            PlanStepIn(what="Debt advice", visibility="private"),
        ],
        said=[
            ItemIn(column="going_well", words="Bedtimes are better", said_by_person_id=mum),
            ItemIn(
                column="hard", words="Mia's secret", said_by_person_id=mia, visibility="private"
            ),
        ],
        met=(
            MeetingIn(
                kind="home_visit",
                status="held",
                starts_at=utcnow() - timedelta(hours=2),
                child_views=(
                    ChildViewIn(person_id=mia, words="I like Fridays"),
                    ChildViewIn(person_id=mia, words="Only for my worker", visibility="private"),
                ),
            ),
        ),
    )
    with write_session() as session:
        session.add(KeepingSafe(family_id=family, safe_phone="07700 900000", never_show="X"))
    dana = _join(world)
    space = family_space.own_space(dana)
    assert list(space.goals["wording"]) == ["Calmer mornings", "Time for me"]
    assert set(space.goals["goal_id"]) == {shared, mine}
    assert list(space.plan["what"]) == ["Ring the school"]
    assert space.going_well == ["Bedtimes are better"] and space.hard == []
    assert list(space.children_views["words"]) == ["I like Fridays"]
    assert "07700" not in repr(space)
    with read_session() as session:
        views = session.exec(select(AuditEvent).where(AuditEvent.worker_id == dana.worker_id)).all()
    assert any(a.action == "view" and a.record_type == "own_space" for a in views)


def test_household_items_are_for_the_people_who_live_in_the_household(world):
    """A friend or neighbour of the family (not living with them) has a login: they see what is
    shared with everyone and their own, never what is shared with the household, and only the
    meetings they are invited to (where the family lives may be a safe place's address)."""
    sam, family, mum = world["sam"], world["family"], world["mum"]
    neighbour = make.person(family, "Pat", Relationship.neighbour, in_household=False)
    world["neighbour"] = neighbour
    soon = utcnow() + timedelta(days=2)
    everyone, household, pats = _shared(
        sam,
        family,
        goals_set=[
            GoalIn(wording="Calmer mornings", visibility="everyone"),
            GoalIn(wording="Money worries", visibility="family"),
            GoalIn(wording="Help with the school run", person_id=neighbour, visibility="family"),
        ],
        steps=[
            PlanStepIn(what="Ring the school", visibility="everyone"),
            PlanStepIn(what="See the GP about sleep", visibility="family"),
        ],
        said=[
            ItemIn(column="going_well", words="Bedtimes are better", visibility="everyone"),
            ItemIn(column="hard", words="Rows at home", said_by_person_id=mum, visibility="family"),
        ],
        met=(
            MeetingIn(
                kind="home_visit", status="planned", starts_at=soon, place="Flat 3, 12 Elm Road"
            ),
            MeetingIn(
                kind="family_meeting",
                status="planned",
                starts_at=soon + timedelta(days=7),
                place="Northfield Community Centre",
                invited=(mum, neighbour),
            ),
        ),
    )
    pat, dana = _join(world, "neighbour", "pat.next.door"), _join(world)
    space = family_space.own_space(pat)
    assert set(space.goals["goal_id"]) == {everyone, pats}
    assert list(space.plan["what"]) == ["Ring the school"]
    assert space.going_well == ["Bedtimes are better"] and space.hard == []
    assert space.next_meeting is not None
    assert space.next_meeting.place == "Northfield Community Centre"
    assert "Elm Road" not in repr(space) and "Money worries" not in repr(space)
    with pytest.raises(NotAllowed):
        family_space.score_at_home(pat, goal_id=household, score=5)
    home = family_space.own_space(dana)
    assert set(home.goals["goal_id"]) == {everyone, household, pats}
    assert home.hard == ["Rows at home"]
    assert home.next_meeting is not None and home.next_meeting.place == "Flat 3, 12 Elm Road"
    gp = int(home.plan.loc[home.plan["what"] == "See the GP about sleep", "step_id"].iloc[0])
    with pytest.raises(NotAllowed):
        family_space.tick_step(pat, step_id=gp, seen_version=1)


# --- what a family member does -------------------------------------------------------------


def test_scoring_at_home_is_theirs_marked_and_once_a_day(world):
    sam, family = world["sam"], world["family"]
    goal = goals.add_goal(sam, family_id=family, goal=GoalIn(wording="Calmer mornings"))
    dana = _join(world)
    family_space.score_at_home(dana, goal_id=goal, score=4, comment="School run went well")
    family_space.score_at_home(dana, goal_id=goal, score=6)
    with read_session() as session:
        rows = session.exec(select(GoalScore, ScoreRound).join(ScoreRound)).all()
    assert len(rows) == 1
    score, sitting = rows[0]
    assert (score.score, score.person_id, sitting.at_home) == (6, world["mum"], True)
    staff = goals.goal_data(sam, family)
    assert staff.scores["at_home"].tolist() == [True]
    assert family_space.own_space(dana).my_scores_today == {goal: 6}
    for bad in (-1, 11, 5.5, "7", True):
        with pytest.raises(Invalid):
            family_space.score_at_home(dana, goal_id=goal, score=bad)
    with pytest.raises(Invalid):
        family_space.score_at_home(dana, goal_id=goal, score=5, comment="x" * 501)


def test_a_family_member_cannot_score_goals_not_shared_with_them(world):
    sam, family = world["sam"], world["family"]
    theirs = goals.add_goal(
        sam, family_id=world["other_family"], goal=GoalIn(wording="Another family's goal")
    )
    private = goals.add_goal(
        sam,
        family_id=family,
        goal=GoalIn(wording="Mia's own worry", person_id=world["mia"], visibility="private"),
    )
    dana = _join(world)
    for goal_id in (theirs, private, 999999):
        with pytest.raises(NotAllowed):
            family_space.score_at_home(dana, goal_id=goal_id, score=5)


def test_a_tick_given_by_mistake_comes_off_by_the_person_who_gave_it(world):
    sam, family = world["sam"], world["family"]
    meetings.add_plan_step(sam, family_id=family, step=PlanStepIn(what="Ring the school"))
    dana = _join(world)
    dad = _join(
        {**world, "dad": make.person(family, "Lee Rivers", Relationship.parent)}, "dad", "lee"
    )

    def step() -> dict:
        return family_space.own_space(dana).plan.iloc[0].to_dict()

    ticked = step()
    family_space.tick_step(
        dana, step_id=int(ticked["step_id"]), seen_version=int(ticked["version"])
    )
    ticked = step()
    assert ticked["done_on"] is not None and ticked["ticked_by_me"]
    theirs = family_space.own_space(dad).plan.iloc[0]
    assert not theirs["ticked_by_me"]
    with pytest.raises(Invalid, match="Only the person who ticked"):
        family_space.tick_step(
            dad, step_id=int(theirs["step_id"]), seen_version=int(theirs["version"]), done=False
        )
    family_space.tick_step(
        dana, step_id=int(ticked["step_id"]), seen_version=int(ticked["version"]), done=False
    )
    unticked = step()
    assert pd.isna(unticked["done_on"]) and not unticked["ticked_by_me"]
    assert meetings.plan(sam, family)["done_on"].isna().all()


def test_ticks_and_own_steps_are_the_familys_word_and_reach_the_huddle(world):
    sam, family, team = world["sam"], world["family"], world["team"]
    meetings.add_plan_step(sam, family_id=family, step=PlanStepIn(what="Ring the school"))
    goal = goals.add_goal(sam, family_id=family, goal=GoalIn(wording="Calmer mornings"))
    dana = _join(world)
    step = family_space.own_space(dana).plan.iloc[0]
    family_space.tick_step(dana, step_id=int(step["step_id"]), seen_version=int(step["version"]))
    family_space.add_own_step(dana, what="Walked Mia to school <b>twice</b>")
    with pytest.raises(AlreadySaved):  # a double tap on the phone
        family_space.add_own_step(dana, what="Walked Mia to school <b>twice</b>")
    family_space.score_at_home(dana, goal_id=goal, score=7)
    family_space.send_message(dana, words="Can we move Thursday?")
    plan = meetings.plan(sam, family)
    assert plan["done_on"].notna().all()
    assert plan["what"].tolist().count("Walked Mia to school <b>twice</b>") == 1
    for bad in ("", "   ", "x" * 501, "half \ud83d"):
        with pytest.raises(Invalid):
            family_space.send_message(dana, words=bad)
    messages = family_space.family_messages(sam, family)
    assert messages["words"].tolist() == ["Can we move Thursday?"]
    now = utcnow()
    heard = family_space.heard_from_families(
        sam, team, since=now - timedelta(days=7), until=now + timedelta(minutes=1)
    )
    assert heard["family"].tolist() == ["The Rivers family"]
    why = heard["why"].iloc[0]
    assert "Scored at home" in why and "ticked" in why and "told us" in why
    assert heard["messages"].iloc[0] == ["Can we move Thursday?"]
    assert monday_of(date.today()) <= date.today()
    use = family_space.space_use(sam, team)
    assert (use.families, use.with_a_login, use.used_lately) == (2, 1, 1)


def test_a_login_reloaded_after_pause_is_no_actor(world):
    dana = _join(world)
    family_space.pause_family_login(
        world["sam"], family_id=world["family"], login_id=dana.worker_id, paused=True
    )
    with read_session() as session:
        assert load_actor(session, "dana") is None


def test_the_demo_has_a_family_login_with_home_scores(demo_db):
    from db.ops.demo import DEMO_MESSAGE
    from db.plain_language import terms_in
    from db.settings import DEMO_PASSWORD

    family = auth.check_login("family", DEMO_PASSWORD).actor
    assert family is not None and family.is_family_member
    space = family_space.own_space(family)
    assert not space.goals.empty
    assert space.scores["at_home"].sum() >= 3
    assert terms_in(DEMO_MESSAGE) == []


def test_a_family_login_is_not_on_the_admins_list_of_workers(world):
    from db import admin

    dana = _join(world)
    boss = make.worker("boss", Role.admin)
    workers, _teams = admin.workers_and_teams(boss)
    assert "dana" not in set(workers["username"])
    with pytest.raises(Invalid):
        admin.reset_password(boss, dana.worker_id)
