"""Huddle sections and reasons against constructed data with fixed dates."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from db import huddle
from db.goals import GoalIn, ScoreIn, add_goal, record_scores
from db.rules.access import NotAllowed
from db.store.engine import write_session
from db.store.models import (
    Family,
    FamilyStatus,
    Huddle,
    MeetingStatus,
    PlanStep,
    Relationship,
    Rhythm,
    Role,
)
from tests import factories

TODAY = date(2025, 3, 26)  # a Wednesday
MONDAY = date(2025, 3, 24)
LONDON = ZoneInfo("Europe/London")


def _set(family_id, **values):
    with write_session() as session:
        family = session.get(Family, family_id)
        for key, value in values.items():
            setattr(family, key, value)
        session.add(family)


def _met(family_id, day, hour=10, status=MeetingStatus.held):
    factories.meeting(
        family_id,
        datetime.combine(day, datetime.min.time().replace(hour=hour), LONDON),
        status=status,
    )


@pytest.fixture
def team(demo_db):
    team = factories.team("Huddle team")
    other = factories.team("Other huddle team")
    sam = factories.worker("huddler", Role.practitioner, teams=(team,))
    with write_session() as session:
        session.add(Huddle(team_id=team, held_on=date(2025, 3, 17)))  # the last huddle
    f = {}
    f["waiting"] = factories.family(
        team, "Zed waiting family", first_came_on=date(2025, 3, 5), status=FamilyStatus.waiting
    )
    f["waiting_a"] = factories.family(
        team, "Abel waiting family", first_came_on=date(2025, 3, 20), status=FamilyStatus.waiting
    )
    f["harder"] = factories.family(team, "Harder family", first_came_on=date(2024, 6, 1))
    f["fortnightly"] = factories.family(team, "Fortnight family", first_came_on=date(2024, 6, 1))
    f["kit_recent"] = factories.family(
        team,
        "Monthly recent family",
        first_came_on=date(2024, 1, 1),
        status=FamilyStatus.keeping_in_touch,
    )
    f["kit_late"] = factories.family(
        team,
        "Monthly late family",
        first_came_on=date(2024, 1, 1),
        status=FamilyStatus.keeping_in_touch,
    )
    for key in ("kit_recent", "kit_late"):
        _set(f[key], rhythm=Rhythm.monthly)
    _set(f["harder"], rhythm=Rhythm.weekly)
    _set(f["fortnightly"], rhythm=Rhythm.fortnightly)
    _met(f["harder"], date(2025, 3, 20))
    _met(f["fortnightly"], date(2025, 3, 5))  # 21 days > 14: listed
    _met(f["kit_recent"], date(2025, 3, 1))  # 25 days <= 31: not listed
    _met(f["kit_late"], date(2025, 2, 10))  # 44 days > 31: listed
    _met(f["harder"], date(2025, 3, 29), hour=18, status=MeetingStatus.planned)  # Saturday evening
    _met(f["fortnightly"], date(2025, 3, 31), status=MeetingStatus.planned)  # next week
    mia = factories.person(f["harder"], "Mia")
    dad = factories.person(f["harder"], "Dad", Relationship.parent)
    goal = add_goal(
        sam, family_id=f["harder"], goal=GoalIn("Calmer bedtimes", mia, set_on=date(2025, 1, 1))
    )
    for token, day, mia_score, dad_score in (
        ("a", date(2025, 3, 10), 7, 3),
        ("b", date(2025, 3, 20), 4, 5),
    ):
        record_scores(
            sam,
            family_id=f["harder"],
            token=token,
            scored_on=day,
            scores=[
                ScoreIn(goal, mia_score, person_id=mia),
                ScoreIn(goal, dad_score, person_id=dad),
                ScoreIn(goal, 1, worker_id=sam.worker_id),
            ],
        )
    due_on_the_20th = {"agreed_on": date(2025, 3, 1), "by_when": date(2025, 3, 20)}
    with write_session() as session:
        session.add(PlanStep(family_id=f["fortnightly"], what="Ring housing", **due_on_the_20th))
        session.add(
            PlanStep(
                family_id=f["kit_late"],
                what="Done already",
                done_on=date(2025, 3, 19),
                **due_on_the_20th,
            )
        )
    factories.family(other, "Other team's family", status=FamilyStatus.waiting)
    return {
        "team": team,
        "sam": sam,
        "families": f,
        "outsider": factories.worker("outsider2", Role.practitioner, teams=(other,)),
    }


def _sections(board) -> dict[str, list[str]]:
    return {key: list(rows["family"]) for key, rows in board.rows.groupby("section", sort=False)}


def test_families_sit_in_fixed_sections_by_reason(team):
    board = huddle.board(team["sam"], team["team"], week_start=MONDAY, today=TODAY)
    sections = _sections(board)
    assert board.since == date(2025, 3, 17)
    assert sections["waiting"] == ["Abel waiting family", "Zed waiting family"]  # A to Z
    assert sections["harder"] == ["Harder family"]
    assert sections["not_met"] == ["Fortnight family", "Monthly late family"]
    assert sections["plan_overdue"] == ["Fortnight family"]
    assert sections["this_week"] == ["Harder family"]
    assert sections["good_news"] == ["Harder family"]  # Dad's own score went up


def test_reasons_are_plain_and_say_how_long(team):
    rows = huddle.board(team["sam"], team["team"], week_start=MONDAY, today=TODAY).rows
    why = dict(zip(rows["section"] + ":" + rows["family"], rows["why"]))
    assert why["waiting:Zed waiting family"] == "Waiting 21 days to meet a worker."
    assert (
        "Mia (7 → 4)" in why["harder:Harder family"]
        and "talking it through" in why["harder:Harder family"]
    )
    assert "worker" not in why["harder:Harder family"]  # a worker's view never counts as harder
    assert why["this_week:Harder family"] == "Home visit Sat 18:00"
    assert (
        why["not_met:Monthly late family"] == "Last met 6 weeks ago; we agreed to meet every month."
    )
    assert (
        why["not_met:Fortnight family"]
        == "Last met 21 days ago; we agreed to meet every two weeks."
    )


def test_since_falls_back_to_seven_days_without_a_huddle(team):
    with write_session() as session:
        from sqlmodel import delete

        session.execute(delete(Huddle).where(Huddle.team_id == team["team"]))
    board = huddle.board(team["sam"], team["team"], week_start=MONDAY, today=TODAY)
    assert board.since == TODAY - timedelta(days=7)
    # A week looked back on counts from a week before its own Sunday, not before today.
    three_weeks_back = MONDAY - timedelta(days=21)
    board = huddle.board(team["sam"], team["team"], week_start=three_weeks_back, today=TODAY)
    assert board.since == three_weeks_back - timedelta(days=1)


def test_one_teams_huddle_reads_only_that_team(team):
    board = huddle.board(team["sam"], team["team"], week_start=MONDAY, today=TODAY)
    assert "Other team's family" not in set(board.rows["family"])
    with pytest.raises(NotAllowed):
        huddle.board(team["outsider"], team["team"], week_start=MONDAY, today=TODAY)


def test_holding_a_huddle_and_talking_about_a_family(team):
    huddle_id = huddle.hold(team["sam"], team["team"], on=TODAY)
    assert huddle.hold(team["sam"], team["team"], on=TODAY) == huddle_id
    huddle.talked_about(
        team["sam"],
        huddle_id=huddle_id,
        family_id=team["families"]["harder"],
        note="Sam will ring Mia's mum",
        action="Ring mum",
        action_worker_id=team["sam"].worker_id,
        action_by=TODAY + timedelta(days=2),
    )
    assert huddle.talked_about_ids(team["sam"], huddle_id) == {team["families"]["harder"]}
    from db.rules.validation import Invalid

    with pytest.raises(Invalid, match="which worker"):
        huddle.talked_about(
            team["sam"],
            huddle_id=huddle_id,
            family_id=team["families"]["harder"],
            action="Someone should do something",
        )


def test_last_weeks_actions_come_back_to_follow_up(team):
    last_week = huddle.hold(team["sam"], team["team"], on=TODAY - timedelta(days=7))
    for family, action, by in (
        ("harder", "Ring mum", TODAY - timedelta(days=2)),
        ("fortnightly", "Book the interpreter", TODAY + timedelta(days=3)),
    ):
        huddle.talked_about(
            team["sam"],
            huddle_id=last_week,
            family_id=team["families"][family],
            action=action,
            action_worker_id=team["sam"].worker_id,
            action_by=by,
        )
    huddle.talked_about(  # talked about, but no action: nothing to follow up
        team["sam"], huddle_id=last_week, family_id=team["families"]["waiting"], note="Fine"
    )
    board = huddle.board(team["sam"], team["team"], today=TODAY)
    follow_up = board.follow_up
    assert list(follow_up["family"]) == ["Fortnight family", "Harder family"]  # A to Z
    assert list(follow_up["action"]) == ["Book the interpreter", "Ring mum"]
    assert set(follow_up["who"]) == {"Huddler"}
    assert list(follow_up["past_its_date"]) == [False, True]

    this_week = huddle.hold(team["sam"], team["team"], on=TODAY)
    huddle.talked_about(
        team["sam"],
        huddle_id=this_week,
        family_id=team["families"]["harder"],
        action="Visit on Friday",
        action_worker_id=team["sam"].worker_id,
    )
    again = huddle.board(team["sam"], team["team"], today=TODAY).follow_up
    assert "Visit on Friday" not in list(again["action"])  # this week's are next week's


def test_with_no_huddle_before_there_is_nothing_to_follow_up(team):
    board = huddle.board(team["sam"], team["team"], today=date(2025, 3, 10))
    assert board.follow_up.empty


# --- a team with nobody to talk about ------------------------------------------------------


@pytest.mark.parametrize("families", ["none", "closed only", "none needing a mention"])
def test_a_team_with_nobody_to_talk_about_has_an_empty_board(demo_db, families):
    """A new team, a team whose families have all closed, and a team whose one family is
    doing fine (met last week, nothing due, no scores): an empty board, not a crash."""
    team = factories.team("Quiet team")
    worker = factories.worker("quiet.worker", Role.practitioner, teams=(team,))
    if families == "closed only":
        factories.family(team, "The Closed family", status=FamilyStatus.closed)
    if families == "none needing a mention":
        fine = factories.family(team, "The Fines", first_came_on=TODAY - timedelta(days=60))
        _met(fine, TODAY - timedelta(days=8))
    board = huddle.board(worker, team, week_start=MONDAY, today=TODAY)
    assert board.rows.empty
    assert list(board.rows.columns) == huddle.ROW_COLUMNS
    assert board.open_families == (1 if families == "none needing a mention" else 0)


# --- "We talked about…" saved once ----------------------------------------------------------


def _talked(team, huddle_id, *, note="Mum's benefits stopped", action="Ring the benefits office"):
    return huddle.talked_about(
        team["sam"],
        huddle_id=huddle_id,
        family_id=team["families"]["harder"],
        note=note,
        action=action,
        action_worker_id=team["sam"].worker_id if action else None,
    )


def _stored(team, huddle_id) -> tuple[list[str], list[str]]:
    """The actions of this huddle and the huddle notes of the Harder family."""
    from sqlmodel import select

    from db.store.engine import read_session
    from db.store.models import HuddleFamily, Note, NoteKind

    with read_session() as session:
        actions = session.exec(
            select(HuddleFamily.action)
            .where(HuddleFamily.huddle_id == huddle_id)
            .order_by(HuddleFamily.id)
        ).all()
        notes = session.exec(
            select(Note.words)
            .where(Note.family_id == team["families"]["harder"], Note.kind == NoteKind.huddle)
            .order_by(Note.id)
        ).all()
    return list(actions), list(notes)


def test_the_same_talked_about_saved_twice_is_stored_once(team):
    """A double click on Save: one action, one staff note, and a kind word for the second."""
    from db.rules.writes import AlreadySaved

    huddle_id = huddle.hold(team["sam"], team["team"])
    _talked(team, huddle_id)
    with pytest.raises(AlreadySaved, match="This was saved a moment ago"):
        _talked(team, huddle_id)
    assert _stored(team, huddle_id) == (["Ring the benefits office"], ["Mum's benefits stopped"])


def test_talked_about_again_with_other_words_or_after_a_while_is_stored(team, monkeypatch):
    from db.rules import writes
    from db.settings import REPEAT_WINDOW_MINUTES
    from db.store.clock import utcnow

    huddle_id = huddle.hold(team["sam"], team["team"])
    _talked(team, huddle_id)
    _talked(team, huddle_id, note="She has an appeal on Friday")  # the same action, a new note
    _talked(team, huddle_id, note="", action="Book the interpreter")  # a new action, no note
    later = utcnow() + timedelta(minutes=REPEAT_WINDOW_MINUTES + 1)
    monkeypatch.setattr(writes, "utcnow", lambda: later)
    _talked(team, huddle_id)  # said again in a later part of the huddle
    assert _stored(team, huddle_id) == (
        ["Ring the benefits office"] * 2 + ["Book the interpreter", "Ring the benefits office"],
        ["Mum's benefits stopped", "She has an appeal on Friday", "Mum's benefits stopped"],
    )


# --- sparklines: one line per person per goal ------------------------------------------------


def test_each_persons_scores_on_a_goal_are_their_own_line(team):
    """Harder family's bedtime goal: Mia 7 → 4 and Dad 3 → 5 are two lines, not one
    zig-zagging between them (the worker's view is left out)."""
    board = huddle.board(team["sam"], team["team"], week_start=MONDAY, today=TODAY)
    row = board.rows[board.rows["family"] == "Harder family"].iloc[0]
    assert row["sparklines"] == [[7, 4], [3, 5]]
    assert row["spark_who"] == "Mia, Dad"


def test_sparklines_follow_the_days_scored_and_name_the_goal_when_there_are_several(team):
    """A second goal, Dad's, scored for the 20th before the 12th was entered: his line runs
    by the day scored, and with two goals each line says whose and which goal."""
    from sqlmodel import select

    from db.store.engine import read_session
    from db.store.models import Person

    harder = team["families"]["harder"]
    with read_session() as session:
        dad = session.exec(
            select(Person.id).where(Person.family_id == harder, Person.name == "Dad")
        ).one()
    job = add_goal(
        team["sam"], family_id=harder, goal=GoalIn("A job interview", dad, set_on=date(2025, 3, 1))
    )
    for token, day, score in (("late", date(2025, 3, 20), 6), ("early", date(2025, 3, 12), 2)):
        record_scores(
            team["sam"],
            family_id=harder,
            token=token,
            scored_on=day,
            scores=[ScoreIn(job, score, person_id=dad)],
        )
    board = huddle.board(team["sam"], team["team"], week_start=MONDAY, today=TODAY)
    row = board.rows[board.rows["family"] == "Harder family"].iloc[0]
    assert row["sparklines"] == [[7, 4], [3, 5], [2, 6]]
    assert row["spark_who"] == "Mia (goal 1), Dad (goal 1), Dad (goal 2)"


# --- a week looked back on ---------------------------------------------------------------


def test_a_week_looked_back_on_counts_only_scores_given_by_its_end(team):
    """The week of 10 March, looked back on from 26 March: Mia scored 7 and Dad 3 on the
    10th; their 4 and 5 came on the 20th, the week after. That week's board shows neither a
    fall nor a rise, and its sparklines stop at its Sunday."""
    board = huddle.board(team["sam"], team["team"], week_start=date(2025, 3, 10), today=TODAY)
    sections = _sections(board)
    assert "harder" not in sections and "good_news" not in sections
    lines = board.rows[board.rows["family"] == "Harder family"]["sparklines"]
    assert all(line == [[7], [3]] for line in lines)
    # The week of the 17th holds the 20th: there Mia's fall and Dad's rise are news.
    board = huddle.board(team["sam"], team["team"], week_start=date(2025, 3, 17), today=TODAY)
    why = dict(zip(board.rows["section"], board.rows["why"]))
    assert "Mia (7 → 4)" in why["harder"] and why["good_news"] == "1 score went up."


def test_an_action_goes_only_to_a_worker_who_can_still_log_in(team):
    """A worker stopped from logging in isn't offered for an action, and a form drawn before
    they were stopped can't give them one either."""
    from db.admin import set_active
    from db.families import team_members
    from db.rules.validation import Invalid

    admin = factories.worker("huddle.admin", Role.admin)
    gone = factories.worker("gone.worker", Role.practitioner, teams=(team["team"],))
    set_active(admin, gone.worker_id, False)
    assert gone.worker_id not in set(team_members(team["sam"], team["team"])["worker_id"])
    huddle_id = huddle.hold(team["sam"], team["team"], on=TODAY)
    with pytest.raises(Invalid, match="can't log in any more"):
        huddle.talked_about(
            team["sam"],
            huddle_id=huddle_id,
            family_id=team["families"]["harder"],
            action="Visit on Friday",
            action_worker_id=gone.worker_id,
        )
    assert huddle.talked_about_ids(team["sam"], huddle_id) == set()


def test_families_whose_worker_left_or_moved_team_are_listed_until_taken_on(demo_db):
    """A worker stopped from logging in, or moved to another team, stayed named as the
    family's worker on every screen and nothing told the team: the huddle now lists them."""
    from db import admin, family_world

    team, elsewhere = factories.team("Leaving team"), factories.team("Elsewhere team")
    boss = factories.worker("boss", Role.admin)
    lead = factories.worker("lead", Role.manager, Role.practitioner, leads=(team,))
    dan = factories.worker("dan", Role.practitioner, teams=(team,))
    amy = factories.worker("amy", Role.practitioner, teams=(team,))
    left, moved, fine = (
        factories.family(team, name, first_came_on=date(2025, 1, 1))
        for name in ("Ash family", "Birch family", "Cedar family")
    )
    factories.relationship(left, dan.worker_id, date(2025, 1, 2))
    factories.relationship(moved, amy.worker_id, date(2025, 1, 2))
    factories.relationship(fine, lead.worker_id, date(2025, 1, 2))
    factories.relationship(moved, dan.worker_id, date(2025, 1, 2), role="supporting")

    def gone() -> dict[int, str]:
        rows = huddle.board(lead, team, today=TODAY).rows
        rows = rows[rows["section"] == "worker_gone"]
        return dict(zip(rows["family_id"], rows["why"].map(str)))

    assert gone() == {}
    admin.set_active(boss, dan.worker_id, False)
    details = admin.worker_details(boss, amy.worker_id)
    admin.update_worker(
        boss,
        amy.worker_id,
        seen_version=details["version"],
        name="Amy",
        roles=[Role.practitioner],
        team_ids=[elsewhere],
    )
    assert gone() == {  # the cached board sees both changes at once
        left: "Dan can't log in any more. See Working together on the family's page.",
        moved: "Amy has moved to another team. Dan can't log in any more. "
        "See Working together on the family's page.",
    }
    family_world.hand_over(
        lead, family_id=left, to_worker_id=lead.worker_id, reason="worker_left", on=TODAY
    )
    family_world.end_supporting(
        lead, family_id=moved, worker_id=dan.worker_id, reason="worker_left", on=TODAY
    )
    assert list(gone()) == [moved]
