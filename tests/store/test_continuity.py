"""Continuity: hand-built histories with known answers for every figure, scoping and
the manager's oversight note. Runs on SQLite and (TEST_DATABASE=postgresql) PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from sqlmodel import select

from db import continuity
from db.family_world import add_note
from db.rules.access import NotAllowed
from db.rules.validation import Invalid
from db.store.engine import read_session, write_session
from db.store.models import (
    AuditEvent,
    Family,
    FamilyStatus,
    FamilyStatusChange,
    HelpKind,
    MeetingStatus,
    Note,
    NoteKind,
    PracticalHelp,
    Role,
    Team,
)
from tests import audit
from tests import factories as make

TODAY = date(2025, 12, 31)
LONDON = ZoneInfo("Europe/London")


def london(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON).astimezone(timezone.utc)


def status(family_id: int, new: FamilyStatus, on: date) -> None:
    with write_session() as session:
        session.add(FamilyStatusChange(family_id=family_id, status=new, changed_on=on))
        family = session.get(Family, family_id)
        family.status = new
        session.add(family)


def help_given(family_id: int, on: date) -> None:
    with write_session() as session:
        session.add(
            PracticalHelp(
                family_id=family_id, kind=HelpKind.food, what="Food bank voucher", given_on=on
            )
        )


@pytest.fixture
def team(empty_db):
    team_id = make.team("North Family Team")
    manager = make.worker("mona", Role.manager, leads=(team_id,))
    workers = {
        name: make.worker(name, Role.practitioner, teams=(team_id,))
        for name in ("zoe", "adam", "bea", "carl")
    }
    return team_id, manager, workers


def report_of(team) -> continuity.TeamReport:
    """The team's report as its manager sees it today."""
    team_id, manager, _workers = team
    return continuity.team_report(manager, team_id, today=TODAY)


def row(report, family_id: int) -> pd.Series:
    families = report.families
    return families[families["family_id"] == family_id].iloc[0]


def worker_row(report, name: str) -> pd.Series:
    workers = report.workers
    return workers[workers["worker"] == name].iloc[0]


def leads_in_turn(family_id: int, *turns: tuple, **last_values) -> None:
    """The family's main workers one after another: each turn is (worker, started on, why it
    ended) and ends the day the next starts; the last turn (why None) is still going."""
    for (worker, started, reason), after in zip(turns, [*turns[1:], None]):
        if after is None:
            make.relationship(family_id, worker.worker_id, started, **last_values)
        else:
            make.relationship(family_id, worker.worker_id, started, after[1], end_reason=reason)


# --- per family ---------------------------------------------------------------------------


def test_three_lead_workers_in_a_year_count_three_and_handovers_keep_their_reasons(team):
    team_id, manager, w = team
    f = make.family(team_id, "The Hill family", first_came_on=date(2024, 6, 1))
    leads_in_turn(
        f,
        (w["carl"], date(2024, 6, 10), "worker_left"),
        (w["zoe"], date(2024, 12, 1), "sickness"),
        (w["adam"], date(2025, 4, 1), "team_change"),
        (w["bea"], date(2025, 8, 1), None),
        chosen_by_family=True,
    )
    # A supporting worker is not a main worker.
    make.relationship(f, w["carl"].worker_id, date(2025, 2, 1), role="supporting")

    report = report_of(team)
    hill = row(report, f)
    assert hill["lead_workers_12m"] == 3  # zoe, adam, bea overlap 2025
    assert hill["lead_workers_ever"] == 4
    assert hill["handovers"] == 3
    assert hill["handover_reasons"] == "Worker left; Sickness; Team change"
    assert hill["lead_worker"] == "Bea"
    assert hill["relationship_days"] == (TODAY - date(2025, 8, 1)).days
    assert bool(hill["chose_worker"]) is True


