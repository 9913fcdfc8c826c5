"""The continuity page (AppTest) and its pure chart builders."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pandas as pd
import pytest
from sqlmodel import select

from components import continuity_charts as charts
from db.i18n import N_, said, speaking
from db.store.engine import read_session
from db.store.models import AuditEvent, FamilyStatus, Note, NoteKind, Role
from tests import factories as make
from tests.apptest import all_text, assert_page_kept_from, chart_rows, chose_language, opened

TODAY = date.today()
PAGE = "pages/continuity.py"


@pytest.fixture
def two_teams(empty_db):
    """A manager of North only; South's family and worker must never show."""
    north = make.team("North Family Team")
    south = make.team("South Family Team")
    make.worker("mona", Role.manager, leads=(north,))
    zoe = make.worker("zoe", Role.practitioner, teams=(north,))
    adam = make.worker("adam", Role.practitioner, teams=(north,))
    sian = make.worker("sian", Role.practitioner, teams=(south,))
    hill = make.family(north, "The Hill family", first_came_on=TODAY - timedelta(days=300))
    make.relationship(
        hill,
        zoe.worker_id,
        TODAY - timedelta(days=290),
        TODAY - timedelta(days=100),
        end_reason="sickness",
    )
    make.relationship(hill, adam.worker_id, TODAY - timedelta(days=100), chosen_by_family=True)
    wait = make.family(
        north,
        "The Wait family",
        first_came_on=TODAY - timedelta(days=12),
        status=FamilyStatus.waiting,
    )
    hidden = make.family(
        south, "The Hidden Southern family", first_came_on=TODAY - timedelta(days=50)
    )
    make.relationship(hidden, sian.worker_id, TODAY - timedelta(days=40))
    return {"north": north, "south": south, "hill": hill, "wait": wait, "zoe": zoe.worker_id}


def open_page(username: str = "mona"):
    at = opened(username, PAGE)
    assert not at.exception, at.exception
    return at


def test_a_manager_sees_every_figure_defined_and_only_their_teams_families(two_teams):
    at = open_page()
    assert at.selectbox(key="continuity_team").options == ["North Family Team"]
    labels = [metric.label for metric in at.metric]
    assert len(labels) == 7 and "Meetings outside 9–5" in labels
    captions = " ".join(caption.value for caption in at.caption)
    assert (
        "before 09:00 or from 17:00 in the team's time zone, or on a Saturday or Sunday" in captions
    )
    assert "not a ranking" in captions and "not the worker's doing" in captions
    text = all_text(at)
    assert "The Hill family" in text and "The Wait family" in text
    assert "Hidden Southern" not in text and "Sian" not in text
    assert "South Family Team" not in text
    shown = [len(at.get("vega_lite_chart")) for _ in each_chart(at)]
    assert shown == [1, 1, 1, 1]  # every chart can be shown, one at a time


CHARTS = ["monthly_continuity", "relationship_spread", "caseload_per_worker", "waiting_over_time"]


def each_chart(at):
    for choice in CHARTS:
        at.segmented_control(key="continuity_chart").set_value(choice).run()
        assert not at.exception
        yield choice


def test_every_chart_has_a_sentence_for_screen_readers_and_only_its_own_columns(two_teams):
    at = open_page()
    for _ in each_chart(at):
        chart = at.get("vega_lite_chart")[0]
        assert chart.proto.alt.strip().endswith(".")
        rows = chart_rows(at)
        assert rows, "the chart carries its data"
        for row in rows:
            assert set(row) <= {
                "month",
                "share",
                "families",
                "length",
                "worker_id",
                "worker",
                "waiting",
            }


def table_with(at, column: str) -> pd.DataFrame:
    """The first table on screen with this column heading."""
    return next(frame.value for frame in at.dataframe if column in frame.value.columns)


def test_figures_click_down_to_the_families_behind_them(two_teams):
    at = open_page()
    at.selectbox(key="continuity_behind").set_value("waiting").run()
    assert not at.exception
    behind = at.dataframe[0].value
    assert list(behind["Family"]) == ["The Wait family"]
    assert "Open" not in behind.columns  # no link cells: a row is chosen instead

    workers = table_with(at, "Not their doing")
    assert list(workers["Worker"]) == ["Adam", "Zoe"]  # alphabetical, not by numbers
    assert list(workers["Not their doing"]) == [0, 1]  # sickness is not Zoe's doing

    at.selectbox(key="continuity_worker").set_value(two_teams["zoe"]).run()
    theirs = table_with(at, "Known since")
    assert list(theirs["Family"]) == ["The Hill family"]
    handovers = table_with(at, "Why")
    assert list(handovers["Why"]) == ["Sickness"]


