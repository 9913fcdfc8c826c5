"""Pure Altair builders for the continuity page, and a sentence for each chart for screen
readers.

Each builder takes a DataFrame holding only the columns it draws (Altair sends the whole frame
to the browser, so anything extra would leak) and returns an alt.Chart; tests inspect its
.to_dict(). Workers are drawn in alphabetical order, never sorted by their numbers.
"""

from __future__ import annotations

import json

import altair as alt
import pandas as pd
from babel.numbers import format_percent

from components.charts import date_axis
from db.i18n import BABEL_LOCALES, _, current, month_and_year

MONTHLY_COLUMNS = ["month", "share", "families"]
SPREAD_COLUMNS = ["length", "families"]
CASELOAD_COLUMNS = ["worker_id", "worker", "families"]
WAITING_COLUMNS = ["month", "waiting"]


def _only(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    if list(frame.columns) != columns:
        raise ValueError(
            f"This chart draws exactly the columns {columns}; got {list(frame.columns)}."
        )
    return frame


def monthly_continuity_chart(frame: pd.DataFrame) -> alt.Chart:
    data = _only(frame, MONTHLY_COLUMNS)
    return (
        alt.Chart(data, title=_("Families who kept the same main worker all month"))
        .mark_line(point=True)
        .encode(
            x=alt.X("month:T", title=_("Month"), axis=date_axis(data["month"])),
            y=alt.Y(
                "share:Q",
                title=_("Kept the same main worker"),
                axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1]),
            ),
            tooltip=[
                alt.Tooltip("month:T", title=_("Month"), format="%B %Y"),
                alt.Tooltip("share:Q", title=_("Kept the same main worker"), format=".0%"),
                alt.Tooltip("families:Q", title=_("Families counted")),
            ],
        )
    )


def _counted_bars(
    data: pd.DataFrame,
    title: str,
    *,
    along: alt.X | alt.Y,
    count: str,
    count_title: str,
    along_tip: alt.Tooltip,
    count_tip: str | None = None,
) -> alt.Chart:
    """A bar for each length of time, worker or month, as long as a whole count of families;
    its tooltip says which one (`along_tip`) and the count (titled `count_tip`, or as the
    axis is)."""
    tooltip = [along_tip, alt.Tooltip(count, title=count_tip or count_title)]
    whole = alt.Axis(tickMinStep=1)
    channels = (
        {"x": along, "y": alt.Y(count, title=count_title, axis=whole)}
        if isinstance(along, alt.X)
        else {"y": along, "x": alt.X(count, title=count_title, axis=whole)}
    )
    return alt.Chart(data, title=title).mark_bar().encode(**channels, tooltip=tooltip)


def relationship_spread_chart(frame: pd.DataFrame) -> alt.Chart:
    data = _only(frame, SPREAD_COLUMNS)
    data = data.assign(length=data["length"].map(_))  # the bands' names, in the catalogue
    return _counted_bars(
        data,
        _("How long families have had their main worker"),
        along=alt.X(
            "length:N",
            title=_("Time with their main worker"),
            sort=list(data["length"]),
            axis=alt.Axis(labelAngle=0),
        ),
        count="families:Q",
        count_title=_("Families"),
        along_tip=alt.Tooltip("length:N", title=_("Time with main worker")),
    )


def alphabetical(frame: pd.DataFrame) -> pd.DataFrame:
    """Workers in the order of the workers' table: by name whatever its capitals, then by id
    (two workers may share a name)."""
    return frame.assign(_key=frame["worker"].astype(str).str.casefold()).sort_values(
        ["_key", "worker_id"]
    )[list(frame.columns)]