def test_relationship_from_1_january_to_1_july_2025_is_181_days(team):
    team_id, _manager, w = team
    f = make.family(team_id, "The Lane family", first_came_on=date(2024, 12, 20))
    with_zoe = (f, w["zoe"].worker_id, date(2025, 1, 1), date(2025, 7, 1))
    make.relationship(*with_zoe, end_reason="family_closed")
    status(f, FamilyStatus.closed, date(2025, 7, 1))
    report = report_of(team)
    lane = row(report, f)
    assert lane["relationship_days"] == 181
    assert lane["handovers"] == 0  # closing is not a handover
    assert lane["lead_worker"] == ""  # nobody works with them now
    assert bool(lane["chose_worker"]) is False


def test_a_reopened_family_without_a_main_worker_shows_none_of_the_last_ones_figures(team):
    """Days with the main worker and whether they chose them are the current main worker's;
    only a closed family shows its last one's."""
    team_id, _manager, w = team
    f = make.family(team_id, "The Hill family", first_came_on=date(2025, 1, 1))
    make.relationship(
        f,
        w["zoe"].worker_id,
        date(2025, 1, 10),
        date(2025, 6, 30),
        end_reason="family_closed",
        chosen_by_family=True,
    )
    status(f, FamilyStatus.closed, date(2025, 6, 30))
    status(f, FamilyStatus.waiting, date(2025, 12, 1))  # asked for help again
    report = report_of(team)
    hill = row(report, f)
    assert hill["lead_worker"] == ""
    assert pd.isna(hill["relationship_days"])
    assert pd.isna(hill["chose_worker"])
    assert hill["lead_workers_ever"] == 1  # Zoe was their main worker, all the same
    assert report.figures.with_lead == 1 and report.figures.chose_worker == 0
    assert continuity.families_behind(report.families, "chose_worker_share", today=TODAY).empty


def test_only_a_family_waiting_now_has_a_waiting_since(team):
    """A worker's start dated before the family's reopening leaves its history, read by date,
    ending in a wait: the family works with Zoe now, so it waits for nobody."""
    team_id, _manager, w = team
    f = make.family(team_id, "The Hill family", first_came_on=date(2025, 1, 1))
    status(f, FamilyStatus.closed, date(2025, 6, 1))
    status(f, FamilyStatus.waiting, date(2025, 11, 1))  # asked for help again
    status(f, FamilyStatus.working_together, date(2025, 10, 20))  # Zoe's first phone call
    make.relationship(f, w["zoe"].worker_id, date(2025, 10, 20))
    report = report_of(team)
    hill = row(report, f)
    assert hill["status"] == FamilyStatus.working_together.value
    assert pd.isna(hill["waiting_since"]) and pd.isna(hill["waiting_days"])
    assert report.figures.waiting == 0


def test_closing_then_coming_back_is_not_a_handover(team):
    team_id, manager, w = team
    f = make.family(team_id, "The Ash family", first_came_on=date(2025, 1, 1))
    zoe = w["zoe"].worker_id
    make.relationship(f, zoe, date(2025, 1, 5), date(2025, 3, 10), end_reason="family_closed")
    make.relationship(f, w["adam"].worker_id, date(2025, 5, 20))
    report = report_of(team)
    assert row(report, f)["handovers"] == 0
    assert row(report, f)["lead_workers_ever"] == 2


def test_closed_in_march_back_in_may_counts_as_a_return(team):
    team_id, manager, _w = team
    back = make.family(team_id, "The May family", first_came_on=date(2024, 11, 1))
    status(back, FamilyStatus.closed, date(2025, 3, 14))
    status(back, FamilyStatus.waiting, date(2025, 5, 2))
    late = make.family(team_id, "The Late family", first_came_on=date(2023, 6, 1))
    status(late, FamilyStatus.closed, date(2024, 1, 10))
    status(late, FamilyStatus.waiting, date(2025, 3, 1))  # 14 months later: not a return
    gone = make.family(team_id, "The Gone family", first_came_on=date(2025, 1, 1))
    status(gone, FamilyStatus.closed, date(2025, 6, 1))

    report = report_of(team)
    assert bool(row(report, back)["came_back"]) is True
    assert row(report, back)["came_back_on"] == date(2025, 5, 2)
    assert bool(row(report, late)["came_back"]) is False
    assert bool(row(report, gone)["came_back"]) is False
    assert report.figures.returns == 1
    behind = continuity.families_behind(report.families, "returns", today=TODAY)
    assert list(behind["family_id"]) == [back]


