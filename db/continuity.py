"""Caseload continuity for managers: every figure, its one-sentence definition, and the
families behind it.

Reads are scoped to one team in SQL (a team holds a few hundred families, whatever the size of
the council): the families open at some point in the last 12 months, their worker
relationships, status history, held meetings of the last 12 months and SQL aggregates for first
meetings and practical help. The figures are then pure pandas functions of those rows, so tests
can check each one against a hand-built history.

Continuity figures support allocation and supervision; they never rank workers. Workers are
always listed alphabetically and no figure combines into a "score".

Permission is checked by `check_team` (outside any cache); `build_team_report` does no check
and is only called after it (the page caches it keyed by team id and Team.data_version).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import and_, exists, func, or_
from sqlmodel import select

from db import audit
from db.access import Actor, NotAllowed, require_led_team
from db.engine import read_session, write_session
from db.models import (EndReason, Family, FamilyStatus, FamilyStatusChange, Meeting,
                       MeetingStatus, Note, NoteKind, PracticalHelp, RelationshipRole, Role, Team,
                       Worker, WorkerRelationship, WorkerRole, WorkerTeam)
from db.queries import refuse
from db.settings import DAY_ENDS, DAY_STARTS
from db.words import END_REASON, FAMILY_STATUS

# --- definitions: the one place every continuity figure is defined -----------------------

LOOKBACK_MONTHS = 12          # "the last 12 months"
KNOWN_LONG_MONTHS = 6         # a worker has "known" a family for more than this
RETURN_WITHIN_MONTHS = 12     # a family "came back" if it returned within this of closing
MONTHS_CHARTED = 12           # months drawn on the charts over time
NOT_THE_WORKERS_DOING = (EndReason.sickness, EndReason.team_change)
NO_REASON = "Reason not recorded"
NOTE_MAX = 2000

_HOURS = f"{DAY_STARTS:%H:%M}", f"{DAY_ENDS:%H:%M}"

DEFINITIONS: dict[str, str] = {
    # per family
    "lead_workers_12m": "Different main workers the family has had at any time in the last 12 months.",
    "lead_workers_ever": "Different main workers the family has had since first coming to us.",
    "relationship_days": "Days with the current main worker (for a closed family, with the last "
                         "one until it ended).",
    "handovers": "Times the family's main worker changed for a reason other than the family "
                 "closing, since first coming to us.",
    "chose_worker": "Whether the family chose its current (or last) main worker.",
    "days_to_first_meeting": "Days from first coming to us to the first meeting that happened.",
    "came_back": "Whether the family came back to us within 12 months of closing.",
    "outside_share": f"Of the family's meetings that happened in the last 12 months, the share "
                     f"that started before {_HOURS[0]} or from {_HOURS[1]} in the team's time "
                     f"zone, or on a Saturday or Sunday.",
    # per worker
    "families_now": "Families the worker is working with today, as main worker or alongside "
                    "another worker.",
    "caseload_12m": "Different families the worker worked with at any time in the last 12 months.",
    "known_over_6m": "Of the worker's families now, how many they have known for more than 6 "
                     "months.",
    "handovers_in": "Families handed over to this worker as main worker in the last 12 months.",
    "handovers_out": "Families this worker handed over as main worker in the last 12 months.",
    "not_their_doing": "Handovers out because of sickness or a team change: these are not the "
                       "worker's doing.",
    # per team
    "median_relationship_days": "Half of the families we work with now have had their main "
                                "worker for longer than this, half for less.",
    "kept_one_worker": "Of the families open in the last 12 months who have had a main worker, "
                       "the share who have had only one main worker throughout.",
    "chose_worker_share": "Of the families open in the last 12 months who have had a main "
                          "worker, the share who chose their current (or last) main worker.",
    "waiting": "Families waiting to meet a worker today, and the middle (median) time they have "
               "waited so far.",
    "returns": "Families who came back to us in the last 12 months within 12 months of closing.",
    "outside_9_5": f"Of the meetings that happened in the last 12 months, the share that "
                   f"started before {_HOURS[0]} or from {_HOURS[1]} in the team's time zone, or "
                   f"on a Saturday or Sunday.",
    "practical_help": "Times practical help (food, money, grants, debt advice, housing, "
                      "equipment) was given in the last 12 months, and to how many families.",
    # charts
    "monthly_continuity": "Each month: of the families who had a main worker at the end of the "
                          "month and had one before it began, the share who kept the same main "
                          "worker all month.",
    "relationship_spread": "How long the families we work with now have had their main worker.",
    "caseload_per_worker": "Families each worker is working with today (workers in alphabetical "
                           "order; not a ranking).",
    "waiting_over_time": "Families waiting to meet a worker at the end of each month.",
}

LENGTH_BANDS = [  # (label, up to this many days, exclusive)
    ("Under 3 months", 91), ("3 to 6 months", 183), ("6 to 12 months", 365),
    ("1 to 2 years", 730), ("2 years or more", None),
]


def months_before(day: date, months: int) -> date:
    return (pd.Timestamp(day) - pd.DateOffset(months=months)).date()


def window_start(today: date) -> date:
    """The first day of "the last 12 months" (inclusive) ending today."""
    return months_before(today, LOOKBACK_MONTHS) + timedelta(days=1)


# --- pure metric functions (tests feed them hand-built frames) ---------------------------

RELATIONSHIP_COLUMNS = ["relationship_id", "family_id", "worker_id", "worker", "role",
                        "started_on", "ended_on", "chosen_by_family", "end_reason"]
STATUS_COLUMNS = ["change_id", "family_id", "status", "changed_on"]


def outside_nine_to_five(starts_at: pd.Series, time_zone: str) -> pd.Series:
    """True for each UTC start time that falls before DAY_STARTS or from DAY_ENDS local time in
    the time zone, or on a Saturday or Sunday (local date)."""
    if starts_at.empty:
        return pd.Series([], dtype=bool, index=starts_at.index)
    local = pd.to_datetime(starts_at, utc=True).dt.tz_convert(ZoneInfo(time_zone))
    seconds = local.dt.hour * 3600 + local.dt.minute * 60 + local.dt.second
    starts = DAY_STARTS.hour * 3600 + DAY_STARTS.minute * 60
    ends = DAY_ENDS.hour * 3600 + DAY_ENDS.minute * 60
    return ((local.dt.day_of_week >= 5) | (seconds < starts) | (seconds >= ends)).astype(bool)


def _dates(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series).dt.normalize()


def _ordered_leads(relationships: pd.DataFrame) -> pd.DataFrame:
    leads = relationships[relationships["role"] == RelationshipRole.lead.value].copy()
    leads["started_on"] = _dates(leads["started_on"])
    leads["ended_on"] = _dates(leads["ended_on"])
    return leads.sort_values(["family_id", "started_on", "relationship_id"])


def handovers(relationships: pd.DataFrame) -> pd.DataFrame:
    """Each handover: a lead relationship that ended with a reason other than the family
    closing and was followed by another lead relationship of the same family."""
    columns = ["family_id", "on", "reason", "reason_words", "from_worker_id", "from_worker",
               "to_worker_id", "to_worker"]
    leads = _ordered_leads(relationships)
    if leads.empty:
        return pd.DataFrame(columns=columns)
    following = leads.groupby("family_id")
    leads["to_worker_id"] = following["worker_id"].shift(-1)
    leads["to_worker"] = following["worker"].shift(-1)
    ended = leads[leads["ended_on"].notna() & leads["to_worker_id"].notna()
                  & (leads["end_reason"].fillna("") != EndReason.family_closed.value)]
    reasons = ended["end_reason"].fillna("")
    return pd.DataFrame({
        "family_id": ended["family_id"].astype(int),
        "on": ended["ended_on"].dt.date,
        "reason": reasons,
        "reason_words": reasons.map(lambda r: END_REASON[EndReason(r)] if r else NO_REASON),
        "from_worker_id": ended["worker_id"].astype(int),
        "from_worker": ended["worker"],
        "to_worker_id": ended["to_worker_id"].astype(int),
        "to_worker": ended["to_worker"],
    }, columns=columns).reset_index(drop=True)


def returns_after_closing(history: pd.DataFrame) -> pd.DataFrame:
    """Each return: a closing followed, within RETURN_WITHIN_MONTHS, by the family being open
    again (waiting, working together or keeping in touch). Columns family_id, closed_on, back_on."""
    columns = ["family_id", "closed_on", "back_on"]
    if history.empty:
        return pd.DataFrame(columns=columns)
    rows = history.copy()
    rows["changed_on"] = _dates(rows["changed_on"])
    rows = rows.sort_values(["family_id", "changed_on", "change_id"])
    rows["next_status"] = rows.groupby("family_id")["status"].shift(-1)
    rows["next_on"] = rows.groupby("family_id")["changed_on"].shift(-1)
    found = rows[(rows["status"] == FamilyStatus.closed.value) & rows["next_status"].notna()
                 & (rows["next_status"] != FamilyStatus.closed.value)]
    found = found[found["next_on"] <= found["changed_on"] + pd.DateOffset(months=RETURN_WITHIN_MONTHS)]
    return pd.DataFrame({"family_id": found["family_id"].astype(int),
                         "closed_on": found["changed_on"].dt.date,
                         "back_on": found["next_on"].dt.date},
                        columns=columns).reset_index(drop=True)


def status_on(history: pd.DataFrame, day: date) -> pd.DataFrame:
    """Each family's status at the end of the day, and the start of its latest unbroken run."""
    rows = history.copy()
    rows["changed_on"] = _dates(rows["changed_on"])
    rows = rows[rows["changed_on"] <= pd.Timestamp(day)].sort_values(
        ["family_id", "changed_on", "change_id"])
    if rows.empty:
        return pd.DataFrame(columns=["family_id", "status", "since"])
    rows["run"] = (rows["status"] != rows.groupby("family_id")["status"].shift()).cumsum()
    run_start = rows.groupby("run")["changed_on"].transform("min")
    rows["since"] = run_start
    last = rows.groupby("family_id").tail(1)
    return pd.DataFrame({"family_id": last["family_id"].astype(int).values,
                         "status": last["status"].values,
                         "since": last["since"].dt.date.values})


