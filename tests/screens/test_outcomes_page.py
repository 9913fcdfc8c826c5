"""The "What changed for families" page (AppTest): every figure with its definition, the
period choice, the drill-down to the families behind a figure, the audited downloads, and
that only a manager of the team ever sees it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from db.store.engine import read_session
from db.store.models import AuditEvent
from tests import outcome_histories as history
from tests.apptest import all_text, assert_page_kept_from, chose_language, logged_in, opened

PAGE = "pages/outcomes.py"


@pytest.fixture
def built(empty_db):
    return history.build()


def open_page(username: str = "mona"):
    at = opened(username, PAGE)
    assert not at.exception, at.exception
    return at


def metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_a_manager_sees_every_figure_with_its_definition_and_only_their_team(built):
    at = open_page()
    assert at.selectbox(key="outcomes_period").value == "The last 12 months"
    assert metric(at, "Goals set") == "4"
    assert metric(at, "Goals scored at least twice") == "3"
    assert metric(at, "Goals achieved") == "1"
    assert metric(at, "Families who scored at home") == "1"
    by_whose = at.dataframe[0].value
    assert list(by_whose.columns) == [
        "Figure",
        "The family's own scores",
        "Children's scores",
        "Workers' views",
    ]
    up = by_whose[by_whose["Figure"] == "Moved up by a real change"].iloc[0]
    assert up["The family's own scores"] == "50% (1 of 2)"
    assert up["Workers' views"] == "0% (0 of 1)"
    captions = " ".join(c.value for c in at.caption)
    assert "at least 2.45 points above the first" in captions
    assert "never rank" in captions or "Nothing here ranks" in captions
    assert "never mixed with the family's scores" in captions
    text = all_text(at)
    assert "Southern" not in text and "South Family Team" not in text
    assert "Dale" not in text and "Zoe" not in text  # no worker is ever named
    assert len(at.get("vega_lite_chart")) == 1


def test_choosing_a_period_changes_the_figures(built):
    at = open_page()
    at.selectbox(key="outcomes_period").set_value("Dates I choose").run()
    at.date_input(key="outcomes_from").set_value(history.TODAY - timedelta(days=45)).run()
    assert not at.exception
    assert metric(at, "Goals set") == "0"
    assert metric(at, "Families who scored at home") == "0"
    assert metric(at, "Goals scored at least twice") == "3"
    at.date_input(key="outcomes_from").set_value(history.TODAY).run()
    at.date_input(key="outcomes_to").set_value(history.TODAY - timedelta(days=3)).run()
    assert [w.value for w in at.warning] == [
        "The period's first day must come before its last day."
    ]


def test_a_figure_drills_down_to_the_families_behind_it(built):
    at = open_page()
    at.selectbox(key="outcomes_behind").set_value(("moved_down", "family")).run()
    assert not at.exception
    behind = at.dataframe[-1].value
    assert list(behind["Family"]) == ["The Cedar family"]
    at.selectbox(key="outcomes_behind").set_value(("goals_set", "")).run()
    behind = at.dataframe[-1].value
    assert list(behind["Family"]) == ["The Ash family", "The Birch family", "The Cedar family"]
    assert list(behind["Goals counted"]) == [2, 1, 1]
    at.selectbox(key="outcomes_behind").set_value(("at_home", "")).run()
    assert list(at.dataframe[-1].value["Family"]) == ["The Birch family"]


def test_one_family_behind_a_figure_is_one_family(built):
    at = open_page()
    captions = [c.value for c in at.caption]
    assert "1 family" in captions and "1 families" not in captions  # scored at home: Birch
    at.selectbox(key="outcomes_behind").set_value(("at_home", "")).run()
    assert any(c.value.endswith(" 1 family.") for c in at.caption)
    assert not any("1 families" in c.value for c in at.caption)


def test_each_trend_can_be_shown(built):
    at = open_page()
    for key in ("moved_up", "no_real_change", "moved_down"):
        at.segmented_control(key="outcomes_trend").set_value(key).run()
        assert not at.exception
        assert len(at.get("vega_lite_chart")) == 1


def test_the_downloads_are_there_and_nothing_is_audited_until_one_is_made(built):
    at = open_page()
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Download the figures as CSV", "Download the board report (to print)"]
    with read_session() as session:
        exports = session.exec(select(AuditEvent).where(AuditEvent.action == "export")).all()
    assert exports == []


def test_a_practitioner_never_reaches_the_page(built):
    assert_page_kept_from("zoe", PAGE, "Ash")


def test_an_admin_alone_is_refused_too(built):
    direct = logged_in("ada", script=PAGE)
    direct.run()
    assert [w.value for w in direct.warning] == ["This page isn't available to you."]


def test_the_demo_manager_sees_both_led_teams_together(demo_db):
    at = open_page("manager")
    assert len(at.multiselect(key="outcomes_teams").value) == 2
    at.selectbox(key="outcomes_period").set_value("The last 2 years").run()
    assert not at.exception
    assert int(metric(at, "Goals scored at least twice")) > 0


def test_the_board_report_of_a_real_history_names_no_family_and_hides_small_numbers(built):
    from components import board_report
    from db import outcomes

    report = outcomes.board_report(
        built["mona"],
        (built["north"],),
        start_on=history.TODAY - timedelta(days=364),
        end_on=history.TODAY,
    )
    html = board_report.render(report, made_on=history.TODAY)
    assert "North Family Team" in html
    for name in ("Ash", "Birch", "Cedar", "Mia", "Mum", "Zoe", "Southern"):
        assert name not in html
    assert "50% (1 of 2)" not in html and "fewer than 5" in html
    with read_session() as session:
        audited = session.exec(
            select(AuditEvent).where(AuditEvent.record_type == "outcomes_board_report")
        ).all()
    assert len(audited) == 1


def test_a_team_with_no_families_yet_shows_its_name_and_no_figures_without_an_error(empty_db):
    from db.store.models import Role
    from tests import factories as make

    quiet = make.team("Quiet Team")
    make.worker("mona", Role.manager, leads=(quiet,))
    at = open_page()
    assert metric(at, "Goals set") == "0"
    assert "Quiet Team" in " ".join(c.value for c in at.caption)
    assert "no trend" in " ".join(c.value for c in at.caption)
    at.selectbox(key="outcomes_behind").set_value(("moved_up", "child")).run()
    assert [i.value for i in at.info] == ["No families are behind this figure in this period."]


def test_a_welsh_manager_reads_the_figures_their_definitions_and_quarters_in_welsh(built):
    chose_language("mona", "cy")
    at = opened("mona", PAGE, speaking="cy")
    assert not at.exception
    assert metric(at, "Nodau a osodwyd") == "4"  # Goals set
    assert metric(at, "Nodau a gafodd sgôr o leiaf ddwywaith") == "3"
    by_whose = at.dataframe[0].value
    assert list(by_whose.columns)[:2] == ["Ffigur", "Sgoriau'r teulu ei hun"]
    up = by_whose[by_whose["Ffigur"] == "Wedi symud i fyny o newid go iawn"].iloc[0]
    assert up["Sgoriau'r teulu ei hun"] == "50% (1 o 2)"
    captions = " ".join(c.value for c in at.caption)
    assert "o leiaf 2.45 pwynt yn uwch na'r gyntaf" in captions
    assert "points above the first" not in captions
    quarters = next(f.value for f in at.dataframe if "Chwarter" in f.value.columns)
    welsh_months = ("Ion–Maw", "Ebr–Meh", "Gor–Medi", "Hyd–Rhag")  # Babel's Welsh months
    chart = at.get("vega_lite_chart")[0]
    assert "Cyfran y nodau a symudodd i fyny o newid go iawn, fesul chwarter" in str(chart.proto)
    assert list(quarters["Chwarter"]) and all(
        q.startswith(welsh_months) for q in quarters["Chwarter"]
    ), list(quarters["Chwarter"])


def test_the_figures_csv_is_in_the_readers_words_and_audited_in_english(built):
    from components.i18n import said_table
    from db import i18n, outcomes
    from db.export import to_csv
    from db.rules.access import load_actor
    from db.store.clock import today_in

    with read_session() as session:
        mona = load_actor(session, "mona")
    team_ids = tuple(sorted(mona.led_team_ids))
    today = today_in()
    table = outcomes.export_figures(
        mona, team_ids, start_on=today - timedelta(days=364), end_on=today
    )
    with i18n.speaking("cy"):
        lines = to_csv(said_table(table)).decode("utf-8-sig").splitlines()
    assert lines[0].startswith('"Cyfnod","Ffigur","Sgoriau pwy","Gwerth"')
    assert '"Nodau a osodwyd"' in lines[1]  # Goals set
    assert any(
        line.startswith(('"Ion–Maw', '"Ebr–Meh', '"Gor–Medi', '"Hyd–Rhag')) for line in lines
    )
    english = to_csv(said_table(table)).decode("utf-8-sig")
    assert english.startswith('"Period","Figure"') and "Goals set" in english
    with read_session() as session:
        fields = session.exec(
            select(AuditEvent.fields).where(AuditEvent.record_type == "outcomes_figures")
        ).first()
    assert "Figure" in str(fields) and "Ffigur" not in str(fields)
