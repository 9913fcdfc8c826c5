"""Continuity figures as pure pandas functions of a team's rows, so tests can check each one
against a hand-built history. They never rank workers: workers are listed alphabetically and no
figure combines into a "score"."""

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

import pandas as pd

from db.continuity.definitions import (
    KNOWN_LONG_MONTHS,
    LENGTH_BANDS,
    MONTHS_CHARTED,
    NO_REASON,
    NOT_THE_WORKERS_DOING,
    RETURN_WITHIN_MONTHS,
    months_before,
    window_start,
)
from db.i18n import N_, Words, joined, words_column
from db.settings import DAY_ENDS, DAY_STARTS
from db.store.models import EndReason, FamilyStatus, RelationshipRole
from db.words import END_REASON, FAMILY_STATUS

# --- pure metric functions (tests feed them hand-built frames) ---------------------------

RELATIONSHIP_COLUMNS = [
    "relationship_id",
    "family_id",
    "worker_id",
    "worker",
    "role",
    "started_on",
    "ended_on",
    "chosen_by_family",
    "end_reason",
]
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
    columns = [
        "family_id",
        "on",
        "reason",
        "reason_words",
        "from_worker_id",
        "from_worker",
        "to_worker_id",
        "to_worker",
    ]
    leads = _ordered_leads(relationships)
    if leads.empty:
        return pd.DataFrame(columns=columns)
    following = leads.groupby("family_id")
    leads["to_worker_id"] = following["worker_id"].shift(-1)
    leads["to_worker"] = following["worker"].shift(-1)
    ended = leads[
        leads["ended_on"].notna()
        & leads["to_worker_id"].notna()
        & (leads["end_reason"].fillna("") != EndReason.family_closed.value)
    ]
    reasons = ended["end_reason"].fillna("")
    return pd.DataFrame(
        {
            "family_id": ended["family_id"].astype(int),
            "on": ended["ended_on"].dt.date,
            "reason": reasons,
            "reason_words": words_column(
                (END_REASON[EndReason(r)] if r else NO_REASON for r in reasons), reasons.index
            ),
            "from_worker_id": ended["worker_id"].astype(int),
            "from_worker": ended["worker"],
            "to_worker_id": ended["to_worker_id"].astype(int),
            "to_worker": ended["to_worker"],
        },
        columns=columns,
    ).reset_index(drop=True)


def returns_after_closing(history: pd.DataFrame) -> pd.DataFrame:
    """Each return: a closing followed, within RETURN_WITHIN_MONTHS, by the family's case being
    reopened (waiting to meet a worker, or working together). Keeping in touch after closing is
    not coming back: those rows are passed over, so closed → keeping in touch → working together
    is a return on the day work started again. Columns family_id, closed_on, back_on."""
    columns = ["family_id", "closed_on", "back_on"]
    rows = history[history["status"] != FamilyStatus.keeping_in_touch.value].copy()
    if rows.empty:
        return pd.DataFrame(columns=columns)
    rows["changed_on"] = _dates(rows["changed_on"])
    rows = rows.sort_values(["family_id", "changed_on", "change_id"])
    rows["next_status"] = rows.groupby("family_id")["status"].shift(-1)
    rows["next_on"] = rows.groupby("family_id")["changed_on"].shift(-1)
    found = rows[
        (rows["status"] == FamilyStatus.closed.value)
        & rows["next_status"].notna()
        & (rows["next_status"] != FamilyStatus.closed.value)
    ]
    found = found[
        found["next_on"] <= found["changed_on"] + pd.DateOffset(months=RETURN_WITHIN_MONTHS)
    ]
    return pd.DataFrame(
        {
            "family_id": found["family_id"].astype(int),
            "closed_on": found["changed_on"].dt.date,
            "back_on": found["next_on"].dt.date,
        },
        columns=columns,
    ).reset_index(drop=True)


def status_on(history: pd.DataFrame, day: date) -> pd.DataFrame:
    """Each family's status at the end of the day, and the start of its latest unbroken run."""
    rows = history.copy()
    rows["changed_on"] = _dates(rows["changed_on"])
    rows = rows[rows["changed_on"] <= pd.Timestamp(day)].sort_values(
        ["family_id", "changed_on", "change_id"]
    )
    if rows.empty:
        return pd.DataFrame(columns=["family_id", "status", "since"])
    rows["run"] = (rows["status"] != rows.groupby("family_id")["status"].shift()).cumsum()
    run_start = rows.groupby("run")["changed_on"].transform("min")
    rows["since"] = run_start
    last = rows.groupby("family_id").tail(1)
    return pd.DataFrame(
        {
            "family_id": last["family_id"].astype(int).values,
            "status": last["status"].values,
            "since": last["since"].dt.date.values,
        }
    )