def family_figures(families: pd.DataFrame, relationships: pd.DataFrame, history: pd.DataFrame,
                   first_meetings: pd.DataFrame, meetings: pd.DataFrame, help_given: pd.DataFrame,
                   *, time_zone: str, today: date) -> pd.DataFrame:
    """One row per family with every per-family figure (see DEFINITIONS).

    families: family_id, family, status, first_came_on; relationships: RELATIONSHIP_COLUMNS;
    history: STATUS_COLUMNS; first_meetings: family_id, first_held_at (UTC);
    meetings: family_id, starts_at (UTC, held, in the last 12 months);
    help_given: family_id, help_given (count in the last 12 months).
    """
    since = pd.Timestamp(window_start(today))
    now = pd.Timestamp(today)
    out = families[["family_id", "family", "status", "first_came_on"]].copy()
    out["family_id"] = out["family_id"].astype(int)
    out = out.set_index("family_id", drop=False)

    leads = _ordered_leads(relationships)
    if not leads.empty:
        active_12m = leads[(leads["started_on"] <= now)
                           & (leads["ended_on"].isna() | (leads["ended_on"] >= since))]
        out["lead_workers_12m"] = active_12m.groupby("family_id")["worker_id"].nunique()
        out["lead_workers_ever"] = leads.groupby("family_id")["worker_id"].nunique()
        latest = leads[leads["started_on"] <= now].groupby("family_id").tail(1).set_index("family_id")
        ends = latest["ended_on"].where(latest["ended_on"].notna() & (latest["ended_on"] <= now), now)
        is_current = latest["ended_on"].isna() | (latest["ended_on"] > now)
        out["lead_worker"] = latest["worker"].where(is_current)
        out["relationship_days"] = (ends - latest["started_on"]).dt.days
        out["relationship_current"] = is_current
        out["chose_worker"] = latest["chosen_by_family"].astype("boolean")
    for column in ("lead_workers_12m", "lead_workers_ever"):
        out[column] = out[column].fillna(0).astype(int) if column in out else 0
    for column in ("lead_worker", "relationship_days", "relationship_current", "chose_worker"):
        if column not in out:
            out[column] = None
    out["lead_worker"] = out["lead_worker"].astype(object).where(out["lead_worker"].notna(), "")
    out["relationship_days"] = out["relationship_days"].astype("Int64")
    out["relationship_current"] = out["relationship_current"].astype("boolean").fillna(False)
    out["chose_worker"] = out["chose_worker"].astype("boolean")

    moves = handovers(relationships)
    out["handovers"] = moves.groupby("family_id").size().reindex(out.index, fill_value=0).astype(int)
    out["handover_reasons"] = (moves.groupby("family_id")["reason_words"].agg("; ".join)
                               .reindex(out.index).fillna(""))

    first = first_meetings.copy()
    if not first.empty:
        first["first_held_on"] = (pd.to_datetime(first["first_held_at"], utc=True)
                                  .dt.tz_convert(ZoneInfo(time_zone)).dt.tz_localize(None)
                                  .dt.normalize())
        first = first.set_index(first["family_id"].astype(int))
        days = (first["first_held_on"].reindex(out.index) - _dates(out["first_came_on"])).dt.days
        out["days_to_first_meeting"] = days.astype("Int64")
    else:
        out["days_to_first_meeting"] = pd.Series(pd.NA, index=out.index, dtype="Int64")

    back = returns_after_closing(history)
    out["came_back"] = out.index.isin(back["family_id"])
    last_back = back.groupby("family_id")["back_on"].max() if not back.empty else pd.Series(dtype=object)
    out["came_back_on"] = last_back.reindex(out.index)

    held = meetings.copy()
    if not held.empty:
        held["outside"] = outside_nine_to_five(held["starts_at"], time_zone)
        counts = held.groupby("family_id").agg(meetings_12m=("outside", "size"),
                                               outside_12m=("outside", "sum"))
        counts.index = counts.index.astype(int)
        out["meetings_12m"] = counts["meetings_12m"].reindex(out.index, fill_value=0).astype(int)
        out["outside_12m"] = counts["outside_12m"].reindex(out.index, fill_value=0).astype(int)
    else:
        out["meetings_12m"] = 0
        out["outside_12m"] = 0
    out["outside_share"] = (out["outside_12m"] / out["meetings_12m"].where(out["meetings_12m"] > 0))

    helped = help_given.set_index(help_given["family_id"].astype(int))["help_given"] \
        if not help_given.empty else pd.Series(dtype=int)
    out["help_given_12m"] = helped.reindex(out.index, fill_value=0).astype(int)

    status_now = status_on(history, today).set_index("family_id")
    waiting_since = status_now["since"].where(status_now["status"] == FamilyStatus.waiting.value)
    out["waiting_since"] = waiting_since.reindex(out.index)
    out["waiting_days"] = ((now - _dates(out["waiting_since"])).dt.days
                           .where(out["status"] == FamilyStatus.waiting.value).astype("Int64"))
    out["status_words"] = out["status"].map(lambda s: FAMILY_STATUS[FamilyStatus(s)])
    out.index.name = None
    return out.sort_values(["family", "family_id"]).reset_index(drop=True)