def test_return_within_12_months_of_closing_pure():
    history = pd.DataFrame(
        [
            (1, 7, "working_together", date(2025, 1, 1)),
            (2, 7, "closed", date(2025, 3, 31)),
            (3, 7, "waiting", date(2025, 5, 15)),
            (4, 8, "closed", date(2024, 1, 31)),
            (5, 8, "waiting", date(2025, 2, 1)),
        ],
        columns=continuity.STATUS_COLUMNS,
    )
    found = continuity.returns_after_closing(history)
    assert found.to_dict("records") == [
        {"family_id": 7, "closed_on": date(2025, 3, 31), "back_on": date(2025, 5, 15)}
    ]


def test_keeping_in_touch_after_closing_is_not_coming_back():
    history = pd.DataFrame(
        [
            (1, 7, "working_together", date(2025, 1, 1)),
            (2, 7, "closed", date(2025, 3, 31)),
            (3, 7, "keeping_in_touch", date(2025, 4, 15)),  # a light touch, not a return
            (4, 8, "closed", date(2025, 1, 31)),
            (5, 8, "keeping_in_touch", date(2025, 2, 10)),
            (6, 8, "working_together", date(2025, 6, 1)),  # reopened: back on this day
            (7, 9, "working_together", date(2025, 1, 1)),
            (8, 9, "keeping_in_touch", date(2025, 3, 1)),  # never closed: nothing to come back to
        ],
        columns=continuity.STATUS_COLUMNS,
    )
    found = continuity.returns_after_closing(history)
    assert found.to_dict("records") == [
        {"family_id": 8, "closed_on": date(2025, 1, 31), "back_on": date(2025, 6, 1)}
    ]


def test_a_closed_family_we_keep_in_touch_with_is_not_in_came_back(team):
    team_id, manager, _w = team
    f = make.family(team_id, "The Touch family", first_came_on=date(2024, 11, 1))
    status(f, FamilyStatus.closed, date(2025, 3, 14))
    status(f, FamilyStatus.keeping_in_touch, date(2025, 4, 2))
    report = report_of(team)
    assert bool(row(report, f)["came_back"]) is False
    assert report.figures.returns == 0


def test_meetings_outside_9_to_5_in_the_teams_time_across_the_clock_change(team):
    team_id, manager, _w = team
    f = make.family(team_id, "The Clock family", first_came_on=date(2025, 3, 1))
    # Clocks went forward in London at 01:00 UTC on Sunday 30 March 2025.
    outside = [
        london(2025, 3, 29, 10, 0),  # Saturday morning
        london(2025, 3, 31, 17, 30),  # Monday 17:30 BST = 16:30 UTC
        london(2025, 3, 31, 8, 30),  # before 9 (07:30 UTC)
        london(2025, 3, 27, 17, 0),
    ]  # from 17:00 GMT
    inside = [
        london(2025, 3, 28, 16, 59),  # Friday 16:59 GMT
        london(2025, 4, 1, 9, 0),  # 09:00 BST = 08:00 UTC: inside all the same
        london(2025, 4, 2, 16, 59),
    ]  # 16:59 BST = 15:59 UTC
    for at in outside + inside:
        make.meeting(f, at)
    make.meeting(f, london(2025, 4, 5, 11, 0), status=MeetingStatus.planned)  # not held
    make.meeting(f, london(2025, 4, 6, 11, 0), status=MeetingStatus.cancelled)

    report = report_of(team)
    clock = row(report, f)
    assert clock["meetings_12m"] == 7
    assert clock["outside_12m"] == 4
    assert clock["outside_share"] == pytest.approx(4 / 7)
    assert report.figures.meetings_12m == 7 and report.figures.outside_12m == 4
    # First came 1 March; first meeting held 27 March.
    assert clock["days_to_first_meeting"] == 26