def family_figures(
    families: pd.DataFrame,
    relationships: pd.DataFrame,
    history: pd.DataFrame,
    first_meetings: pd.DataFrame,
    meetings: pd.DataFrame,
    help_given: pd.DataFrame,
    *,
    time_zone: str,
    today: date,
) -> pd.DataFrame:
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
        active_12m = leads[
            (leads["started_on"] <= now) & (leads["ended_on"].isna() | (leads["ended_on"] >= since))
        ]
        out["lead_workers_12m"] = active_12m.groupby("family_id")["worker_id"].nunique()
        out["lead_workers_ever"] = leads.groupby("family_id")["worker_id"].nunique()
        latest = (
            leads[leads["started_on"] <= now].groupby("family_id").tail(1).set_index("family_id")
        )
        ends = latest["ended_on"].where(
            latest["ended_on"].notna() & (latest["ended_on"] <= now), now
        )
        is_current = latest["ended_on"].isna() | (latest["ended_on"] > now)
        # The last main worker's figures stand for a closed family only: a family reopened
        # and without a main worker now has no "current (or last)" one to speak of.
        closed = out["status"].reindex(latest.index) == FamilyStatus.closed.value
        shown = is_current | closed
        out["lead_worker"] = latest["worker"].where(is_current)
        out["relationship_days"] = (ends - latest["started_on"]).dt.days.where(shown)
        out["relationship_current"] = is_current
        out["chose_worker"] = latest["chosen_by_family"].astype("boolean").where(shown)
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
    out["handovers"] = (
        moves.groupby("family_id").size().reindex(out.index, fill_value=0).astype(int)
    )
    # Words, said in each reader's language on screen (the report is cached for everyone).
    reasons = {
        family_id: joined(list(words), "; ")
        for family_id, words in moves.groupby("family_id")["reason_words"]
    }
    out["handover_reasons"] = words_column((reasons.get(f, "") for f in out.index), out.index)

    first = first_meetings.copy()
    if not first.empty:
        first["first_held_on"] = (
            pd.to_datetime(first["first_held_at"], utc=True)
            .dt.tz_convert(ZoneInfo(time_zone))
            .dt.tz_localize(None)
            .dt.normalize()
        )
        first = first.set_index(first["family_id"].astype(int))
        days = (first["first_held_on"].reindex(out.index) - _dates(out["first_came_on"])).dt.days
        out["days_to_first_meeting"] = days.astype("Int64")
    else:
        out["days_to_first_meeting"] = pd.Series(pd.NA, index=out.index, dtype="Int64")

    back = returns_after_closing(history)
    out["came_back"] = out.index.isin(back["family_id"])
    last_back = (
        back.groupby("family_id")["back_on"].max() if not back.empty else pd.Series(dtype=object)
    )
    out["came_back_on"] = last_back.reindex(out.index)

    held = meetings.copy()
    if not held.empty:
        held["outside"] = outside_nine_to_five(held["starts_at"], time_zone)
        counts = held.groupby("family_id").agg(
            meetings_12m=("outside", "size"), outside_12m=("outside", "sum")
        )
        counts.index = counts.index.astype(int)
        out["meetings_12m"] = counts["meetings_12m"].reindex(out.index, fill_value=0).astype(int)
        out["outside_12m"] = counts["outside_12m"].reindex(out.index, fill_value=0).astype(int)
    else:
        out["meetings_12m"] = 0
        out["outside_12m"] = 0
    out["outside_share"] = out["outside_12m"] / out["meetings_12m"].where(out["meetings_12m"] > 0)

    helped = (
        help_given.set_index(help_given["family_id"].astype(int))["help_given"]
        if not help_given.empty
        else pd.Series(dtype=int)
    )
    out["help_given_12m"] = helped.reindex(out.index, fill_value=0).astype(int)

    # Only a family waiting now has a "waiting since": its history, read by date, can end
    # in a wait the family has left (a worker's start dated before the reopening).
    waiting_now = out["status"] == FamilyStatus.waiting.value
    status_now = status_on(history, today).set_index("family_id")
    waiting_since = status_now["since"].where(status_now["status"] == FamilyStatus.waiting.value)
    out["waiting_since"] = waiting_since.reindex(out.index).where(waiting_now)
    out["waiting_days"] = (now - _dates(out["waiting_since"])).dt.days.astype("Int64")
    out["status_words"] = words_column(
        (FAMILY_STATUS[FamilyStatus(s)] for s in out["status"]), out.index
    )
    out.index.name = None
    return out.sort_values(["family", "family_id"]).reset_index(drop=True)


