"""The one place every continuity figure is defined: its window, its thresholds, and the
one-sentence definition shown beside it on screen."""

from datetime import date, timedelta

import pandas as pd

from db.i18n import N_, Words
from db.settings import DAY_ENDS, DAY_STARTS
from db.store.models import EndReason

# --- definitions: the one place every continuity figure is defined -----------------------

LOOKBACK_MONTHS = 12  # "the last 12 months"
KNOWN_LONG_MONTHS = 6  # a worker has "known" a family for more than this
RETURN_WITHIN_MONTHS = 12  # a family "came back" if it returned within this of closing
MONTHS_CHARTED = 12  # months drawn on the charts over time
NOT_THE_WORKERS_DOING = (EndReason.sickness, EndReason.team_change)
NO_REASON = N_("Reason not recorded")

_HOURS = f"{DAY_STARTS:%H:%M}", f"{DAY_ENDS:%H:%M}"

# Each figure's one-sentence definition: Words, said in the reader's language where shown.
DEFINITIONS: dict[str, Words] = {
    # per family
    "lead_workers_12m": N_(
        "Different main workers the family has had at any time in the last 12 months."
    ),
    "lead_workers_ever": N_("Different main workers the family has had since first coming to us."),
    "relationship_days": N_(
        "Days with the current main worker (for a closed family, with the last one until it ended)."
    ),
    "handovers": N_(
        "Times the family's main worker changed for a reason other than the family closing, "
        "since first coming to us."
    ),
    "chose_worker": N_("Whether the family chose its current (or last) main worker."),
    "days_to_first_meeting": N_("Days from first coming to us to the first meeting that happened."),
    "came_back": N_(
        "Whether the family came back to us (asked for help again) within 12 months of "
        "closing. Keeping in touch after closing is not coming back."
    ),
    "outside_share": N_(
        "Of the family's meetings that happened in the last 12 months, the share that started"
        " before {start} or from {end} in the team's time zone, or on a Saturday or Sunday.",
        start=_HOURS[0],
        end=_HOURS[1],
    ),
    # per worker
    "families_now": N_(
        "Families the worker is working with today, as main worker or alongside another worker."
    ),
    "caseload_12m": N_(
        "Different families the worker worked with at any time in the last 12 months."
    ),
    "known_over_6m": N_(
        "Of the worker's families now, how many they have known for more than 6 months."
    ),
    "handovers_in": N_("Families handed over to this worker as main worker in the last 12 months."),
    "handovers_out": N_("Families this worker handed over as main worker in the last 12 months."),
    "not_their_doing": N_(
        "Families this worker handed over because of sickness or a team change in the last 12 "
        "months: these are not the worker's doing."
    ),
    # per team
    "median_relationship_days": N_(
        "Half of the families we work with now have had their main worker for longer than "
        "this, half for less."
    ),
    "kept_one_worker": N_(
        "Of the families open in the last 12 months who have had a main worker, the share who"
        " have had only one main worker throughout."
    ),
    "chose_worker_share": N_(
        "Of the families open in the last 12 months who have had a main worker, the share who"
        " chose their current (or last) main worker."
    ),
    "waiting": N_(
        "Families waiting to meet a worker today, and the middle (median) time they have "
        "waited so far."
    ),
    "returns": N_(
        "Families who came back to us in the last 12 months within 12 months of closing."
    ),
    "outside_9_5": N_(
        "Of the meetings that happened in the last 12 months, the share that started before "
        "{start} or from {end} in the team's time zone, or on a Saturday or Sunday.",
        start=_HOURS[0],
        end=_HOURS[1],
    ),
    "practical_help": N_(
        "Times practical help (food, money, grants, debt advice, housing, equipment) was "
        "given in the last 12 months, and to how many families."
    ),
    # charts
    "monthly_continuity": N_(
        "Each month: of the families who had a main worker at the end of the month and had "
        "one before it began, the share who kept the same main worker all month."
    ),
    "relationship_spread": N_("How long the families we work with now have had their main worker."),
    "caseload_per_worker": N_(
        "Families each worker is working with today (workers in alphabetical order; not a ranking)."
    ),
    "waiting_over_time": N_("Families waiting to meet a worker at the end of each month."),
}

LENGTH_BANDS = [  # (label, up to this many days, exclusive)
    (N_("Under 3 months"), 91),
    (N_("3 to 6 months"), 183),
    (N_("6 to 12 months"), 365),
    (N_("1 to 2 years"), 730),
    (N_("2 years or more"), None),
]


def months_before(day: date, months: int) -> date:
    return (pd.Timestamp(day) - pd.DateOffset(months=months)).date()


def window_start(today: date) -> date:
    """The first day of "the last 12 months" (inclusive) ending today."""
    return months_before(today, LOOKBACK_MONTHS) + timedelta(days=1)