def test_outside_9_to_5_classifier_follows_the_time_zone():
    starts = pd.Series(
        [
            datetime(2025, 3, 31, 16, 30, tzinfo=timezone.utc),  # 17:30 London (BST)
            datetime(2025, 3, 28, 16, 59, tzinfo=timezone.utc),  # 16:59 London (GMT)
            datetime(2025, 3, 29, 10, 0, tzinfo=timezone.utc),  # Saturday
            datetime(2025, 3, 10, 13, 30, tzinfo=timezone.utc),  # 09:30 New York (EDT, Monday)
            datetime(2025, 3, 7, 13, 30, tzinfo=timezone.utc),  # 08:30 New York (EST, Friday)
        ]
    )
    london_result = continuity.outside_nine_to_five(starts, "Europe/London")
    assert list(london_result[:3]) == [True, False, True]
    new_york = continuity.outside_nine_to_five(starts[3:], "America/New_York")
    assert list(new_york) == [False, True]


def test_days_to_first_meeting_uses_the_local_date_and_only_held_meetings(team):
    team_id, manager, _w = team
    f = make.family(team_id, "The Night family", first_came_on=date(2025, 4, 1))
    make.meeting(f, london(2025, 4, 3, 10, 0), status=MeetingStatus.cancelled)
    make.meeting(f, london(2025, 4, 11, 0, 30))  # 10 April 23:30 UTC, 11 April in London
    none_yet = make.family(
        team_id, "The Soon family", first_came_on=date(2025, 12, 1), status=FamilyStatus.waiting
    )
    report = report_of(team)
    assert row(report, f)["days_to_first_meeting"] == 10
    assert pd.isna(row(report, none_yet)["days_to_first_meeting"])


# --- per worker ---------------------------------------------------------------------------


def test_worker_figures_alphabetical_with_handovers_in_and_out(team):
    team_id, manager, w = team
    one = make.family(team_id, "The One family", first_came_on=date(2024, 1, 1))
    leads_in_turn(
        one,
        (w["zoe"], date(2024, 1, 10), "sickness"),
        (w["adam"], date(2025, 3, 1), "family_asked"),
        (w["bea"], date(2025, 9, 1), None),
    )
    two = make.family(team_id, "The Two family", first_came_on=date(2024, 12, 1))
    leads_in_turn(
        two, (w["zoe"], date(2025, 1, 1), "team_change"), (w["bea"], date(2025, 10, 1), None)
    )
    three = make.family(team_id, "The Three family", first_came_on=date(2025, 1, 1))
    make.relationship(three, w["adam"].worker_id, date(2025, 1, 2))  # known > 6 months
    make.relationship(three, w["bea"].worker_id, date(2025, 11, 1), role="supporting")
    old = make.family(team_id, "The Old family", first_came_on=date(2023, 1, 1))
    leads_in_turn(
        old, (w["carl"], date(2023, 1, 5), "worker_left"), (w["adam"], date(2024, 6, 1), None)
    )

    report = report_of(team)
    workers = report.workers
    assert list(workers["worker"]) == ["Adam", "Bea", "Carl", "Zoe"]  # never a ranking

    adam = worker_row(report, "Adam")
    assert adam["families_now"] == 2 and adam["as_main_worker"] == 2
    assert adam["caseload_12m"] == 3
    assert adam["known_over_6m"] == 2  # Three since Jan 2025, Old since 2024
    assert adam["handovers_in"] == 1 and adam["reasons_in"] == "Sickness 1"
    assert adam["handovers_out"] == 1 and adam["not_their_doing"] == 0
    assert adam["reasons_out"] == "The family asked 1"

    bea = worker_row(report, "Bea")
    assert bea["families_now"] == 3 and bea["as_main_worker"] == 2
    assert bea["known_over_6m"] == 0
    assert bea["handovers_in"] == 2

    zoe = worker_row(report, "Zoe")
    assert zoe["families_now"] == 0 and zoe["caseload_12m"] == 2
    assert zoe["handovers_out"] == 2 and zoe["not_their_doing"] == 2  # sickness, team change
    assert zoe["reasons_out"] == "Sickness 1, Team change 1"

    carl = worker_row(report, "Carl")  # handed over in 2024: not in the window
    assert carl["handovers_out"] == 0 and carl["caseload_12m"] == 0

    theirs = continuity.worker_families(
        report.relationships, report.families, w["adam"].worker_id, today=TODAY
    )
    assert list(theirs["family"]) == ["The Old family", "The One family", "The Three family"]
    assert list(theirs["known_over_6m"]) == [True, False, True]