def caseload_chart(frame: pd.DataFrame) -> alt.Chart:
    """Families per worker now, workers alphabetical (for allocation, not a ranking). A bar
    for each worker, by id, labelled by name: two workers with one name are two bars."""
    data = _only(frame, CASELOAD_COLUMNS)
    ordered = alphabetical(data)
    names = {str(int(i)): str(name) for i, name in zip(ordered["worker_id"], ordered["worker"])}
    return _counted_bars(
        data,
        _("Families each worker is working with now"),
        along=alt.Y(
            "worker_id:N",
            title=_("Worker"),
            sort=[int(i) for i in ordered["worker_id"]],
            # Names as JSON string literals in a Vega expression: whatever a name holds, it is
            # read as text.
            axis=alt.Axis(labelExpr=f"{json.dumps(names)}[datum.value]"),
        ),
        count="families:Q",
        count_title=_("Families"),
        along_tip=alt.Tooltip("worker:N", title=_("Worker")),
        count_tip=_("Families now"),
    )


def waiting_chart(frame: pd.DataFrame) -> alt.Chart:
    data = _only(frame, WAITING_COLUMNS)
    return _counted_bars(
        data,
        _("Families waiting to meet a worker at the end of each month"),
        along=alt.X(
            "month:T", title=_("Month"), timeUnit="yearmonth", axis=date_axis(data["month"])
        ),
        count="waiting:Q",
        count_title=_("Families waiting"),
        along_tip=alt.Tooltip("month:T", title=_("Month"), format="%B %Y"),
    )


# --- one sentence each, for screen readers (and anyone who prefers words) ----------------


def _month(value) -> str:
    return month_and_year(pd.Timestamp(value).to_pydatetime())


def _percent(value) -> str:
    if value is None or pd.isna(value):
        return _("no families to count")
    return format_percent(value, locale=BABEL_LOCALES[current()])


def describe_monthly(frame: pd.DataFrame) -> str:
    if frame.empty:
        return _("There are no months to show yet.")
    first, last = frame.iloc[0], frame.iloc[-1]
    counted = frame.dropna(subset=["share"])
    lowest = counted.loc[counted["share"].idxmin()] if not counted.empty else None
    values = {
        "first": _percent(first["share"]),
        "first_month": _month(first["month"]),
        "last": _percent(last["share"]),
        "last_month": _month(last["month"]),
    }
    if lowest is None:
        return _(
            "Families who kept the same main worker all month: {first} in {first_month} and"
            " {last} in {last_month}.",
            **values,
        )
    return _(
        "Families who kept the same main worker all month: {first} in {first_month} and"
        " {last} in {last_month}; the lowest was {lowest} in {lowest_month}.",
        lowest=_percent(lowest["share"]),
        lowest_month=_month(lowest["month"]),
        **values,
    )


def describe_spread(frame: pd.DataFrame) -> str:
    total = int(frame["families"].sum()) if not frame.empty else 0
    if total == 0:
        return _("No family has a main worker right now.")
    parts = [f"{int(n)} {_(label).lower()}" for label, n in zip(frame["length"], frame["families"])]
    return _(
        "Of {total} families with a main worker now, time with that worker: {parts}.",
        total=total,
        parts=", ".join(parts),
    )


def describe_caseload(frame: pd.DataFrame) -> str:
    if frame.empty:
        return _("No workers to show.")
    frame = alphabetical(frame)
    parts = [f"{worker} {int(n)}" for worker, n in zip(frame["worker"], frame["families"])]
    return _(
        "Families each worker is working with now, in alphabetical order: {parts}.",
        parts=", ".join(parts),
    )


def describe_waiting(frame: pd.DataFrame) -> str:
    if frame.empty:
        return _("There are no months to show yet.")
    last = frame.iloc[-1]
    most = frame.loc[frame["waiting"].idxmax()]
    return _(
        "Families waiting to meet a worker: {last} at the end of {last_month} (so far); the"
        " most in these months was {most}, in {most_month}.",
        last=int(last["waiting"]),
        last_month=_month(last["month"]),
        most=int(most["waiting"]),
        most_month=_month(most["month"]),
    )
