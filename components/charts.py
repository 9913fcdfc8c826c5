"""Pure Altair chart builders: a DataFrame in (only the columns and rows the chart may show, since
Altair sends all of it to the browser), an alt.Chart out, so tests can read the spec.

Each family sees its own journey: there is no chart that puts families side by side.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

SCORE_SCALE = alt.Scale(domain=[0, 10])
QUIET = "#9c8f80"
# A worker's view: dashed and quieter; family members' own lines: solid and prominent.
DASH = alt.Scale(domain=[False, True], range=[[1, 0], [5, 4]])
WIDTH = alt.Scale(domain=[False, True], range=[3, 1.5])
OPACITY = alt.Scale(domain=[False, True], range=[1.0, 0.6])

POINT_COLUMNS = ["scored_on", "score", "scorer", "is_worker_view", "label"]


def goal_points(scores: pd.DataFrame, *, staff: bool) -> pd.DataFrame:
    """One goal's scores, cut down to what its chart draws; first and latest per scorer are
    labelled, and on staff charts a real change is flagged on the latest point."""
    from db.metrics import is_real_change

    if scores.empty:
        return pd.DataFrame(columns=POINT_COLUMNS + (["real_change"] if staff else []))
    ordered = scores.sort_values(["scored_on", "score_id"])
    frames = []
    for _key, group in ordered.groupby("scorer_key", sort=False):
        group = group.copy()
        group["label"] = ""
        group.iloc[0, group.columns.get_loc("label")] = "first"
        if len(group) > 1:
            group.iloc[-1, group.columns.get_loc("label")] = "latest"
        if staff:
            moved = is_real_change(group["score"].iloc[-1] - group["score"].iloc[0])
            group["real_change"] = False
            if moved and not group["is_worker_view"].iloc[0]:
                group.iloc[-1, group.columns.get_loc("real_change")] = True
        frames.append(group)
    points = pd.concat(frames)
    points["scored_on"] = pd.to_datetime(points["scored_on"])
    return points[POINT_COLUMNS + (["real_change"] if staff else [])].reset_index(drop=True)


def goal_chart(
    points: pd.DataFrame,
    meeting_days: pd.DataFrame,
    *,
    staff: bool,
    title: str = "",
    height: int = 260,
) -> alt.LayerChart | alt.FacetChart:  # what alt.layer() is typed to return
    """One goal: a line per person who scores it, a worker's view dashed, meetings marked."""
    x = alt.X(
        "scored_on:T", title=None, axis=alt.Axis(format="%b %Y", labelAngle=0, tickCount="month")
    )
    y = alt.Y("score:Q", scale=SCORE_SCALE, title="Score (0 to 10)")
    lines = (
        alt.Chart(points)
        .mark_line(point=alt.OverlayMarkDef(size=60))
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "scorer:N",
                title="Who scored",
                legend=alt.Legend(orient="bottom", labelFontSize=13, titleFontSize=13),
            ),
            strokeDash=alt.StrokeDash("is_worker_view:N", scale=DASH, legend=None),
            strokeWidth=alt.StrokeWidth("is_worker_view:N", scale=WIDTH, legend=None),
            opacity=alt.Opacity("is_worker_view:N", scale=OPACITY, legend=None),
            tooltip=[
                alt.Tooltip("scorer:N", title="Who"),
                alt.Tooltip("scored_on:T", title="When", format="%-d %b %Y"),
                alt.Tooltip("score:Q", title="Score"),
            ],
        )
    )
    labels = (
        alt.Chart(points)
        .transform_filter(alt.datum.label != "")
        .mark_text(dy=-12, fontSize=13, fontWeight="bold")
        .encode(x=x, y=y, text="score:Q", color=alt.Color("scorer:N"))
    )
    layers = []
    if not meeting_days.empty:
        meetings = meeting_days.assign(on=pd.to_datetime(meeting_days["on"]))[["on"]]
        layers.append(
            alt.Chart(meetings)
            .mark_rule(color=QUIET, opacity=0.25)
            .encode(
                x=alt.X("on:T"), tooltip=[alt.Tooltip("on:T", title="Meeting", format="%-d %b %Y")]
            )
        )
    layers += [lines, labels]
    if staff and "real_change" in points and points["real_change"].any():
        layers.append(
            alt.Chart(points)
            .transform_filter(alt.datum.real_change)
            .mark_point(shape="diamond", size=260, filled=False, strokeWidth=2, color="#8a5a00")
            .encode(x=x, y=y, tooltip=[alt.Tooltip("scorer:N", title="Real change for")])
        )
    chart = alt.layer(*layers).properties(height=height, width="container")
    return chart.properties(title=title) if title else chart


def overview_chart(points: pd.DataFrame, *, columns: int = 3) -> alt.Chart:
    """All of a family's goals as small multiples. Expects goal, scored_on, score, scorer,
    is_worker_view."""
    base = (
        alt.Chart(points)
        .mark_line(point=True)
        .encode(
            x=alt.X("scored_on:T", title=None, axis=alt.Axis(format="%b %y", labelAngle=0)),
            y=alt.Y("score:Q", scale=SCORE_SCALE, title=None),
            color=alt.Color("scorer:N", title="Who scored"),
            strokeDash=alt.StrokeDash("is_worker_view:N", scale=DASH, legend=None),
        )
        .properties(width=220, height=120)
    )
    return base.facet(
        facet=alt.Facet("goal:N", title=None, header=alt.Header(labelFontSize=13, labelLimit=220)),
        columns=columns,
    )


def sparkline(points: pd.DataFrame) -> alt.Chart:
    """A tiny line of one goal's scores for the huddle: scored_on and score only."""
    return (
        alt.Chart(points)
        .mark_line(point=True)
        .encode(x=alt.X("scored_on:T", axis=None), y=alt.Y("score:Q", scale=SCORE_SCALE, axis=None))
        .properties(width=120, height=30)
    )