def test_a_family_handed_back_and_forth_counts_once_in_each_workers_handovers():
    """The columns "Handed to them", "Handed on by them", "Not their doing" and the reasons count
    families, as their definitions say, not handovers."""
    rel = pd.DataFrame(
        [
            (1, 1, 10, "Zoe", "lead", date(2025, 2, 1), date(2025, 4, 1), False, "sickness"),
            (2, 1, 11, "Adam", "lead", date(2025, 4, 1), date(2025, 5, 1), False, "sickness"),
            (3, 1, 10, "Zoe", "lead", date(2025, 5, 1), date(2025, 6, 1), False, "sickness"),
            (4, 1, 11, "Adam", "lead", date(2025, 6, 1), None, False, None),
        ],
        columns=continuity.RELATIONSHIP_COLUMNS,
    )
    workers = pd.DataFrame([(10, "Zoe"), (11, "Adam")], columns=["worker_id", "worker"])
    figures = continuity.worker_figures(workers, rel, today=TODAY).set_index("worker")
    assert figures.loc["Adam", "handovers_in"] == 1  # twice, but one family
    assert figures.loc["Zoe", "handovers_out"] == 1 and figures.loc["Zoe", "not_their_doing"] == 1
    assert figures.loc["Zoe", "reasons_out"] == "Sickness 1"
    assert figures.loc["Adam", "handovers_out"] == 1 and figures.loc["Zoe", "handovers_in"] == 1


# --- per team -----------------------------------------------------------------------------


def test_team_figures_and_the_families_behind_them(team):
    team_id, manager, w = team
    a = make.family(team_id, "Family A", first_came_on=date(2025, 1, 1))
    make.relationship(a, w["zoe"].worker_id, date(2025, 1, 1), chosen_by_family=True)  # 364 days
    b = make.family(team_id, "Family B", first_came_on=date(2025, 1, 1))
    leads_in_turn(b, (w["zoe"], date(2025, 2, 1), "sickness"), (w["adam"], date(2025, 6, 1), None))
    # Adam has been the main worker 213 days.
    c = make.family(team_id, "Family C", first_came_on=date(2025, 9, 1))
    make.relationship(c, w["bea"].worker_id, date(2025, 10, 1), chosen_by_family=True)  # 91 days
    waiting_1 = make.family(
        team_id, "Family W1", first_came_on=date(2025, 12, 21), status=FamilyStatus.waiting
    )  # 10 days
    waiting_2 = make.family(
        team_id, "Family W2", first_came_on=date(2025, 12, 1), status=FamilyStatus.waiting
    )  # 30 days
    waiting_3 = make.family(
        team_id, "Family W3", first_came_on=date(2025, 11, 1), status=FamilyStatus.waiting
    )  # 60 days
    help_given(a, date(2025, 5, 1))
    help_given(a, date(2025, 6, 1))
    help_given(c, date(2025, 11, 1))
    help_given(c, date(2024, 11, 1))  # before the last 12 months
    # A family closed long ago is out of the team's figures altogether.
    old = make.family(team_id, "Family Old", first_came_on=date(2022, 1, 1))
    make.relationship(
        old, w["zoe"].worker_id, date(2022, 1, 1), date(2023, 1, 1), end_reason="family_closed"
    )
    status(old, FamilyStatus.closed, date(2023, 1, 1))

    report = report_of(team)
    figures = report.figures
    assert old not in set(report.families["family_id"])
    assert figures.open_families == 6
    assert figures.median_relationship_days == 213
    assert figures.with_lead == 3
    assert figures.kept_one_worker == 2 and figures.kept_one_worker_share == pytest.approx(2 / 3)
    assert figures.chose_worker == 2 and figures.chose_worker_share == pytest.approx(2 / 3)
    assert figures.waiting == 3 and figures.median_wait_days == 30
    assert figures.help_given_12m == 3 and figures.families_helped_12m == 2
    assert figures.returns == 0

    def behind(key):
        return list(continuity.families_behind(report.families, key, today=TODAY)["family"])

    assert behind("kept_one_worker") == ["Family A", "Family C"]
    assert behind("chose_worker_share") == ["Family A", "Family C"]
    assert behind("waiting") == ["Family W1", "Family W2", "Family W3"]
    assert behind("practical_help") == ["Family A", "Family C"]
    assert behind("median_relationship_days") == ["Family A", "Family B", "Family C"]
    assert set(continuity.TEAM_FIGURES) <= set(continuity.DEFINITIONS)

    spread = report.spread.set_index("length")["families"]
    assert spread["3 to 6 months"] == 1  # 91 days
    assert spread["6 to 12 months"] == 2  # 213 and 364 days
    assert spread.sum() == 3

    waiting = report.waiting_monthly.set_index("month")["waiting"]
    assert waiting[pd.Timestamp(2025, 12, 1)] == 3
    assert waiting[pd.Timestamp(2025, 11, 1)] == 1
    assert waiting[pd.Timestamp(2025, 10, 1)] == 0
    assert {waiting_1, waiting_2, waiting_3} <= set(report.families["family_id"])