def worker_figures(
    workers: pd.DataFrame, relationships: pd.DataFrame, *, today: date
) -> pd.DataFrame:
    """One row per worker, alphabetical by name (never ranked); see DEFINITIONS.

    workers: worker_id, worker (the team's workers); relationships: RELATIONSHIP_COLUMNS."""
    since = pd.Timestamp(window_start(today))
    now = pd.Timestamp(today)
    known_before = pd.Timestamp(months_before(today, KNOWN_LONG_MONTHS))
    rel = relationships.copy()
    rel["started_on"] = _dates(rel["started_on"])
    rel["ended_on"] = _dates(rel["ended_on"])
    current = rel[(rel["started_on"] <= now) & (rel["ended_on"].isna() | (rel["ended_on"] > now))]
    in_window = rel[
        (rel["started_on"] <= now) & (rel["ended_on"].isna() | (rel["ended_on"] >= since))
    ]
    everyone = pd.concat(
        [workers[["worker_id", "worker"]], in_window[["worker_id", "worker"]]]
    ).drop_duplicates("worker_id")
    out = everyone.set_index(everyone["worker_id"].astype(int))
    out["families_now"] = current.groupby("worker_id")["family_id"].nunique()
    out["as_main_worker"] = (
        current[current["role"] == RelationshipRole.lead.value]
        .groupby("worker_id")["family_id"]
        .nunique()
    )
    out["caseload_12m"] = in_window.groupby("worker_id")["family_id"].nunique()
    # Known since the first day of any relationship with the family.
    first_met = rel.groupby(["worker_id", "family_id"])["started_on"].min().rename("known_since")
    now_pairs = (
        current[["worker_id", "family_id"]]
        .drop_duplicates()
        .join(first_met, on=["worker_id", "family_id"])
    )
    out["known_over_6m"] = (
        now_pairs[now_pairs["known_since"] < known_before]
        .groupby("worker_id")["family_id"]
        .nunique()
    )

    moves = handovers(relationships)
    moves = moves[(pd.to_datetime(moves["on"]) >= since) & (pd.to_datetime(moves["on"]) <= now)]
    # Families, as the definitions say: a family handed back and forth counts once.
    out["handovers_in"] = moves.groupby("to_worker_id")["family_id"].nunique()
    out["handovers_out"] = moves.groupby("from_worker_id")["family_id"].nunique()
    not_theirs = moves[moves["reason"].isin([r.value for r in NOT_THE_WORKERS_DOING])]
    out["not_their_doing"] = not_theirs.groupby("from_worker_id")["family_id"].nunique()
    for column in (
        "families_now",
        "as_main_worker",
        "caseload_12m",
        "known_over_6m",
        "handovers_in",
        "handovers_out",
        "not_their_doing",
    ):
        out[column] = out[column].fillna(0).astype(int)
    for column, by in (("reasons_in", "to_worker_id"), ("reasons_out", "from_worker_id")):
        counts = _reason_counts(moves, by)
        out[column] = words_column((counts.get(w, "") for w in out.index), out.index)
    out["worker_id"] = out["worker_id"].astype(int)
    out.index.name = None
    out["alphabetical"] = out["worker"].astype(str).str.casefold()
    return (
        out.sort_values(["alphabetical", "worker_id"])
        .drop(columns="alphabetical")
        .reset_index(drop=True)
    )


def _reason_counts(moves: pd.DataFrame, by: str) -> dict[int, Words]:
    """Each worker's reasons with the families handed over for each ('Sickness 1, Team change
    1'): Words, so each reason is said in the reader's language."""
    out: dict[int, list[Words]] = {}
    for (worker_id, _reason), group in moves.groupby([by, "reason"], sort=True):
        words = group["reason_words"].iloc[0]
        out.setdefault(int(worker_id), []).append(
            Words("{reason} {count}", reason=words, count=group["family_id"].nunique())
        )
    return {worker_id: joined(parts, ", ") for worker_id, parts in out.items()}