def worker_figures(workers: pd.DataFrame, relationships: pd.DataFrame, *,
                   today: date) -> pd.DataFrame:
    """One row per worker, alphabetical by name (never ranked); see DEFINITIONS.

    workers: worker_id, worker (the team's workers); relationships: RELATIONSHIP_COLUMNS."""
    since = pd.Timestamp(window_start(today))
    now = pd.Timestamp(today)
    known_before = pd.Timestamp(months_before(today, KNOWN_LONG_MONTHS))
    rel = relationships.copy()
    rel["started_on"] = _dates(rel["started_on"])
    rel["ended_on"] = _dates(rel["ended_on"])
    current = rel[(rel["started_on"] <= now) & (rel["ended_on"].isna() | (rel["ended_on"] > now))]
    in_window = rel[(rel["started_on"] <= now) & (rel["ended_on"].isna() | (rel["ended_on"] >= since))]
    everyone = pd.concat([workers[["worker_id", "worker"]],
                          in_window[["worker_id", "worker"]]]).drop_duplicates("worker_id")
    out = everyone.set_index(everyone["worker_id"].astype(int))
    out["families_now"] = current.groupby("worker_id")["family_id"].nunique()
    out["as_main_worker"] = (current[current["role"] == RelationshipRole.lead.value]
                             .groupby("worker_id")["family_id"].nunique())
    out["caseload_12m"] = in_window.groupby("worker_id")["family_id"].nunique()
    # Known since the first day of any relationship with the family.
    first_met = rel.groupby(["worker_id", "family_id"])["started_on"].min().rename("known_since")
    now_pairs = current[["worker_id", "family_id"]].drop_duplicates().join(
        first_met, on=["worker_id", "family_id"])
    out["known_over_6m"] = (now_pairs[now_pairs["known_since"] < known_before]
                            .groupby("worker_id")["family_id"].nunique())

    moves = handovers(relationships)
    moves = moves[(pd.to_datetime(moves["on"]) >= since) & (pd.to_datetime(moves["on"]) <= now)]
    out["handovers_in"] = moves.groupby("to_worker_id").size()
    out["handovers_out"] = moves.groupby("from_worker_id").size()
    not_theirs = moves[moves["reason"].isin([r.value for r in NOT_THE_WORKERS_DOING])]
    out["not_their_doing"] = not_theirs.groupby("from_worker_id").size()
    for column in ("families_now", "as_main_worker", "caseload_12m", "known_over_6m",
                   "handovers_in", "handovers_out", "not_their_doing"):
        out[column] = out[column].fillna(0).astype(int)
    out["reasons_in"] = _reason_counts(moves, "to_worker_id").reindex(out.index).fillna("")
    out["reasons_out"] = _reason_counts(moves, "from_worker_id").reindex(out.index).fillna("")
    out["worker_id"] = out["worker_id"].astype(int)
    out.index.name = None
    out["alphabetical"] = out["worker"].astype(str).str.casefold()
    return (out.sort_values(["alphabetical", "worker_id"]).drop(columns="alphabetical")
            .reset_index(drop=True))


