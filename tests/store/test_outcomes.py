"""Outcome figures from hand-built score histories, read from the store (SQLite, and PostgreSQL
with TEST_DATABASE=postgresql): every figure, a family with one score only, an achieved goal, a
goal whose wording changed half way, a withdrawn goal, an erased family, another team's family;
the period, the quarters, the drill-down, the cache and the audited exports."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from db import outcomes
from db.export import to_csv
from db.outcomes import SMALL_WORDS, figure, quarters
from db.rules.access import NotAllowed
from db.rules.validation import Invalid
from db.rules.writes import withdraw
from db.store.engine import read_session
from db.store.models import AuditEvent, Goal
from tests import outcome_histories as history
from tests.outcome_histories import TODAY, days_ago

YEAR = (days_ago(364), TODAY)


@pytest.fixture
def built(empty_db):
    return history.build()


def report_for(built, start=YEAR[0], end=YEAR[1]):
    return outcomes.outcomes_report(built["mona"], (built["north"],), start_on=start, end_on=end)


def values(report, name, whose=""):
    row = figure(report.figures, name, whose)
    return row["count"], row["of"], row["value"], row["families"]


def test_every_figure_from_a_hand_built_history(built):
    report = report_for(built)
    # Goals set: Ash 2 (the withdrawn one isn't counted), Birch 1, Cedar 1; Dale is erased.
    assert values(report, "goals_set")[0] == 4
    # Scored at least twice: Ash's two goals and Cedar's; Birch's goal has one score only.
    assert values(report, "scored_twice", "any")[:1] == (3,)
    # The family's own: Mum up 4 on "Calmer mornings", Gran down 4 on the edited goal.
    assert values(report, "scored_twice", "family")[0] == 2
    assert values(report, "moved_up", "family") == (1, 2, 0.5, 1)
    assert values(report, "no_real_change", "family") == (0, 2, 0.0, 0)
    assert values(report, "moved_down", "family") == (1, 2, 0.5, 1)
    assert values(report, "distance", "family")[2] == 0.0
    # Children's: Mia up 1 on the family goal (no real change), up 6 on her own goal.
    assert values(report, "moved_up", "child")[:3] == (1, 2, 0.5)
    assert values(report, "no_real_change", "child")[:3] == (1, 2, 0.5)
    assert values(report, "moved_down", "child")[:3] == (0, 2, 0.0)
    assert values(report, "distance", "child")[2] == 3.5
    # A worker's view stands apart: Zoe's up 1 is never mixed into the family's figures.
    assert values(report, "scored_twice", "worker")[0] == 1
    assert values(report, "no_real_change", "worker")[:3] == (1, 1, 1.0)
    assert values(report, "distance", "worker")[2] == 1.0
    assert values(report, "achieved") == (1, None, 1.0, 1)
    assert values(report, "at_home") == (1, None, 1.0, 1)


def test_the_families_behind_a_figure_are_named_alphabetically_and_only_the_teams(built):
    report = report_for(built)
    up = outcomes.families_behind(report, "moved_up", "family")
    assert list(up["family"]) == ["The Ash family"]
    down = outcomes.families_behind(report, "moved_down", "family")
    assert list(down["family"]) == ["The Cedar family"]  # the goal edited half way still counts
    set_ = outcomes.families_behind(report, "goals_set")
    assert list(set_["family"]) == ["The Ash family", "The Birch family", "The Cedar family"]
    assert list(set_["goals"]) == [2, 1, 1]
    home = outcomes.families_behind(report, "at_home")
    assert list(home["family"]) == ["The Birch family"]
    every = " ".join(report.families["family"])
    assert "Dale" not in every and "Southern" not in every


def test_a_shorter_period_counts_only_what_happened_in_it(built):
    report = report_for(built, days_ago(45), TODAY)
    assert values(report, "goals_set")[0] == 0
    # Latest scores in the period, measured from the very first score, before it.
    assert values(report, "scored_twice", "any")[0] == 3
    assert values(report, "at_home")[0] == 0  # the Birch family scored at home 50 days ago
    assert values(report, "achieved")[0] == 1
    earlier = report_for(built, days_ago(364), days_ago(100))
    assert values(earlier, "scored_twice", "any")[0] == 0  # only first scores by then
    assert values(earlier, "goals_set")[0] == 3  # Mia's goal was set 100 days ago: counted


def test_the_same_figures_by_quarter_make_a_trend(built):
    report = report_for(built)
    quarters = list(dict.fromkeys(report.quarterly["quarter"]))
    assert len(quarters) in (4, 5)
    set_by_quarter = report.quarterly[report.quarterly["figure"] == "goals_set"]["count"]
    assert int(set_by_quarter.sum()) == 4  # every goal set falls in one quarter
    first = report.quarterly.iloc[0]
    assert first["quarter_start"] == YEAR[0]  # the first quarter is cut to the period
    assert report.quarterly["quarter_end"].max() == TODAY


def test_an_erased_family_leaves_the_figures_and_the_cache_follows(empty_db):
    built = history.build(erase=False)
    before = report_for(built)
    assert values(before, "goals_set")[0] == 5
    assert values(before, "at_home")[0] == 2
    assert report_for(built) is before  # cached: same teams, versions and period
    history.erase_dale(built)
    after = report_for(built)
    assert after is not before
    assert values(after, "goals_set")[0] == 4 and values(after, "at_home")[0] == 1


def test_a_home_round_for_a_goal_withdrawn_as_a_mistake_no_longer_counts(built):
    assert values(report_for(built), "at_home")[:2] == (1, None)  # the Birch family
    with read_session() as session:
        bills = session.exec(
            select(Goal.id).where(Goal.family_id == built["birch"], Goal.wording.startswith("Get"))
        ).one()
    withdraw(built["zoe"], record_type="goal", record_id=bills, reason="Typed on the wrong family")
    after = report_for(built)
    assert values(after, "at_home")[0] == 0
    assert outcomes.families_behind(after, "at_home").empty


def test_a_practitioner_an_admin_and_another_teams_manager_are_refused(built):
    with pytest.raises(NotAllowed):
        outcomes.outcomes_report(built["zoe"], (built["north"],), start_on=YEAR[0], end_on=TODAY)
    with pytest.raises(NotAllowed):
        outcomes.outcomes_report(built["admin"], (built["north"],), start_on=YEAR[0], end_on=TODAY)
    with pytest.raises(NotAllowed):  # North's manager asking for South too
        outcomes.outcomes_report(
            built["mona"], (built["north"], built["south"]), start_on=YEAR[0], end_on=TODAY
        )
    with pytest.raises(NotAllowed):
        outcomes.outcomes_report(built["mona"], (), start_on=YEAR[0], end_on=TODAY)


def test_a_period_that_ends_before_it_starts_is_refused_in_words(built):
    with pytest.raises(Invalid, match="first day must come before"):
        report_for(built, TODAY, days_ago(10))


def test_the_csv_hides_small_numbers_and_is_audited_with_names_only(built):
    table = outcomes.export_figures(
        built["mona"], (built["north"],), start_on=YEAR[0], end_on=TODAY
    )
    assert set(table["Value"]) == {SMALL_WORDS}  # at most 3 families behind any figure
    assert set(table["Families behind it"]) == {SMALL_WORDS}
    assert table["What it means"].str.len().min() > 20  # every figure has its definition
    text = to_csv(table).decode("utf-8-sig")
    for name in ("Ash", "Birch", "Cedar", "Mia", "Zoe"):
        assert name not in text
    with read_session() as session:
        rows = session.exec(
            select(AuditEvent).where(AuditEvent.record_type == "outcomes_figures")
        ).all()
    assert [(r.action, r.record_id, r.worker_id) for r in rows] == [
        ("export", built["north"], built["mona"].worker_id)
    ]
    assert "Value" in rows[0].fields and "Ash" not in rows[0].fields


def test_the_csv_says_which_days_a_cut_quarter_counts(built):
    # From the sixth day of last quarter: that quarter counts only from then on.
    this_quarter = date(TODAY.year, 3 * ((TODAY.month - 1) // 3) + 1, 1)
    last_quarter = this_quarter - timedelta(days=80)
    start = date(last_quarter.year, 3 * ((last_quarter.month - 1) // 3) + 1, 6)
    table = outcomes.export_figures(built["mona"], (built["north"],), start_on=start, end_on=TODAY)
    first = quarters(start, TODAY)[0][0]
    assert f"{first} (from {start:%-d %b %Y})" in set(table["Period"].map(str))


def test_the_board_report_is_audited(built):
    report = outcomes.board_report(built["mona"], (built["north"],), start_on=YEAR[0], end_on=TODAY)
    assert values(report, "goals_set")[0] == 4
    with read_session() as session:
        rows = session.exec(
            select(AuditEvent).where(AuditEvent.record_type == "outcomes_board_report")
        ).all()
    assert [(r.action, r.record_id) for r in rows] == [("export", built["north"])]
