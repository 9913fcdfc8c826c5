"""Chart specs: what is drawn, and nothing more than what is drawn."""

import json
from datetime import date

import pandas as pd

from components import charts
from db.i18n import speaking
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
    assert columns == {"scored_on", "score", "scorer", "is_worker_view", "label", "at_home", "on"}
    assert "score_id" not in columns and "scorer_key" not in columns


def test_scores_made_at_home_are_squares_with_their_own_legend():
    home = CLIMB.assign(at_home=[False] * (len(CLIMB) - 1) + [True])
    spec = _goal_spec(home, staff=True)
    squares = [layer for layer in _layers(spec) if layer["mark"].get("shape") == "square"]
    assert len(squares) == 1
    assert squares[0]["encoding"]["shape"]["scale"]["domain"] == ["Scored at home"]
    assert not [
        layer
        for layer in _layers(_goal_spec(CLIMB, staff=True))
        if layer["mark"].get("shape") == "square"
    ]


def test_the_at_home_legend_and_tooltips_speak_the_familys_language_even_with_an_apostrophe(
    monkeypatch,
):
    """A family reading in Urdu read "Scored at home", "Who" and "Score" in English; the
    legend's words were once written into a Vega expression, which an apostrophe breaks."""
    home = CLIMB.assign(at_home=[False] * (len(CLIMB) - 1) + [True])
    with speaking("ur"):
        square = next(
            layer
            for layer in _layers(_goal_spec(home, staff=False))
            if layer["mark"].get("shape") == "square"
        )
        overview = charts.overview_chart(
            home.assign(goal="Calmer bedtimes", scored_on=pd.to_datetime(home["scored_on"]))
        ).to_dict()
    assert square["encoding"]["shape"]["scale"]["domain"] == ["گھر پر اسکور دیا"]
    assert [t["title"] for t in square["encoding"]["tooltip"]] == [
        "کون",
        "گھر پر اسکور دیا",
        "اسکور",
    ]
    shapes = overview["spec"]["layer"][1]["encoding"]["shape"]["scale"]["domain"]
    assert shapes == ["ملاقات میں", "گھر پر اسکور دیا"]

    awkward = 'The family\'s "own" score'
    monkeypatch.setattr(charts, "_", lambda words: awkward if words == charts.AT_HOME else words)
    square = next(
        layer
        for layer in _layers(_goal_spec(home, staff=False))
        if layer["mark"].get("shape") == "square"
    )
    (calculate,) = [step["calculate"] for step in square["transform"] if "calculate" in step]
    assert json.loads(calculate) == awkward  # one string literal, whatever its marks
    assert square["encoding"]["shape"]["scale"]["domain"] == [awkward]


def test_family_overview_is_small_multiples_by_goal():
    frame = CLIMB.assign(goal="Calmer bedtimes", scored_on=pd.to_datetime(CLIMB["scored_on"]))
    spec = charts.overview_chart(
        frame[["goal", "scored_on", "score", "scorer", "is_worker_view"]]
    ).to_dict()
    assert spec["facet"]["field"] == "goal"
    assert spec["columns"] == 3


def _x_axis(spec: dict) -> dict:
    lines = next(layer for layer in _layers(spec) if layer["mark"]["type"] == "line")
    return lines["encoding"]["x"]["axis"]


def test_a_year_of_scores_is_labelled_month_and_full_year():
    year = scores((1, "p:1", date(2025, 11, 1), 2), (1, "p:1", date(2026, 11, 1), 6))
    points = charts.goal_points(year, staff=False)
    axis = _x_axis(charts.goal_chart(points, pd.DataFrame(columns=["on"]), staff=False).to_dict())
    assert axis["format"] == "%b %Y"  # "Nov 2026", never "Nov 26"
    assert axis["tickCount"] == {"interval": "month", "step": 1}  # one label per month


def test_a_few_weeks_of_scores_are_labelled_by_day_and_month():
    weeks = scores((1, "p:1", date(2026, 11, 2), 2), (1, "p:1", date(2026, 11, 30), 5))
    points = charts.goal_points(weeks, staff=False)
    axis = _x_axis(charts.goal_chart(points, pd.DataFrame(columns=["on"]), staff=False).to_dict())
    assert axis["format"] == "%-d %b"  # "2 Nov", "9 Nov": not "Nov 2026" five times
    assert axis["tickCount"]["interval"] == "week"


def test_the_overview_never_writes_a_two_digit_year():
    frame = CLIMB.assign(goal="Calmer bedtimes", scored_on=pd.to_datetime(CLIMB["scored_on"]))
    spec = charts.overview_chart(
        frame[["goal", "scored_on", "score", "scorer", "is_worker_view"]]
    ).to_dict()
    assert spec["spec"]["encoding"]["x"]["axis"]["format"] != "%b %y"


def test_continuity_months_are_labelled_once_each_with_the_full_year():
    from components import continuity_charts

    months = pd.date_range("2025-12-01", periods=12, freq="MS")
    monthly = pd.DataFrame({"month": months, "share": 0.5, "families": 4})
    waiting = pd.DataFrame({"month": months, "waiting": 2})
    for chart in (
        continuity_charts.monthly_continuity_chart(monthly),
        continuity_charts.waiting_chart(waiting),
    ):
        axis = chart.to_dict()["encoding"]["x"]["axis"]
        assert axis["format"] == "%b %Y"
        assert axis["tickCount"] == {"interval": "month", "step": 1}


def _colour_of(spec: dict) -> dict[str, str]:
    lines = next(layer for layer in _layers(spec) if layer["mark"]["type"] == "line")
    scale = lines["encoding"]["color"]["scale"]
    return dict(zip(scale["domain"], scale["range"]))


def test_a_person_keeps_their_colour_on_every_goal_and_on_the_overview():
    family = scores(
        (1, "p:1", date(2025, 1, 1), 2),
        (1, "p:2", date(2025, 1, 1), 3),
        (1, "w:9", date(2025, 1, 1), 4),
        (2, "p:2", date(2025, 2, 1), 5),  # Dad alone on goal 2: first on that chart
        (2, "p:2", date(2025, 3, 1), 6),
    )
    colours = charts.scorer_colours(family)
    first, second = (
        charts.goal_chart(
            charts.goal_points(family[family["goal_id"] == goal], staff=False),
            pd.DataFrame(columns=["on"]),
            staff=False,
            colours=colours,
        ).to_dict()
        for goal in (1, 2)
    )
    assert _colour_of(second) == {"Dad": _colour_of(first)["Dad"]}
    assert len(set(_colour_of(first).values())) == 3  # three people, three colours
    overview = charts.overview_chart(
        family.assign(
            goal=family["goal_id"].astype(str), scored_on=pd.to_datetime(family["scored_on"])
        )[["goal", "scored_on", "score", "scorer", "is_worker_view"]],
        colours=colours,
    ).to_dict()
    scale = overview["spec"]["encoding"]["color"]["scale"]
    assert dict(zip(scale["domain"], scale["range"])) == _colour_of(first)


def test_a_colour_follows_the_person_not_who_else_is_on_the_screen():
    everyone = scores((1, "p:1", date(2025, 1, 1), 2), (1, "p:2", date(2025, 1, 1), 3))
    without_mia = everyone[everyone["scorer_key"] == "p:2"]  # e.g. Mia's goal kept private
    assert charts.scorer_colours(without_mia)["Dad"] == charts.scorer_colours(everyone)["Dad"]
    assert charts.scorer_colours(everyone)["Mia"] != charts.scorer_colours(everyone)["Dad"]