def _reason_counts(moves: pd.DataFrame, by: str) -> pd.Series:
    if moves.empty:
        return pd.Series(dtype=object)
    counted = moves.groupby([by, "reason_words"]).size().reset_index(name="n")
    counted["text"] = counted["reason_words"] + " " + counted["n"].astype(str)
    return counted.groupby(by)["text"].agg(", ".join)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class TeamFigures:
    open_families: int
    median_relationship_days: float | None
    with_lead: int
    kept_one_worker: int
    chose_worker: int
    waiting: int
    median_wait_days: float | None
    returns: int
    meetings_12m: int
    outside_12m: int
    help_given_12m: int
    families_helped_12m: int

    @property
    def kept_one_worker_share(self) -> float | None:
        return _share(self.kept_one_worker, self.with_lead)

    @property
    def chose_worker_share(self) -> float | None:
        return _share(self.chose_worker, self.with_lead)

    @property
    def outside_share(self) -> float | None:
        return _share(self.outside_12m, self.meetings_12m)


def team_figures(families: pd.DataFrame, *, today: date) -> TeamFigures:
    """The team's figures from the per-family figures (see DEFINITIONS)."""
    since = window_start(today)
    now_open = families[families["status"] != FamilyStatus.closed.value]
    current = now_open[now_open["relationship_current"].astype(bool)]
    had_lead = families[families["lead_workers_ever"] > 0]
    waiting = families[families["status"] == FamilyStatus.waiting.value]
    returned = families[families["came_back_on"].map(
        lambda d: isinstance(d, date) and since <= d <= today)]
    median_days = current["relationship_days"].astype(float).median() if len(current) else None
    median_wait = waiting["waiting_days"].astype(float).median() if len(waiting) else None
    return TeamFigures(
        open_families=len(now_open),
        median_relationship_days=None if pd.isna(median_days) else float(median_days),
        with_lead=len(had_lead),
        kept_one_worker=int((had_lead["lead_workers_ever"] == 1).sum()),
        chose_worker=int(had_lead["chose_worker"].fillna(False).astype(bool).sum()),
        waiting=len(waiting),
        median_wait_days=None if median_wait is None or pd.isna(median_wait) else float(median_wait),
        returns=len(returned),
        meetings_12m=int(families["meetings_12m"].sum()),
        outside_12m=int(families["outside_12m"].sum()),
        help_given_12m=int(families["help_given_12m"].sum()),
        families_helped_12m=int((families["help_given_12m"] > 0).sum()),
    )