def _median(values: pd.Series) -> float | None:
    """The median as a plain float; None when there are no values (pandas says NaN)."""
    median = values.astype(float).median()
    return None if pd.isna(median) else float(median)


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
    returned = families[
        families["came_back_on"].map(lambda d: isinstance(d, date) and since <= d <= today)
    ]
    median_days = _median(current["relationship_days"])
    median_wait = _median(waiting["waiting_days"])
    return TeamFigures(
        open_families=len(now_open),
        median_relationship_days=median_days,
        with_lead=len(had_lead),
        kept_one_worker=int((had_lead["lead_workers_ever"] == 1).sum()),
        chose_worker=int(had_lead["chose_worker"].fillna(False).astype(bool).sum()),
        waiting=len(waiting),
        median_wait_days=median_wait,
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
        chosen = families[
            (families["status"] != FamilyStatus.closed.value)
            & families["relationship_current"].astype(bool)
        ]
    elif figure == "kept_one_worker":
        chosen = families[families["lead_workers_ever"] == 1]
    elif figure == "chose_worker_share":
        chosen = families[
            (families["lead_workers_ever"] > 0)
            & families["chose_worker"].fillna(False).astype(bool)
        ]
    elif figure == "waiting":
        chosen = families[families["status"] == FamilyStatus.waiting.value]
    elif figure == "returns":
        chosen = families[
            families["came_back_on"].map(lambda d: isinstance(d, date) and since <= d <= today)
        ]
    elif figure == "outside_9_5":
        chosen = families[families["outside_12m"] > 0]
    elif figure == "practical_help":
        chosen = families[families["help_given_12m"] > 0]
    else:
        raise KeyError(figure)
    return chosen.sort_values(["family", "family_id"]).reset_index(drop=True)


TEAM_FIGURES = [
    "median_relationship_days",
    "kept_one_worker",
    "chose_worker_share",
    "waiting",
    "returns",
    "outside_9_5",
    "practical_help",
]


def worker_families(
    relationships: pd.DataFrame, families: pd.DataFrame, worker_id: int, *, today: date
) -> pd.DataFrame:
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
    first = (
        relationships[relationships["worker_id"] == worker_id]
        .assign(started_on=lambda f: _dates(f["started_on"]))
        .groupby("family_id")["started_on"]
        .min()
    )
    grouped = rel.groupby("family_id").agg(
        now=("now", "any"),
        role=(
            "role",
            lambda r: (
                N_("Main worker")  # a word in the catalogue, said through _() on screen
                if (r == RelationshipRole.lead.value).any()
                else N_("Alongside another worker")
            ),
        ),
    )
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
    """month, share, families: see DEFINITIONS["monthly_continuity"].

    A family is counted in a month when a main-worker relationship was active on the day
    before the month began and one is active at its end (a relationship is active from the
    day it started until the day before it ended). It kept the same main worker all month
    only when both are the same relationship: a family closed and reopened within the month
    had no main worker for part of it, even if the same worker picked it up again; a family
    reopened in an earlier month is counted from the first whole month after it."""
    leads = _ordered_leads(relationships)
    if leads.empty:
        frame = pd.DataFrame(
            {"month": [start for start, _end in month_ends(today)], "share": None, "families": 0},
            columns=["month", "share", "families"],
        )
        frame["month"] = pd.to_datetime(frame["month"])
        return frame

    def active_on(day: pd.Timestamp) -> pd.Series:
        """Each family's main-worker relationship active at the end of the day (the latest
        started, should two overlap)."""
        active = leads[
            (leads["started_on"] <= day) & (leads["ended_on"].isna() | (leads["ended_on"] > day))
        ]
        return active.drop_duplicates("family_id", keep="last").set_index("family_id")[
            "relationship_id"
        ]

    rows = []
    for start, end in month_ends(today):
        before = active_on(pd.Timestamp(start) - pd.Timedelta(days=1))
        after = active_on(pd.Timestamp(end))
        counted = before.index.intersection(after.index)
        kept = int((before[counted] == after[counted]).sum())
        rows.append({"month": start, "share": _share(kept, len(counted)), "families": len(counted)})
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
        counts.append(
            {"month": start, "waiting": int(((begins <= e) & (still | (until > e))).sum())}
        )
    frame = pd.DataFrame(counts, columns=["month", "waiting"])
    frame["month"] = pd.to_datetime(frame["month"])
    return frame


def relationship_spread(families: pd.DataFrame) -> pd.DataFrame:
    """length, families: the current main-worker relationships of open families, by band."""
    current = families[
        (families["status"] != FamilyStatus.closed.value)
        & families["relationship_current"].astype(bool)
    ]
    days = current["relationship_days"].astype(float)
    counts = []
    lower = 0
    for label, upper in LENGTH_BANDS:
        inside = (days >= lower) & (days < upper) if upper else (days >= lower)
        counts.append({"length": label, "families": int(inside.sum())})
        lower = upper or lower
    return pd.DataFrame(counts, columns=["length", "families"])
