"""Pure chart builders for "What changed for families": an Altair chart for the screen and the
same lines as SVG coordinates for the printable board report, plus a sentence for screen
readers. Each takes only the columns it draws (Altair sends the whole frame to the browser).
Lines are the kinds of score (the family's own, children's, workers' views), never families or
workers."""

from __future__ import annotations

import altair as alt
import pandas as pd

from components.i18n import _
from db.outcomes import WHOSE, WHOSE_WORDS

TREND_COLUMNS = ["quarter", "order", "whose", "share"]
# One colour per kind of score, the same on screen and on paper; a worker's view dashed.
COLOURS = {
    WHOSE_WORDS["family"]: "#1b6ca8",
    WHOSE_WORDS["child"]: "#c2571a",
    WHOSE_WORDS["worker"]: "#6b5e50",
}


def trend(quarterly: pd.DataFrame, figure: str = "moved_up") -> pd.DataFrame:
    """quarter, order, whose (in words), share: one row per quarter and kind of score. A
    quarter with no goal scored twice has no share (a gap, not a 0)."""
    rows = quarterly[(quarterly["figure"] == figure) & quarterly["whose"].isin(WHOSE)]
    order = {name: n for n, name in enumerate(dict.fromkeys(quarterly["quarter"]))}
    frame = pd.DataFrame(
        {
            "quarter": rows["quarter"].astype(str),
            "order": rows["quarter"].map(order).astype(int),
            "whose": rows["whose"].map(WHOSE_WORDS),
            "share": rows["value"].astype(float),
        }
    )
    return frame[TREND_COLUMNS].reset_index(drop=True)


def trend_chart(frame: pd.DataFrame, *, title: str) -> alt.Chart:
    if list(frame.columns) != TREND_COLUMNS:
        raise ValueError(f"This chart draws exactly {TREND_COLUMNS}; got {list(frame.columns)}.")
    order = list(dict.fromkeys(frame.sort_values("order")["quarter"]))
    # The kinds of score in the reader's language, each keeping its colour.
    frame = frame.assign(whose=frame["whose"].map(_))
    domain = [_(whose) for whose in COLOURS]
    return (
        alt.Chart(frame, title=title)
        .mark_line(point=True)
        .encode(
            x=alt.X("quarter:N", title=_("Quarter"), sort=order, axis=alt.Axis(labelAngle=0)),
            y=alt.Y(
                "share:Q",
                title=_("Share of goals"),
                axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1]),
            ),
            color=alt.Color(
                "whose:N",
                title=_("Whose score"),
                scale=alt.Scale(domain=domain, range=list(COLOURS.values())),
            ),
            strokeDash=alt.StrokeDash(
                "whose:N",
                legend=None,
                scale=alt.Scale(domain=domain, range=[[1, 0], [1, 0], [5, 4]]),
            ),
            tooltip=[
                alt.Tooltip("quarter:N", title=_("Quarter")),
                alt.Tooltip("whose:N", title=_("Whose score")),
                alt.Tooltip("share:Q", title=_("Share"), format=".0%"),
            ],
        )
    )


def describe_trend(frame: pd.DataFrame, *, what: str) -> str:
    """One sentence per kind of score, for screen readers and the printed report."""
    if frame.empty or frame["share"].isna().all():
        return _(
            "No goal was scored twice in these quarters, so there is no trend yet of goals {what}.",
            what=what,
        )
    parts = []
    for whose, rows in frame.sort_values("order").groupby("whose", sort=False):
        known = rows.dropna(subset=["share"])
        if known.empty:
            continue
        first, last = known.iloc[0], known.iloc[-1]
        parts.append(
            _(
                "{whose}: {first} in {first_quarter}, {last} in {last_quarter}",
                whose=_(whose),
                first=f"{first['share']:.0%}",
                first_quarter=first["quarter"],
                last=f"{last['share']:.0%}",
                last_quarter=last["quarter"],
            )
        )
    return _("Share of goals {what}, by quarter. {parts}.", what=what, parts="; ".join(parts))


def trend_svg(frame: pd.DataFrame, width: int = 640, height: int = 220) -> dict:
    """The trend as coordinates for an SVG on the printed board report (0% at the bottom,
    100% at the top), with the quarters' names along the bottom."""
    pad_x, pad_top, pad_bottom = 40, 12, 28
    quarters = list(dict.fromkeys(frame.sort_values("order")["quarter"]))
    step = (width - 2 * pad_x) / max(len(quarters) - 1, 1)

    def x(n: int) -> float:
        return pad_x + step * n if len(quarters) > 1 else width / 2

    def y(share: float) -> float:
        return height - pad_bottom - (height - pad_top - pad_bottom) * share

    lines = []
    for whose in COLOURS:
        rows = frame[(frame["whose"] == whose) & frame["share"].notna()].sort_values("order")
        dots = [(f"{x(int(r.order)):.1f}", f"{y(float(r.share)):.1f}") for r in rows.itertuples()]
        lines.append(
            {
                "whose": whose,
                "colour": COLOURS[whose],
                "dashed": whose == WHOSE_WORDS["worker"],
                "dots": dots,
                "points": [f"{a},{b}" for a, b in dots],
            }
        )
    return {
        "width": width,
        "height": height,
        "lines": lines,
        "labels": [{"x": f"{x(n):.1f}", "text": name} for n, name in enumerate(quarters)],
        "grid": [{"y": f"{y(share):.1f}", "text": f"{share:.0%}"} for share in (0.0, 0.5, 1.0)],
        "label_y": height - 8,
    }
