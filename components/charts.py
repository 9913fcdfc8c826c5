"""Pure Altair chart builders: a DataFrame in (only the columns and rows the chart may show, since
Altair sends all of it to the browser), an alt.Chart out, so tests can read the spec.

Each family sees its own journey: there is no chart that puts families side by side.
"""

from __future__ import annotations

import json
from typing import Any

import altair as alt
import pandas as pd

from db.i18n import N_, _

SCORE_SCALE = alt.Scale(domain=[0, 10])
QUIET = "#9c8f80"
LARGE_TEXT = 20  # px: a chart's words on a screen read from across a room
# A worker's view: dashed and quieter; family members' own lines: solid and prominent.
DASH = alt.Scale(domain=[False, True], range=[[1, 0], [5, 4]])
WIDTH = alt.Scale(domain=[False, True], range=[3, 1.5])
OPACITY = alt.Scale(domain=[False, True], range=[1.0, 0.6])

POINT_COLUMNS = ["scored_on", "score", "scorer", "is_worker_view", "label", "at_home"]
AT_HOME, IN_A_MEETING = N_("Scored at home"), N_("In a meeting")

# One colour per person on every chart of their family (staff page, conference screen, family
# copy). Family members and workers' views draw from separate sets, the workers' quieter.
PERSON_COLOURS = [
    "#8a5a00",
    "#2f6f8f",
    "#7a3e7a",
    "#3d7a3d",
    "#a33b3b",
    "#1f5fa8",
    "#b3541e",
    "#5a5a9e",
]
WORKER_VIEW_COLOURS = ["#6b6b6b", "#8c7a5b", "#5b7a8c", "#7a5b6b"]


def scorer_colours(scores: pd.DataFrame) -> dict[str, str]:
    """Scorer name → colour, from the scorer's own id (scorer_key "p:<person>" / "w:<worker>"),
    not from who happens to be on a chart: hiding a private goal from the conference screen
    never repaints anyone. In id order, a colour already taken moves on to the next free one,
    so people added to a family together never share a colour."""
    keys = scores[["scorer_key", "scorer"]].drop_duplicates("scorer_key")
    colours: dict[str, str] = {}
    for kind, palette in (("p", PERSON_COLOURS), ("w", WORKER_VIEW_COLOURS)):
        ours = sorted(
            (int(key.split(":", 1)[1]), name)
            for key, name in zip(keys["scorer_key"], keys["scorer"])
            if key.startswith(f"{kind}:")
        )
        taken: set[int] = set()
        for ident, name in ours:
            slot = ident % len(palette)
            while slot in taken and len(taken) < len(palette):
                slot = (slot + 1) % len(palette)
            taken.add(slot)
            colours[name] = palette[slot]
    return colours


def _colour_scale(names: pd.Series, colours: dict[str, str] | None) -> Any:
    """An explicit domain and range for the scorers on this chart, or Altair's default."""
    if colours is None:
        return alt.Undefined
    shown = [name for name in colours if name in set(names)]
    return alt.Scale(domain=shown, range=[colours[name] for name in shown])


SHORT_RANGE_DAYS = 100  # up to about three months, ticks are days: "4 Nov"


def date_axis(*dates: pd.Series, **axis) -> alt.Axis:
    """A time axis that never repeats a label: day and month ("4 Nov") over a short range,
    month and year ("Nov 2026") over a longer one, whole years over a very long one."""
    days = pd.concat([pd.to_datetime(pd.Series(d)) for d in dates]).dropna()
    span = (days.max() - days.min()).days if not days.empty else 0
    if span <= 21:
        format_, ticks = "%-d %b", {"interval": "day", "step": 1 if span <= 7 else 7}
    elif span <= SHORT_RANGE_DAYS:
        format_, ticks = "%-d %b", {"interval": "week", "step": 1}
    elif span <= 3 * 365:
        format_, ticks = "%b %Y", {"interval": "month", "step": 1 if span <= 400 else 3}
    else:
        format_, ticks = "%Y", {"interval": "year", "step": 1}
    return alt.Axis(format=format_, tickCount=ticks, labelAngle=0, **axis)