def families_behind(families: pd.DataFrame, figure: str, *, today: date) -> pd.DataFrame:
    """The families a team figure counts (the drill-down), alphabetical."""
    since = window_start(today)
    if figure == "median_relationship_days":
        chosen = families[(families["status"] != FamilyStatus.closed.value)
                          & families["relationship_current"].astype(bool)]
    elif figure == "kept_one_worker":
        chosen = families[families["lead_workers_ever"] == 1]
    elif figure == "chose_worker_share":
        chosen = families[(families["lead_workers_ever"] > 0)
                          & families["chose_worker"].fillna(False).astype(bool)]
    elif figure == "waiting":
        chosen = families[families["status"] == FamilyStatus.waiting.value]
    elif figure == "returns":
        chosen = families[families["came_back_on"].map(
            lambda d: isinstance(d, date) and since <= d <= today)]
    elif figure == "outside_9_5":
        chosen = families[families["outside_12m"] > 0]
    elif figure == "practical_help":
        chosen = families[families["help_given_12m"] > 0]
    else:
        raise KeyError(figure)
    return chosen.sort_values(["family", "family_id"]).reset_index(drop=True)


TEAM_FIGURES = ["median_relationship_days", "kept_one_worker", "chose_worker_share", "waiting",
                "returns", "outside_9_5", "practical_help"]