def test_monthly_continuity_counts_families_who_kept_their_worker_all_month():
    rel = pd.DataFrame(
        [
            (1, 1, 11, "Zoe", "lead", date(2025, 1, 1), date(2025, 11, 15), False, "sickness"),
            (2, 1, 12, "Adam", "lead", date(2025, 11, 15), None, False, None),
            (3, 2, 11, "Zoe", "lead", date(2025, 6, 1), None, False, None),
            (4, 3, 13, "Bea", "lead", date(2025, 11, 3), None, False, None),  # new: not counted
        ],
        columns=continuity.RELATIONSHIP_COLUMNS,
    )
    monthly = continuity.monthly_continuity(rel, today=TODAY).set_index("month")
    assert len(monthly) == 12
    november = monthly.loc[pd.Timestamp(2025, 11, 1)]
    assert november["families"] == 2 and november["share"] == pytest.approx(0.5)
    december = monthly.loc[pd.Timestamp(2025, 12, 1)]
    assert december["families"] == 3 and december["share"] == pytest.approx(1.0)
    assert monthly.loc[pd.Timestamp(2025, 1, 1)]["families"] == 0
    assert pd.isna(monthly.loc[pd.Timestamp(2025, 1, 1)]["share"])


def test_a_family_closed_and_reopened_is_counted_from_a_whole_month_with_its_worker():
    """Counted only with a main worker both before the month began and at its end; kept only
    if it is the same relationship all month. Reopening with the same worker is a new
    relationship: the family had no main worker while closed."""
    rel = pd.DataFrame(
        [
            # Closed 30 June, reopened 1 October with Zoe again.
            (1, 1, 11, "Zoe", "lead", date(2025, 1, 1), date(2025, 6, 30), False, "family_closed"),
            (2, 1, 11, "Zoe", "lead", date(2025, 10, 1), None, False, None),
            # Closed 10 November, reopened 20 November with Bea again.
            (3, 2, 13, "Bea", "lead", date(2025, 1, 1), date(2025, 11, 10), False, "family_closed"),
            (4, 2, 13, "Bea", "lead", date(2025, 11, 20), None, False, None),
            (5, 3, 12, "Adam", "lead", date(2025, 1, 1), None, False, None),  # no change
        ],
        columns=continuity.RELATIONSHIP_COLUMNS,
    )
    monthly = continuity.monthly_continuity(rel, today=TODAY).set_index("month")

    def month(m: int) -> tuple[int, float]:
        row = monthly.loc[pd.Timestamp(2025, m, 1)]
        return row["families"], row["share"]

    assert month(6) == (2, 1.0)  # family 1 closed on the last day: no main worker at the end
    assert month(7) == (2, 1.0)  # families 2 and 3
    assert month(10) == (2, 1.0)  # family 1 had nobody on 30 September: not counted
    assert month(11) == (3, pytest.approx(2 / 3))  # family 2 was closed for ten days
    assert month(12) == (3, 1.0)  # each family kept its worker all December