def goal_points(scores: pd.DataFrame, *, staff: bool) -> pd.DataFrame:
    """One goal's scores, cut down to what its chart draws; first and latest per scorer are
    labelled, and on staff charts a real change is flagged on the latest point."""
    from db.metrics import is_real_change

    if scores.empty:
        return pd.DataFrame(columns=POINT_COLUMNS + (["real_change"] if staff else []))
    ordered = scores.sort_values(["scored_on", "score_id"])
    if "at_home" not in ordered:
        ordered = ordered.assign(at_home=False)
    ordered = ordered.assign(at_home=ordered["at_home"].eq(True))
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
    colours: dict[str, str] | None = None,
    title: str = "",
    height: int = 260,
    large: bool = False,
) -> alt.LayerChart | alt.FacetChart:
    """One goal: a line per person who scores it, a worker's view dashed, meetings marked.
    `colours` (from scorer_colours over the family's scores) keeps each person's colour.
    `large`: for a shared screen read from across a room (bigger words, no name cut short)."""
    text_size = LARGE_TEXT if large else 13
    height = max(height, 340) if large else height
    x = alt.X(
        "scored_on:T",
        title=None,
        axis=date_axis(points["scored_on"], meeting_days.get("on", pd.Series(dtype=object))),
    )
    scale = _colour_scale(points["scorer"], colours)
    y = alt.Y("score:Q", scale=SCORE_SCALE, title=_("Score (0 to 10)"))
    lines = (
        alt.Chart(points)
        .mark_line(point=alt.OverlayMarkDef(size=60))
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "scorer:N",
                title=_("Who scored"),
                legend=alt.Legend(
                    orient="bottom",
                    labelFontSize=text_size,
                    titleFontSize=text_size,
                    labelLimit=0 if large else alt.Undefined,  # a name in full
                ),
                scale=scale,
            ),
            strokeDash=alt.StrokeDash("is_worker_view:N", scale=DASH, legend=None),
            strokeWidth=alt.StrokeWidth("is_worker_view:N", scale=WIDTH, legend=None),
            opacity=alt.Opacity("is_worker_view:N", scale=OPACITY, legend=None),
            tooltip=[
                alt.Tooltip("scorer:N", title=_("Who")),
                alt.Tooltip("scored_on:T", title=_("When"), format="%-d %b %Y"),
                alt.Tooltip("score:Q", title=_("Score")),
            ],
        )
    )
    labels = (
        alt.Chart(points)
        .transform_filter(alt.datum.label != "")
        .mark_text(dy=-16 if large else -12, fontSize=text_size, fontWeight="bold")
        .encode(x=x, y=y, text="score:Q", color=alt.Color("scorer:N", scale=scale))
    )
    layers = []
    if not meeting_days.empty:
        meetings = meeting_days.assign(on=pd.to_datetime(meeting_days["on"]))[["on"]]
        layers.append(
            alt.Chart(meetings)
            .mark_rule(color=QUIET, opacity=0.25)
            .encode(
                x=alt.X("on:T"),
                tooltip=[alt.Tooltip("on:T", title=_("Meeting"), format="%-d %b %Y")],
            )
        )
    layers += [lines, labels]
    if "at_home" in points and points["at_home"].astype(bool).any():
        # Scores the family gave in their own space: a square with its own legend, beside the
        # round points of scores given in meetings.
        at_home = _(AT_HOME)
        layers.append(
            alt.Chart(points)
            .transform_filter(alt.datum.at_home)
            # A string literal of the expression language, quoted as JSON quotes it: a
            # translation may hold an apostrophe or a quote mark.
            .transform_calculate(where=json.dumps(at_home, ensure_ascii=False))
            .mark_point(shape="square", size=150, filled=True, opacity=1)
            .encode(
                x=x,
                y=y,
                color=alt.Color("scorer:N", scale=scale, legend=None),
                shape=alt.Shape(
                    "where:N",
                    scale=alt.Scale(domain=[at_home], range=["square"]),
                    legend=alt.Legend(title=None, orient="bottom", labelFontSize=text_size),
                ),
                tooltip=[
                    alt.Tooltip("scorer:N", title=_("Who")),
                    alt.Tooltip("scored_on:T", title=at_home, format="%-d %b %Y"),
                    alt.Tooltip("score:Q", title=_("Score")),
                ],
            )
        )
    if staff and "real_change" in points and points["real_change"].any():
        layers.append(
            alt.Chart(points)
            .transform_filter(alt.datum.real_change)
            .mark_point(shape="diamond", size=260, filled=False, strokeWidth=2, color="#8a5a00")
            .encode(x=x, y=y, tooltip=[alt.Tooltip("scorer:N", title=_("Real change for"))])
        )
    chart = alt.layer(*layers).properties(height=height, width="container")
    if large:
        chart = chart.configure_axis(labelFontSize=text_size, titleFontSize=text_size)
    return chart.properties(title=title) if title else chart


def overview_chart(
    points: pd.DataFrame, *, colours: dict[str, str] | None = None, columns: int = 3
) -> alt.Chart | alt.FacetChart:
    """All of a family's goals as small multiples. Expects goal, scored_on, score, scorer,
    is_worker_view, and optionally at_home (scores the family gave in their own space, drawn
    as squares with a legend of their own)."""
    scale = _colour_scale(points["scorer"], colours)
    encoding: dict[str, Any] = {
        "x": alt.X("scored_on:T", title=None, axis=date_axis(points["scored_on"])),
        "y": alt.Y("score:Q", scale=SCORE_SCALE, title=None),
        "color": alt.Color("scorer:N", title=_("Who scored"), scale=scale),
    }
    home = "at_home" in points and points["at_home"].eq(True).any()
    if not home:
        base = (
            alt.Chart(points.drop(columns=["at_home"], errors="ignore"))
            .mark_line(point=True)
            .encode(
                **encoding, strokeDash=alt.StrokeDash("is_worker_view:N", scale=DASH, legend=None)
            )
            .properties(width=220, height=120)
        )
        return base.facet(
            facet=alt.Facet(
                "goal:N", title=None, header=alt.Header(labelFontSize=13, labelLimit=220)
            ),
            columns=columns,
        )
    at_home, in_a_meeting = _(AT_HOME), _(IN_A_MEETING)
    marked = points.assign(
        where=points["at_home"].eq(True).map({True: at_home, False: in_a_meeting})
    ).drop(columns=["at_home"])
    chart = alt.Chart(marked).encode(**encoding)
    lines = chart.mark_line().encode(
        strokeDash=alt.StrokeDash("is_worker_view:N", scale=DASH, legend=None)
    )
    dots = chart.mark_point(filled=True, size=60).encode(
        shape=alt.Shape(
            "where:N",
            title=None,
            scale=alt.Scale(domain=[in_a_meeting, at_home], range=["circle", "square"]),
        )
    )
    return (
        alt.layer(lines, dots, data=marked)
        .properties(width=220, height=120)
        .facet(
            facet=alt.Facet(
                "goal:N", title=None, header=alt.Header(labelFontSize=13, labelLimit=220)
            ),
            columns=columns,
        )
    )