def worker_families(relationships: pd.DataFrame, families: pd.DataFrame, worker_id: int, *,
                    today: date) -> pd.DataFrame:
    """The families behind a worker's figures: everyone they worked with in the last 12 months."""
    since = pd.Timestamp(window_start(today))
    now = pd.Timestamp(today)
    known_before = pd.Timestamp(months_before(today, KNOWN_LONG_MONTHS))
    rel = relationships[relationships["worker_id"] == worker_id].copy()
    rel["started_on"] = _dates(rel["started_on"])
    rel["ended_on"] = _dates(rel["ended_on"])
    rel = rel[(rel["started_on"] <= now) & (rel["ended_on"].isna() | (rel["ended_on"] >= since))]
    columns = ["family_id", "family", "role", "now", "known_since", "known_over_6m"]
    if rel.empty:
        return pd.DataFrame(columns=columns)
    rel["now"] = rel["ended_on"].isna() | (rel["ended_on"] > now)
    first = (relationships[relationships["worker_id"] == worker_id]
             .assign(started_on=lambda f: _dates(f["started_on"]))
             .groupby("family_id")["started_on"].min())
    grouped = rel.groupby("family_id").agg(
        now=("now", "any"),
        role=("role", lambda r: "Main worker" if (r == RelationshipRole.lead.value).any()
              else "Alongside another worker"))
    grouped["known_since"] = first.reindex(grouped.index)
    grouped["known_over_6m"] = grouped["now"] & (grouped["known_since"] < known_before)
    grouped["known_since"] = grouped["known_since"].dt.date
    names = families.set_index("family_id")["family"]
    grouped["family"] = names.reindex(grouped.index)
    grouped = grouped.reset_index()
    return grouped[columns].sort_values(["family", "family_id"]).reset_index(drop=True)


# --- over time (charts) ------------------------------------------------------------------

def month_ends(today: date, months: int = MONTHS_CHARTED) -> list[tuple[date, date]]:
    """(first day, last day counted) for each of the last `months` months, oldest first; the
    current month ends today."""
    first_this = today.replace(day=1)
    out = []
    for back in range(months - 1, -1, -1):
        start = (pd.Timestamp(first_this) - pd.DateOffset(months=back)).date()
        end = (pd.Timestamp(start) + pd.DateOffset(months=1) - pd.Timedelta(days=1)).date()
        out.append((start, min(end, today)))
    return out


def monthly_continuity(relationships: pd.DataFrame, *, today: date) -> pd.DataFrame:
    """month, share, families: see DEFINITIONS["monthly_continuity"]."""
    leads = _ordered_leads(relationships)
    if leads.empty:
        frame = pd.DataFrame({"month": [start for start, _end in month_ends(today)],
                              "share": None, "families": 0}, columns=["month", "share", "families"])
        frame["month"] = pd.to_datetime(frame["month"])
        return frame
    first_lead = leads["family_id"].map(leads.groupby("family_id")["started_on"].min())
    started, ended = leads["started_on"].to_numpy(), leads["ended_on"].to_numpy()
    open_ended = leads["ended_on"].isna().to_numpy()
    rows = []
    for start, end in month_ends(today):
        s, e = pd.Timestamp(start).to_datetime64(), pd.Timestamp(end).to_datetime64()
        active = leads[(started <= e) & (open_ended | (ended > e)) & (first_lead.to_numpy() < s)]
        active = active.drop_duplicates("family_id", keep="last")
        kept = int((active["started_on"] < pd.Timestamp(start)).sum())
        rows.append({"month": start, "share": _share(kept, len(active)), "families": len(active)})
    frame = pd.DataFrame(rows, columns=["month", "share", "families"])
    frame["month"] = pd.to_datetime(frame["month"])
    return frame


def waiting_over_time(history: pd.DataFrame, *, today: date) -> pd.DataFrame:
    """month, waiting: families waiting to meet a worker at the end of each month."""
    rows = history.copy()
    rows["changed_on"] = _dates(rows["changed_on"])
    rows = rows.sort_values(["family_id", "changed_on", "change_id"])
    # Each status holds from its change until the family's next change (the last one, for ever).
    rows["until"] = rows.groupby("family_id")["changed_on"].shift(-1)
    waiting = rows[rows["status"] == FamilyStatus.waiting.value]
    begins, until = waiting["changed_on"].to_numpy(), waiting["until"].to_numpy()
    still = waiting["until"].isna().to_numpy()
    counts = []
    for start, end in month_ends(today):
        e = pd.Timestamp(end).to_datetime64()
        counts.append({"month": start, "waiting": int(((begins <= e) & (still | (until > e))).sum())})
    frame = pd.DataFrame(counts, columns=["month", "waiting"])
    frame["month"] = pd.to_datetime(frame["month"])
    return frame


