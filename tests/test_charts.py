"""Chart specs: what is drawn, and nothing more than what is drawn."""

from datetime import date

import pandas as pd

from components import charts
from tests.test_metrics import scores


def _layers(spec: dict) -> list[dict]:
    return spec["layer"]


def _datasets(spec: dict) -> list[list[dict]]:
    return list(spec["datasets"].values())


def _goal_spec(frame, staff: bool) -> dict:
    points = charts.goal_points(frame, staff=staff)
    meetings = pd.DataFrame({"on": [date(2025, 1, 1), date(2025, 3, 1)]})
    return charts.goal_chart(points, meetings, staff=staff).to_dict()


CLIMB = scores(
    (1, "p:1", date(2025, 1, 1), 2),
    (1, "p:1", date(2025, 3, 1), 6),
    (1, "w:9", date(2025, 1, 1), 3),
    (1, "w:9", date(2025, 3, 1), 4),
)


def test_a_line_per_scorer_and_the_worker_view_dashed_and_quieter():
    spec = _goal_spec(CLIMB, staff=True)
    lines = next(layer for layer in _layers(spec) if layer["mark"]["type"] == "line")
    encoding = lines["encoding"]
    assert encoding["color"]["field"] == "scorer"
    assert encoding["y"]["scale"]["domain"] == [0, 10]
    assert encoding["strokeDash"]["field"] == "is_worker_view"
    assert encoding["strokeDash"]["scale"]["range"][1] != [1, 0]  # dashed for a worker's view
    assert encoding["opacity"]["scale"]["range"] == [1.0, 0.6]


def test_meetings_are_marked_and_first_and_latest_labelled():
    spec = _goal_spec(CLIMB, staff=False)
    marks = [layer["mark"]["type"] for layer in _layers(spec)]
    assert "rule" in marks and "text" in marks
    points = charts.goal_points(CLIMB, staff=False)
    mia = points[points["scorer"] == "Mia"]
    assert mia["label"].tolist() == ["first", "latest"]


def test_real_change_is_marked_only_on_staff_charts_and_only_when_crossed():
    staff = _goal_spec(CLIMB, staff=True)  # Mia moved 4: a real change
    family = _goal_spec(CLIMB, staff=False)
    small = _goal_spec(
        scores((1, "p:1", date(2025, 1, 1), 2), (1, "p:1", date(2025, 3, 1), 4)), staff=True
    )

    def diamonds(spec):
        return [layer for layer in _layers(spec) if layer["mark"]["type"] == "point"]

    assert len(diamonds(staff)) == 1
    assert diamonds(family) == [] and diamonds(small) == []
    assert "real_change" not in str(family)


def test_chart_data_holds_only_the_drawn_columns():
    spec = _goal_spec(CLIMB, staff=False)
    columns = {key for rows in _datasets(spec) for row in rows for key in row}
    assert columns == {"scored_on", "score", "scorer", "is_worker_view", "label", "on"}
    assert "score_id" not in columns and "scorer_key" not in columns


def test_family_overview_is_small_multiples_by_goal():
    frame = CLIMB.assign(goal="Calmer bedtimes", scored_on=pd.to_datetime(CLIMB["scored_on"]))
    spec = charts.overview_chart(
        frame[["goal", "scored_on", "score", "scorer", "is_worker_view"]]
    ).to_dict()
    assert spec["facet"]["field"] == "goal"
    assert spec["columns"] == 3
