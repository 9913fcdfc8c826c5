"""The outcome figures as pure pandas, from hand-built frames: averaging several people's
scores of one goal, the period's edges, quarters, periods, small numbers hidden in exports,
and the board report (escaped, with every definition)."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date, timedelta

import pandas as pd
import pytest

from components import board_report
from components.outcomes_charts import TREND_COLUMNS, trend, trend_chart, trend_svg
from db.outcomes import (
    DEFINITIONS,
    SMALL_WORDS,
    OutcomesReport,
    by_quarter,
    exported_words,
    figure,
    figures_table,
    goal_moves,
    outcome_figures,
    periods,
    quarter_part,
    quarters,
)
from db.outcomes.definitions import SHARES
from db.outcomes.figures import GOAL_COLUMNS, HOME_COLUMNS, SCORE_COLUMNS, lookup
from db.settings import REAL_CHANGE_POINTS

D = date


def scores(*rows) -> pd.DataFrame:
    """(goal, family, whose, scorer, day, score) rows."""
    return pd.DataFrame(
        [(n, g, f, w, k, d, s) for n, (g, f, w, k, d, s) in enumerate(rows)], columns=SCORE_COLUMNS
    )


def goals(*rows) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=GOAL_COLUMNS)


NO_HOME = pd.DataFrame(columns=HOME_COLUMNS)


def test_the_real_change_is_the_one_setting_and_a_move_just_under_it_is_no_real_change():
    # 2 points is under 2.45: no real change; 3 points is a real change.
    frame = scores(
        (1, 10, "family", "p:1", D(2026, 1, 5), 4),
        (1, 10, "family", "p:1", D(2026, 3, 5), 6),
        (2, 10, "family", "p:1", D(2026, 1, 5), 4),
        (2, 10, "family", "p:1", D(2026, 3, 5), 7),
    )
    moves = goal_moves(frame, start=D(2026, 1, 1), end=D(2026, 12, 31))
    assert list(moves["direction"]) == ["no_real_change", "moved_up"]
    assert REAL_CHANGE_POINTS == 2.45
    assert f"{REAL_CHANGE_POINTS:g} points" in DEFINITIONS["moved_up"]


def test_two_people_giving_the_same_kind_of_score_are_averaged_and_a_goal_counts_once():
    frame = scores(
        (1, 10, "family", "p:1", D(2026, 1, 5), 2),  # Mum: +6
        (1, 10, "family", "p:1", D(2026, 3, 5), 8),
        (1, 10, "family", "p:2", D(2026, 1, 5), 5),  # Dad: 0
        (1, 10, "family", "p:2", D(2026, 3, 5), 5),
    )
    moves = goal_moves(frame, start=D(2026, 1, 1), end=D(2026, 12, 31))
    assert len(moves) == 1
    assert moves.iloc[0]["change"] == 3.0 and moves.iloc[0]["people"] == 2
    assert moves.iloc[0]["direction"] == "moved_up"


def test_a_score_after_the_period_is_not_seen_and_first_scores_before_it_count():
    frame = scores(
        (1, 10, "child", "p:3", D(2025, 6, 1), 1),  # before the period: the starting point
        (1, 10, "child", "p:3", D(2026, 2, 1), 5),  # in the period: the latest by its end
        (1, 10, "child", "p:3", D(2026, 9, 1), 0),  # after the period: not seen
    )
    found = outcome_figures(
        goals((1, 10, "working_on_it", D(2025, 6, 1))),
        frame,
        NO_HOME,
        start=D(2026, 1, 1),
        end=D(2026, 3, 31),
    ).figures
    assert figure(found, "moved_up", "child")["count"] == 1
    assert figure(found, "distance", "child")["value"] == 4.0
    assert figure(found, "goals_set")["count"] == 0
    assert figure(found, "moved_up", "family")["value"] is None  # nothing to share: no 0%


def test_an_achieved_goal_never_scored_counts_on_the_day_it_was_set_and_home_rounds_once():
    found = outcome_figures(
        goals((1, 10, "achieved", D(2026, 2, 1)), (2, 11, "set_aside", D(2026, 2, 1))),
        scores(),
        pd.DataFrame(
            [(10, D(2026, 2, 3)), (10, D(2026, 2, 9)), (11, D(2025, 2, 9))], columns=HOME_COLUMNS
        ),
        start=D(2026, 1, 1),
        end=D(2026, 3, 31),
    ).figures
    assert figure(found, "achieved")["count"] == 1
    assert figure(found, "at_home")["count"] == 1  # one family, however many rounds


def test_quarters_are_cut_to_the_period_and_periods_are_named():
    assert quarters(D(2026, 2, 10), D(2026, 7, 4)) == [
        ("Jan–Mar 2026", D(2026, 2, 10), D(2026, 3, 31)),
        ("Apr–Jun 2026", D(2026, 4, 1), D(2026, 6, 30)),
        ("Jul–Sep 2026", D(2026, 7, 1), D(2026, 7, 4)),
    ]
    named = periods(D(2026, 12, 3))
    assert named["The last 12 months"] == (D(2025, 12, 4), D(2026, 12, 3))
    assert named["This financial year so far"] == (D(2026, 4, 1), D(2026, 12, 3))
    assert named["Last financial year"] == (D(2025, 4, 1), D(2026, 3, 31))
    assert periods(D(2026, 2, 1))["This financial year so far"][0] == D(2025, 4, 1)


def test_fewer_than_5_families_behind_a_figure_is_hidden_in_exports_only():
    small = {"figure": "moved_up", "count": 2, "of": 3, "value": 2 / 3, "families": 4}
    assert exported_words({**small, "exportable": False}) == SMALL_WORDS == "fewer than 5"
    assert exported_words({**small, "exportable": True}) == "67% (2 of 3)"
    found = outcome_figures(
        goals((1, 10, "working_on_it", D(2026, 2, 1))),
        scores(),
        NO_HOME,
        start=D(2026, 1, 1),
        end=D(2026, 3, 31),
    ).figures
    on_screen = figures_table(found, exported=False)
    exported = figures_table(found, exported=True)
    assert on_screen.iloc[0]["Value"] == "1" and exported.iloc[0]["Value"] == SMALL_WORDS
    assert (exported["What it means"] != "").all()


def test_one_small_share_hidden_hides_the_next_smallest_so_it_cant_be_worked_out():
    """Moved up, no real change and moved down add up to every goal scored twice: with only
    the 3 that moved down hidden, 20 of 40 and 17 of 40 would give it away."""
    moves = {"up": (2, 8, 20), "same": (5, 5, 17), "down": (8, 2, 3)}
    goal_rows, score_rows, family = [], [], 0
    for first, latest, families in moves.values():
        for _ in range(families):
            family += 1
            goal_rows.append((family, 100 + family, "working_on_it", D(2026, 1, 2)))
            score_rows.append((family, 100 + family, "family", f"p:{family}", D(2026, 1, 5), first))
            score_rows.append(
                (family, 100 + family, "family", f"p:{family}", D(2026, 2, 5), latest)
            )
    found = outcome_figures(
        goals(*goal_rows), scores(*score_rows), NO_HOME, start=D(2026, 1, 1), end=D(2026, 3, 31)
    ).figures
    family_shares = lookup(found)
    assert [family_shares[(name, "family")]["families"] for name in SHARES] == [20, 17, 3]
    assert [exported_words(family_shares[(name, "family")]) for name in SHARES] == [
        "50% (20 of 40)",
        SMALL_WORDS,
        SMALL_WORDS,
    ]
    # Nothing scored by children or workers: all three of theirs hidden, none shown to subtract.
    assert not any(family_shares[(name, "child")]["exportable"] for name in SHARES)


def _many_families(n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows, goal_rows = [], []
    for family in range(n):
        goal_rows.append((family, 100 + family, "working_on_it", D(2026, 1, 2)))
        rows.append((family, 100 + family, "family", f"p:{family}", D(2026, 1, 5), 2))
        rows.append((family, 100 + family, "family", f"p:{family}", D(2026, 5, 5), 8))
    return goals(*goal_rows), scores(*rows)


FIRST_HALF = (D(2026, 1, 1), D(2026, 6, 30))


def _report(
    goal_frame,
    score_frame,
    names=("North <b>Team</b>",),
    *,
    start: date = FIRST_HALF[0],
    end: date = FIRST_HALF[1],
) -> OutcomesReport:
    found = outcome_figures(goal_frame, score_frame, NO_HOME, start=start, end=end)
    return OutcomesReport(
        team_ids=tuple(range(1, len(names) + 1)),
        team_names=names,
        start=start,
        end=end,
        figures=found.figures,
        behind=found.behind,
        quarterly=by_quarter(goal_frame, score_frame, NO_HOME, start=start, end=end),
        families=pd.DataFrame(columns=["family_id", "family", "team_id", "team"]),
    )


def test_the_board_report_is_escaped_defines_every_figure_and_hides_small_numbers():
    report = _report(*_many_families(6))
    html = board_report.render(report, made_on=D(2026, 7, 1))
    assert "North &lt;b&gt;Team&lt;/b&gt;" in html and "<b>Team" not in html
    for name, words in DEFINITIONS.items():
        assert str(words.replace("'", "&#39;")) in html, name
    assert "100% (6 of 6)" in html  # six families behind: shown
    assert "fewer than 5" in html  # children's and workers' views: none behind, hidden
    assert "<svg" in html and "polyline" in html and "@page { size: A4" in html
    few = board_report.render(_report(*_many_families(3)), made_on=D(2026, 7, 1))
    assert (
        "(3 of 3)" not in few
        and 'polyline fill="none" stroke="#1b6ca8" stroke-width="2.5" points=""' in few
    )


def test_the_trend_chart_draws_only_its_columns_one_line_per_kind_of_score():
    goal_frame, score_frame = _many_families(6)
    report = _report(goal_frame, score_frame)
    frame = trend(report.quarterly)
    assert list(frame.columns) == TREND_COLUMNS
    assert set(frame["whose"]) == {"The family's own scores", "Children's scores", "Workers' views"}
    spec = trend_chart(frame, title="Goals moved up").to_dict()
    assert spec["encoding"]["x"]["field"] == "quarter"
    svg = trend_svg(frame)
    assert [line["whose"] for line in svg["lines"]][0] == "The family's own scores"
    assert [label["text"] for label in svg["labels"]] == ["Jan–Mar 2026", "Apr–Jun 2026"]


def test_the_printed_trend_says_points_are_hidden_never_that_no_goal_was_scored_twice():
    # Three families' goals all moved up: scored twice, but too few families to draw a point.
    few = board_report.render(_report(*_many_families(3)), made_on=D(2026, 7, 1))
    assert "No goal was scored twice" not in few
    assert (
        "Fewer than 5 families are behind the share of goals that moved up by a real change "
        "in each quarter, so no point is drawn." in few
    )
    # Nothing scored at all: said so, in a sentence that reads.
    none = board_report.render(_report(goals(), scores()), made_on=D(2026, 7, 1))
    assert (
        "No goal was scored twice in these quarters, so there is no trend yet of goals that "
        "moved up by a real change." in none
    )
    # Six families: the point is drawn and described, nothing said hidden.
    many = board_report.render(_report(*_many_families(6)), made_on=D(2026, 7, 1))
    assert "Apr–Jun 2026" in many and "has no point" not in many


def _printed_pages(html: str, folder) -> int:
    """How many A4 pages Chromium prints the page on."""
    page, pdf = folder / "report.html", folder / "report.pdf"
    page.write_text(html, encoding="utf-8")
    subprocess.run(
        [
            shutil.which("chromium") or "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))


@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs Debian's chromium")
def test_the_board_report_of_two_years_prints_on_one_a4_page(tmp_path):
    # Two years of quarters (nine rows), every figure shown, three teams named.
    rows, goal_rows = [], []
    for family in range(40):
        set_on = D(2024, 12, 1) + timedelta(days=18 * family)
        goal_rows.append((family, 100 + family, "achieved", set_on))
        for n, (step, score) in enumerate([(0, 2), (30, 5), (80, 8)]):
            rows.append((family, 100 + family, "family", f"p:{family}", set_on, score))
            day = set_on + timedelta(days=step)
            rows.append((family, 100 + family, "child", f"c:{family}", day, score - n))
            rows.append((family, 100 + family, "worker", f"w:{family}", day, score))
    end = D(2026, 12, 7)
    report = _report(
        goals(*goal_rows),
        scores(*rows),
        ("Northfield Family Team", "Riverside Family Team", "Southgate Family Team"),
        start=D(2024, 12, 8),
        end=end,
    )
    html = board_report.render(report, made_on=end)
    assert html.count("<tr><td>") == 4 + 5 + 9  # the summary, by whose score, nine quarters
    assert _printed_pages(html, tmp_path) == 1


def test_a_quarter_cut_by_the_period_says_which_days_it_counts():
    assert str(quarter_part(D(2025, 12, 8), D(2025, 12, 31))) == "Oct–Dec 2025 (from 8 Dec 2025)"
    assert str(quarter_part(D(2026, 10, 1), D(2026, 12, 7))) == "Oct–Dec 2026 (to 7 Dec 2026)"
    assert str(quarter_part(D(2026, 1, 1), D(2026, 3, 31))) == "Jan–Mar 2026"
    assert str(quarter_part(D(2026, 2, 3), D(2026, 2, 3))) == "Jan–Mar 2026 (3 Feb 2026 only)"
    end = D(2026, 5, 4)
    report = _report(*_many_families(6), ("North",), start=D(2026, 2, 10), end=end)
    html = board_report.render(report, made_on=end)
    assert "<td>Jan–Mar 2026 (from 10 Feb 2026)</td>" in html
    assert "<td>Apr–Jun 2026 (to 4 May 2026)</td>" in html