def test_a_manager_adds_an_oversight_note_and_a_blank_one_is_refused(two_teams):
    at = open_page()
    at.button(key="FormSubmitter:continuity_note-Save the note").click().run()
    assert [e.value.replace("\\", "") for e in at.error] == ["Choose the family the note is about."]

    at.selectbox(key="continuity_note_family").set_value(two_teams["hill"])
    at.text_area(key="continuity_note_words").input("   ")
    at.button(key="FormSubmitter:continuity_note-Save the note").click().run()
    assert [e.value.replace("\\", "") for e in at.error] == [
        "Please write something for the note."  # the one note writer's words
    ]

    at.selectbox(key="continuity_note_family").set_value(two_teams["hill"])
    at.text_area(key="continuity_note_words").input("Agreed Adam stays main worker <b>now</b>.")
    at.button(key="FormSubmitter:continuity_note-Save the note").click().run()
    assert not at.exception
    assert [s.value.replace("\\", "") for s in at.success] == ["Saved to The Hill family's record."]
    assert at.text_area(key="continuity_note_words").value == ""
    with read_session() as session:
        notes = session.exec(select(Note)).all()
        audited = session.exec(select(AuditEvent).where(AuditEvent.record_type == "note")).all()
    assert [(n.family_id, n.kind, n.words, n.written_on) for n in notes] == [
        (two_teams["hill"], NoteKind.oversight, "Agreed Adam stays main worker <b>now</b>.", TODAY)
    ]
    assert len(audited) == 1


def test_a_welsh_manager_reads_the_stored_words_in_welsh_on_screen_and_in_the_downloads(two_teams):
    """Statuses and reasons stay Words in the (cached, shared) report, said at the screen."""
    from components import continuity_views as views
    from db import continuity

    manager = chose_language("mona", "cy")
    at = opened("mona", PAGE, speaking="cy")
    assert not at.exception, at.exception
    at.selectbox(key="continuity_worker").set_value(two_teams["zoe"]).run()
    assert not at.exception, at.exception
    with speaking("cy"):
        welsh = {words: said(N_(words)) for words in ("Working together", "Sickness")}
        headings = (
            "Where things are",
            "Why the worker changed",
            "Why (from them)",
            "Worker",
            "Why",
        )
        heading = {words: said(N_(words)) for words in headings}
    assert welsh["Working together"] != "Working together" and welsh["Sickness"] != "Sickness"

    families = table_with(at, heading["Why the worker changed"])
    hill = families.iloc[0]
    assert hill[heading["Where things are"]] == welsh["Working together"]
    assert hill[heading["Why the worker changed"]] == welsh["Sickness"]
    workers = table_with(at, heading["Why (from them)"]).set_index(heading["Worker"])
    assert workers.loc["Zoe", heading["Why (from them)"]] == f"{welsh['Sickness']} 1"
    assert list(table_with(at, heading["Why"])[heading["Why"]]) == [welsh["Sickness"]]

    # The figures under a chart, too: the lengths of time are the catalogue's words.
    with speaking("cy"):  # AppTest matches the choice by its words, in Welsh
        at.segmented_control(key="continuity_chart").set_value("relationship_spread").run()
    with speaking("cy"):
        length, under_3 = said(N_("Time with main worker")), said(N_("Under 3 months"))
    spread = table_with(at, length)
    assert under_3 != "Under 3 months" and under_3 in list(spread[length])

    # The downloads are made from the same tables, in the reader's words.
    report = continuity.team_report(manager, two_teams["north"])
    with speaking("cy"):
        csv = views.families_shown(report.families).to_csv()
    assert welsh["Working together"] in csv and "Working together" not in csv
    assert welsh["Sickness"] in csv and "Sickness" not in csv


def test_a_practitioner_never_reaches_the_page(two_teams):
    assert_page_kept_from("zoe", PAGE, "The Hill family")


def test_the_demo_manager_page_runs_for_both_led_teams(demo_db):
    at = open_page("manager")
    from db.rules.access import load_actor

    with read_session() as session:
        manager = load_actor(session, "manager")
    assert len(at.selectbox(key="continuity_team").options) == 2
    for team_id in sorted(manager.led_team_ids):
        at.selectbox(key="continuity_team").set_value(team_id).run()
        assert not at.exception
        assert len(at.metric) == 7


# --- pure chart builders ------------------------------------------------------------------


def test_the_caseload_chart_lists_workers_alphabetically_never_by_number():
    frame = pd.DataFrame(
        {"worker_id": [1, 2, 3], "worker": ["Zoe", "Adam", "Bea"], "families": [9, 2, 5]}
    )
    spec = charts.caseload_chart(frame).to_dict()
    assert spec["encoding"]["y"]["field"] == "worker_id"
    assert spec["encoding"]["y"]["sort"] == [2, 3, 1]
    assert spec["encoding"]["x"]["field"] == "families"
    rows = next(iter(spec["datasets"].values()))
    assert rows == [
        {"worker_id": 1, "worker": "Zoe", "families": 9},
        {"worker_id": 2, "worker": "Adam", "families": 2},
        {"worker_id": 3, "worker": "Bea", "families": 5},
    ]
    assert charts.describe_caseload(frame) == (
        "Families each worker is working with now, in alphabetical order: Adam 2, Bea 5, Zoe 9."
    )