def relationship_spread(families: pd.DataFrame) -> pd.DataFrame:
    """length, families: the current main-worker relationships of open families, by band."""
    current = families[(families["status"] != FamilyStatus.closed.value)
                       & families["relationship_current"].astype(bool)]
    days = current["relationship_days"].astype(float)
    counts = []
    lower = 0
    for label, upper in LENGTH_BANDS:
        inside = (days >= lower) & (days < upper) if upper else (days >= lower)
        counts.append({"length": label, "families": int(inside.sum())})
        lower = upper or lower
    return pd.DataFrame(counts, columns=["length", "families"])


def band_of(days) -> str:
    if days is None or pd.isna(days):
        return ""
    for label, upper in LENGTH_BANDS:
        if upper is None or days < upper:
            return label
    return LENGTH_BANDS[-1][0]


# --- reading a team's rows (SQL, scoped to the team) -------------------------------------

@dataclass(frozen=True)
class TeamReport:
    team_id: int
    team_name: str
    time_zone: str
    today: date
    families: pd.DataFrame
    workers: pd.DataFrame
    relationships: pd.DataFrame
    handovers: pd.DataFrame
    figures: TeamFigures
    monthly: pd.DataFrame
    waiting_monthly: pd.DataFrame
    spread: pd.DataFrame
    definitions: dict[str, str] = field(default_factory=lambda: dict(DEFINITIONS))


def led_teams(actor: Actor) -> pd.DataFrame:
    """The teams this manager leads (for the team picker), alphabetical."""
    if not actor.has(Role.manager) or not actor.led_team_ids:
        return pd.DataFrame(columns=["team_id", "team", "time_zone"])
    with read_session() as session:
        rows = session.exec(select(Team.id, Team.name, Team.time_zone)
                            .where(Team.id.in_(actor.led_team_ids)).order_by(Team.name)).all()
    return pd.DataFrame(rows, columns=["team_id", "team", "time_zone"])


def check_team(actor: Actor, team_id: int) -> int:
    """Refuses (audited) unless the actor manages the team; returns Team.data_version, the key
    of any cache of this team's figures. Call it outside the cache on every run."""
    try:
        require_led_team(actor, team_id)
    except NotAllowed:
        raise refuse(actor, what="team_continuity", record_id=team_id) from None
    with read_session() as session:
        team = session.get(Team, team_id)
    if team is None:
        raise refuse(actor, what="team_continuity", record_id=team_id)
    return team.data_version


def team_today(time_zone: str) -> date:
    return datetime.now(ZoneInfo(time_zone)).date()


def _scope(team_id: int, since: date):
    """Ids of the team's families open at some time since `since` (a subquery)."""
    closed_lately = exists().where(FamilyStatusChange.family_id == Family.id,
                                   FamilyStatusChange.status == FamilyStatus.closed,
                                   FamilyStatusChange.changed_on >= since)
    return (select(Family.id).where(Family.team_id == team_id, Family.erased_at.is_(None),
                                    or_(Family.status != FamilyStatus.closed, closed_lately)))


def _utc_start(day: date, time_zone: str) -> datetime:
    return datetime.combine(day, time(0, 0), ZoneInfo(time_zone)).astimezone(timezone.utc)