# --- scoping ------------------------------------------------------------------------------


def test_a_manager_never_sees_another_teams_families_and_a_practitioner_is_refused(team):
    team_id, manager, w = team
    other = make.team("South Family Team")
    ours = make.family(team_id, "Our family", first_came_on=date(2025, 1, 1))
    theirs = make.family(other, "Their family", first_came_on=date(2025, 1, 1))
    someone = make.worker("sian", Role.practitioner, teams=(other,))
    make.relationship(theirs, someone.worker_id, date(2025, 1, 2))
    make.relationship(ours, w["zoe"].worker_id, date(2025, 1, 2))

    report = continuity.team_report(manager, team_id, today=TODAY)
    assert list(report.families["family_id"]) == [ours]
    assert "Sian" not in set(report.workers["worker"])
    assert list(continuity.led_teams(manager)["team_id"]) == [team_id]

    with pytest.raises(NotAllowed):
        continuity.team_report(manager, other, today=TODAY)
    with pytest.raises(NotAllowed):
        continuity.check_team(w["zoe"], team_id)  # a practitioner of the team
    assert continuity.led_teams(w["zoe"]).empty
    assert {(e.username, e.record_type, e.record_id) for e in audit.refusals()} == {
        ("mona", "team_continuity", other),
        ("zoe", "team_continuity", team_id),
    }


# --- oversight notes ----------------------------------------------------------------------


def test_a_manager_adds_a_dated_oversight_note_validated_and_audited(team):
    team_id, manager, w = team
    f = make.family(team_id, "The Note family", first_came_on=date(2025, 1, 1))
    with read_session() as session:
        before = session.get(Team, team_id).data_version
    words = "Agreed to keep Zoe as main worker through the move."
    note_id = add_note(
        manager,
        family_id=f,
        kind="oversight",
        words=f"  {words} ",
        written_on=date(2025, 6, 2),
        next_steps="Review in supervision",
    )
    with read_session() as session:
        note = session.get(Note, note_id)
        events = session.exec(select(AuditEvent).where(AuditEvent.record_type == "note")).all()
        after = session.get(Team, team_id).data_version
    assert (note.kind, note.words, note.written_on, note.written_by) == (
        NoteKind.oversight,
        words,
        date(2025, 6, 2),
        manager.worker_id,
    )
    assert [(e.action, e.family_id, e.record_id) for e in events] == [("create", f, note_id)]
    assert events[0].fields == "kind,next_steps,words,written_on"
    assert "Zoe" not in events[0].fields
    assert after == before + 1  # the cached figures are out of date

    oversight = {"kind": "oversight", "family_id": f}
    with pytest.raises(Invalid):
        add_note(manager, words="   ", **oversight)
    with pytest.raises(Invalid):
        add_note(manager, words="x" * 2001, **oversight)
    with pytest.raises(Invalid, match="future"):
        add_note(manager, words="Later", written_on=date.today() + timedelta(days=2), **oversight)
    with pytest.raises(Invalid, match="first came"):
        add_note(manager, words="Earlier", written_on=date(2024, 12, 31), **oversight)
    with pytest.raises(NotAllowed):  # a practitioner of the team: the decision is a manager's
        add_note(w["zoe"], words="Not mine to write", **oversight)
    other = make.team("East Family Team")
    elsewhere = make.family(other, "Elsewhere", first_came_on=date(2025, 1, 1))
    with pytest.raises(NotAllowed):
        add_note(manager, family_id=elsewhere, kind="oversight", words="Not my team")
    with read_session() as session:
        assert len(session.exec(select(Note)).all()) == 1


def test_demo_team_report_has_every_figure_and_lists_workers_alphabetically(demo_db):
    from db.rules.access import load_actor

    with read_session() as session:
        manager = load_actor(session, "manager")
    for team_id in sorted(manager.led_team_ids):
        report = continuity.team_report(manager, team_id)
        assert not report.families.empty
        names = list(report.workers["worker"])
        assert names == sorted(names, key=str.casefold)
        assert report.figures.with_lead > 0