def test_two_workers_with_one_name_are_two_bars_in_the_tables_order():
    """Bars by worker id, labelled by name, sorted as the workers' table is (whatever the
    capitals): one name for two workers never stacks their families into one bar."""
    frame = pd.DataFrame(
        {
            "worker_id": [7, 4, 9, 5],
            "worker": ["Sam Jones", "Sam Jones", "alex Brown", 'Beth "B" O\'Neil'],
            "families": [3, 2, 1, 1],
        }
    )
    spec = charts.caseload_chart(frame).to_dict()
    y = spec["encoding"]["y"]
    assert y["field"] == "worker_id" and y["type"] == "nominal"
    assert y["sort"] == [9, 5, 4, 7]  # alex Brown, Beth, then the two Sam Joneses by id
    label = y["axis"]["labelExpr"]
    assert label.endswith("[datum.value]")
    assert json.loads(label.removesuffix("[datum.value]")) == {
        "9": "alex Brown",
        "5": 'Beth "B" O\'Neil',
        "4": "Sam Jones",
        "7": "Sam Jones",
    }
    assert {"field": "worker", "type": "nominal", "title": "Worker"} in spec["encoding"]["tooltip"]
    assert charts.describe_caseload(frame).endswith(
        'alex Brown 1, Beth "B" O\'Neil 1, Sam Jones 2, Sam Jones 3.'
    )


def test_chart_builders_refuse_extra_columns_so_nothing_leaks():
    with pytest.raises(ValueError):
        charts.caseload_chart(
            pd.DataFrame(
                {
                    "worker_id": [1],
                    "worker": ["Zoe"],
                    "families": [1],
                    "family": ["The Hill family"],
                }
            )
        )


def test_the_other_charts_draw_what_they_say():
    monthly = pd.DataFrame(
        {
            "month": pd.to_datetime(["2025-11-01", "2025-12-01"]),
            "share": [0.5, 1.0],
            "families": [2, 3],
        }
    )
    spec = charts.monthly_continuity_chart(monthly).to_dict()
    assert spec["mark"]["type"] == "line"
    assert (spec["encoding"]["x"]["field"], spec["encoding"]["y"]["field"]) == ("month", "share")
    assert charts.describe_monthly(monthly) == (
        "Families who kept the same main worker all month: 50% in November 2025 and 100% in "
        "December 2025; the lowest was 50% in November 2025."
    )

    spread = pd.DataFrame({"length": ["Under 3 months", "3 to 6 months"], "families": [4, 1]})
    spec = charts.relationship_spread_chart(spread).to_dict()
    assert spec["encoding"]["x"]["sort"] == ["Under 3 months", "3 to 6 months"]
    assert charts.describe_spread(spread) == (
        "Of 5 families with a main worker now, time with that worker: 4 under 3 months, "
        "1 3 to 6 months."
    )

    waiting = pd.DataFrame(
        {"month": pd.to_datetime(["2025-11-01", "2025-12-01"]), "waiting": [4, 1]}
    )
    spec = charts.waiting_chart(waiting).to_dict()
    assert spec["encoding"]["y"]["field"] == "waiting"
    assert "1 at the end of December 2025" in charts.describe_waiting(waiting)


def test_choosing_a_row_opens_that_family_in_the_same_tab(two_teams):
    at = open_page()
    at.selectbox(key="continuity_behind").set_value("waiting").run()
    # What the browser sends when a row is chosen (its box clicked, or Shift+Space).
    at.session_state["continuity_behind_table"] = {
        "selection": {"rows": [0], "columns": [], "cells": []}
    }
    at.run()
    assert not at.exception
    assert at.query_params["family"] == str(two_teams["wait"])
    assert at.title[0].value == "The Wait family"


def test_tiles_show_a_short_value_and_the_of_how_many_underneath(two_teams):
    at = open_page()
    for metric in at.metric:
        assert len(metric.value) <= 9, f"{metric.label}: {metric.value!r} would be cut off"
        assert "(" not in metric.value
        assert len(metric.label) <= 24, f"{metric.label!r} would be cut off"
    captions = [caption.value for caption in at.caption]
    assert "1 of 1 families" in captions  # the Hill family chose Adam, their main worker


def test_a_missing_figure_is_a_word_not_none(two_teams):
    at = open_page()
    families = [f.value for f in at.dataframe if "Days to first meeting" in f.value.columns][-1]
    wait = families[families["Family"] == "The Wait family"].iloc[0]
    assert wait["Days to first meeting"] == "Not met yet"
    assert wait["Days with main worker"] == "No main worker yet"
    assert "None" not in families.astype(str).to_string()