def build_team_report(team_id: int, *, today: date | None = None) -> TeamReport:
    """Every continuity figure for one team. No permission check: call check_team first."""
    with read_session() as session:
        team = session.get(Team, team_id)
        zone = team.time_zone
        today = today or team_today(zone)
        since = window_start(today)
        scope = _scope(team_id, since)
        families = pd.DataFrame(session.exec(
            select(Family.id, Family.known_as, Family.status, Family.first_came_on)
            .where(Family.id.in_(scope))).all(),
            columns=["family_id", "family", "status", "first_came_on"])
        relationships = pd.DataFrame(session.exec(
            select(WorkerRelationship.id, WorkerRelationship.family_id,
                   WorkerRelationship.worker_id, Worker.name, WorkerRelationship.role,
                   WorkerRelationship.started_on, WorkerRelationship.ended_on,
                   WorkerRelationship.chosen_by_family, WorkerRelationship.end_reason)
            .join(Worker, Worker.id == WorkerRelationship.worker_id)
            .where(WorkerRelationship.family_id.in_(scope))).all(),
            columns=RELATIONSHIP_COLUMNS)
        history = pd.DataFrame(session.exec(
            select(FamilyStatusChange.id, FamilyStatusChange.family_id, FamilyStatusChange.status,
                   FamilyStatusChange.changed_on)
            .where(FamilyStatusChange.family_id.in_(scope))).all(), columns=STATUS_COLUMNS)
        first_meetings = pd.DataFrame(session.exec(
            select(Meeting.family_id, func.min(Meeting.starts_at))
            .where(Meeting.family_id.in_(scope), Meeting.status == MeetingStatus.held)
            .group_by(Meeting.family_id)).all(), columns=["family_id", "first_held_at"])
        meetings = pd.DataFrame(session.exec(
            select(Meeting.family_id, Meeting.starts_at)
            .where(Meeting.family_id.in_(scope), Meeting.status == MeetingStatus.held,
                   Meeting.starts_at >= _utc_start(since, zone),
                   Meeting.starts_at < _utc_start(today + timedelta(days=1), zone))).all(),
            columns=["family_id", "starts_at"])
        help_given = pd.DataFrame(session.exec(
            select(PracticalHelp.family_id, func.count(PracticalHelp.id))
            .where(PracticalHelp.family_id.in_(scope), PracticalHelp.given_on >= since,
                   PracticalHelp.given_on <= today)
            .group_by(PracticalHelp.family_id)).all(), columns=["family_id", "help_given"])
        workers = pd.DataFrame(session.exec(
            select(Worker.id, Worker.name)
            .join(WorkerTeam, and_(WorkerTeam.worker_id == Worker.id, WorkerTeam.team_id == team_id))
            .join(WorkerRole, and_(WorkerRole.worker_id == Worker.id,
                                   WorkerRole.role == Role.practitioner))
            .where(Worker.is_active)).all(), columns=["worker_id", "worker"])
    for frame, columns in ((relationships, ("role", "end_reason")), (history, ("status",)),
                           (families, ("status",))):
        for column in columns:
            frame[column] = frame[column].map(lambda v: v.value if hasattr(v, "value") else v)
    figures = family_figures(families, relationships, history, first_meetings, meetings,
                             help_given, time_zone=zone, today=today)
    return TeamReport(
        team_id=team_id, team_name=team.name, time_zone=zone, today=today,
        families=figures,
        workers=worker_figures(workers, relationships, today=today),
        relationships=relationships,
        handovers=handovers(relationships),
        figures=team_figures(figures, today=today),
        monthly=monthly_continuity(relationships, today=today),
        waiting_monthly=waiting_over_time(history, today=today),
        spread=relationship_spread(figures),
    )


def team_report(actor: Actor, team_id: int, *, today: date | None = None) -> TeamReport:
    """Checked and uncached: for tests and scripts. The page caches build_team_report."""
    check_team(actor, team_id)
    return build_team_report(team_id, today=today)


# --- manager's oversight notes (a validated, audited write) -----------------------------

def add_oversight_note(actor: Actor, *, family_id: int, words: str,
                       written_on: date | None = None, next_steps: str = "",
                       today: date | None = None) -> int:
    """Stores a dated decision or oversight note on a family's record (staff only) and returns
    its id. Only a manager of the family's team may write one."""
    from db.actions import Invalid, touch
    words = (words or "").strip()
    next_steps = (next_steps or "").strip()
    today = today or date.today()
    written_on = written_on or today
    if not words:
        raise Invalid("Write the decision or note before saving.")
    if len(words) > NOTE_MAX:
        raise Invalid(f"Please keep the note under {NOTE_MAX} characters (it has {len(words)}).")
    if len(next_steps) > 1000:
        raise Invalid("Please keep the next steps under 1000 characters.")
    if written_on > today:
        raise Invalid("The note's date can't be in the future.")
    with read_session() as session:
        family = session.get(Family, family_id)
        allowed = (family is not None and family.erased_at is None and actor.has(Role.manager)
                   and family.team_id in actor.led_team_ids)
        first_came = family.first_came_on if family is not None else None
    if not allowed:
        raise refuse(actor, what="oversight_note", record_id=family_id)
    if written_on < first_came:
        raise Invalid("The note's date is before the family first came to us.")
    with write_session() as session:
        family = session.get(Family, family_id)
        note = Note(family_id=family_id, kind=NoteKind.oversight, words=words,
                    written_on=written_on, written_by=actor.worker_id, next_steps=next_steps)
        session.add(note)
        session.flush()
        audit.record(session, actor, audit.Action.CREATE, family_id=family_id,
                     record_type="note", record_id=note.id,
                     fields=["kind", "words", "written_on", "next_steps"] if next_steps
                     else ["kind", "words", "written_on"])
        touch(session, family)
        return note.id
