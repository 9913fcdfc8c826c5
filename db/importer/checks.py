"""Every row of a file checked against the layout, the team and the day, all at once.

The checks work on whole columns (pandas), not one row at a time, so 25,000 families with
their people, goals and scores are checked in well under a second. Each problem names the
row (as numbered in the spreadsheet), the column and a plain reason; a reason never repeats
what was typed in a name or a goal, so it can be shown to anyone who may import (admins see
no case content). Nothing here touches the database: what it needs from there — the team's
today, its workers' usernames and the council references its families already have — is
passed in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from db.i18n import N_, joined, words_column
from db.importer.reading import KINDS
from db.rules.validation import date_window
from db.store.models import Family, Goal, Person, Relationship, RelationshipRole
from db.words import RELATIONSHIP

OLDEST_AGE = 110  # as for a family added by hand (db.intake)
PROBLEM_COLUMNS = ["row", "column", "reason"]
FORMULA_STARTS = ("=", "+", "@")

# Words people write for who someone is to the family, as the stored value.
RELATIONSHIP_WORDS = {
    **{value.value.replace("_", " "): value for value in Relationship},
    **{words.lower(): value for value, words in RELATIONSHIP.items()},
    "mum": Relationship.parent,
    "dad": Relationship.parent,
    "mother": Relationship.parent,
    "father": Relationship.parent,
    "sibling": Relationship.brother_or_sister,
    "brother": Relationship.brother_or_sister,
    "sister": Relationship.brother_or_sister,
    "grandmother": Relationship.grandparent,
    "grandfather": Relationship.grandparent,
}
ROLE_WORDS = {
    "": RelationshipRole.lead,
    "lead": RelationshipRole.lead,
    "main": RelationshipRole.lead,
    "main worker": RelationshipRole.lead,
    "supporting": RelationshipRole.supporting,
    "also working with them": RelationshipRole.supporting,
}


@dataclass
class Checked:
    """What the file would add, and every problem found. Frames hold only good rows of
    families not already here; `key` is the council reference, lower-cased."""

    problems: pd.DataFrame
    families: pd.DataFrame
    people: pd.DataFrame
    workers: pd.DataFrame
    goals: pd.DataFrame
    scores: pd.DataFrame
    already_here: int = 0
    rows_read: int = 0
    counts: dict[str, int] = field(default_factory=dict)


def _limit(model, name: str) -> int:
    from db.rules.validation import max_chars

    return max_chars(model, name)


class _Problems:
    def __init__(self) -> None:
        self.parts: list[pd.DataFrame] = []

    def add(self, mask: pd.Series, column: str, reason) -> None:
        """`reason`: Words for every row in `mask`, or a Series of Words by row (said in the
        reader's language on screen, English in the command line's report)."""
        if not mask.any():
            return
        rows = mask.index[mask.to_numpy()]
        reasons = (
            list(reason.reindex(rows)) if isinstance(reason, pd.Series) else [reason] * len(rows)
        )
        part = pd.DataFrame({"row": rows, "column": column})
        part["reason"] = words_column(reasons, part.index)
        self.parts.append(part)

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            return pd.DataFrame(columns=PROBLEM_COLUMNS).astype({"reason": object})
        found = pd.concat(self.parts, ignore_index=True)
        found["row"] = found["row"].astype(int)
        return found.sort_values(["row", "column"], kind="stable").reset_index(drop=True)


_A_DAY = pd.Timedelta(days=1)


def _overlapping(key: pd.Series, starts: pd.Series, ends: pd.Series, rows: pd.Series) -> pd.Series:
    """The rows whose period (start to end, no end: still going) begins before an earlier
    period of the same family has ended; a period may begin on the day the last one ends."""
    periods = pd.DataFrame({"key": key[rows], "start": starts[rows], "end": ends[rows]})
    periods = periods.dropna(subset=["start"]).sort_values(["key", "start"], kind="stable")
    if periods.empty:
        return pd.Series(False, index=key.index)
    still_going = periods["end"].isna()
    periods["end"] = periods["end"].where(~still_going, periods["start"].max() + _A_DAY)
    earlier_end = periods.groupby("key")["end"].shift()
    ended_before = earlier_end.groupby(periods["key"]).cummax()
    clash = periods.index[(periods["start"] < ended_before).fillna(False)]
    return pd.Series(key.index.isin(clash), index=key.index)


# A time after the day, as case systems' exports and Excel's date-and-time cells write it
# ("2025-03-14 00:00:00", "14/03/2025 09:30"): every date here is a day, so it is left off.
_TIME_OF_DAY = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"


def _dates(column: pd.Series) -> pd.Series:
    """Cells as dates (2025-03-14 or 14/03/2025, with or without a time after them); NaT
    where they aren't one."""
    day = column.str.replace(_TIME_OF_DAY, "", regex=True)
    iso = pd.to_datetime(day, format="%Y-%m-%d", errors="coerce")
    british = pd.to_datetime(day, format="%d/%m/%Y", errors="coerce")
    return iso.fillna(british)


def _whole(column: pd.Series) -> pd.Series:
    return pd.to_numeric(column.where(column.str.fullmatch(r"-?\d{1,6}")), errors="coerce")


def _first_row_of(keys: pd.Series, mask: pd.Series) -> pd.Series:
    """For rows in `mask` whose key is repeated, the row number of the first such row."""
    chosen = keys[mask]
    first = chosen.reset_index().drop_duplicates(chosen.name or 0, keep="first")
    lookup = dict(zip(first.iloc[:, 1], first.iloc[:, 0]))
    return keys.map(lookup)


def _isin(column: pd.Series, values) -> pd.Series:
    """column.isin(values), through a hash table: pandas' Arrow-backed strings build a Python
    list of the values on every call (seconds for 100,000 references)."""
    return column.astype(object).isin(set(values))


def _look_up(keys: pd.Series, values: pd.Series) -> pd.Series:
    """values[key] for each key (values indexed by key, each once), a gap where there is none;
    keeps the values' dtype even when there are none."""
    return pd.Series(values.reindex(keys.to_numpy()).to_numpy(), index=keys.index)


def check(
    table: pd.DataFrame, *, today: date, workers: dict[str, int], known_references: set[str]
) -> Checked:
    """Checks the file's rows. `workers`: the team's workers by lower-cased username;
    `known_references`: the team's families' council references, lower-cased."""
    problems = _Problems()
    t = table
    kind = t["record"].str.lower()
    key = t["council_reference"].str.lower()
    earliest, _latest = date_window(today)
    earliest_ts = pd.Timestamp(earliest)
    today_ts = pd.Timestamp(today)

    # Formulas are refused wherever they are: never worked out, never stored.
    formula = pd.Series(False, index=t.index)
    for column in t.columns:
        looks = t[column].str.startswith(FORMULA_STARTS)
        problems.add(
            looks,
            column,
            N_("looks like a spreadsheet formula: please type the words or number itself"),
        )
        formula |= looks
        problems.add(
            t[column].str.contains("\x00", regex=False),
            column,
            N_("has a hidden character in it that can't be saved: please retype it"),
        )

    problems.add(
        kind == "",
        "record",
        N_("missing: say what the row is (family, person, worker, goal or score)"),
    )
    problems.add(
        (kind != "") & ~_isin(kind, KINDS) & ~formula,
        "record",
        N_("should be one of family, person, worker, goal or score"),
    )
    problems.add(t["council_reference"] == "", "council_reference", N_("missing council reference"))
    problems.add(
        t["council_reference"].str.len() > _limit(Family, "council_reference"),
        "council_reference",
        N_(
            "too long: please keep it under {limit} characters",
            limit=_limit(Family, "council_reference"),
        ),
    )

    # Families the team already has are left as they are, with every row about them; each is
    # counted once, whether the file has its family row or only rows about it (a new score),
    # so a file of such rows is never silently "nothing new".
    here = _isin(key, known_references) & (key != "")
    already_here = int(key[here].nunique())
    live = ~here

    def need(record: str, column: str, what: str) -> pd.Series:
        rows = (kind == record) & live
        problems.add(rows & (t[column] == ""), column, N_("missing {what}", what=what))
        return rows & (t[column] != "")

    def too_long(rows: pd.Series, column: str, model, name: str) -> None:
        limit = _limit(model, name)
        problems.add(
            rows & (t[column].str.len() > limit),
            column,
            N_("too long: please keep it under {limit} characters", limit=limit),
        )

    parsed_date = _dates(t["date"])

    def dated(rows: pd.Series, what: str, column: str = "date", when=None) -> pd.Series:
        when = parsed_date if when is None else when
        problems.add(
            rows & when.isna() & ~formula,
            column,
            N_(
                "{what} isn't a date we can read: please write it like 2025-03-14 or 14/03/2025",
                what=what,
            ),
        )
        problems.add(
            rows & (when > today_ts),
            column,
            N_("{what} is in the future (today is {today})", what=what, today=today),
        )
        problems.add(
            rows & (when < earliest_ts),
            column,
            N_("{what} can't be before {year}", what=what, year=str(earliest.year)),
        )
        return rows & when.notna() & (when <= today_ts) & (when >= earliest_ts)

    def not_before(rows: pd.Series, first_day: pd.Series, problem: str) -> None:
        """The rows dated before the first day their record allows (where there is one)."""
        problems.add(rows & first_day.notna() & (parsed_date < first_day), "date", problem)

    # --- families
    is_family = (kind == "family") & live
    named = need("family", "family_name", N_("family name"))
    too_long(named, "family_name", Family, "known_as")
    dated(
        need("family", "date", N_("the day they first came to us")),
        N_("the day they first came to us"),
    )
    repeated = is_family & (key != "") & key.duplicated(keep=False)
    first_row = _first_row_of(key, repeated)
    later = repeated & (first_row != pd.Series(t.index, index=t.index))
    problems.add(
        later,
        "council_reference",
        words_column(
            (
                N_(
                    "duplicate family reference: another family row has the same council "
                    "reference (row {row})",
                    row=str(int(first_row[n])),
                )
                for n in later.index[later.to_numpy()]
            ),
            later.index[later.to_numpy()],
        ),
    )
    families_in_file = set(key[is_family])
    belongs = _isin(key, families_in_file)
    problems.add(
        (_isin(kind, KINDS[1:])) & live & (key != "") & ~belongs,
        "council_reference",
        N_("no family row in this file has this council reference"),
    )
    family_first = parsed_date[is_family].groupby(key[is_family]).first()

    # --- people
    is_person = need("person", "name", N_("the person's name"))
    too_long(is_person, "name", Person, "name")
    relationship = t["relationship"].str.lower().str.replace("_", " ").map(RELATIONSHIP_WORDS)
    rows = need("person", "relationship", N_("who they are to the family"))
    problems.add(
        rows & relationship.isna() & ~formula,
        "relationship",
        N_(
            "should be one of: {choices}",
            choices=joined([words.small() for words in RELATIONSHIP.values()], ", "),
        ),
    )
    year = _whole(t["birth_year"])
    has_year = (kind == "person") & live & (t["birth_year"] != "")
    problems.add(has_year & year.isna() & ~formula, "birth_year", N_("should be a year, like 2016"))
    problems.add(
        has_year & (year > today.year), "birth_year", N_("is in the future: please check the year")
    )
    problems.add(
        has_year & (year < today.year - OLDEST_AGE),
        "birth_year",
        N_("can't be before {year}", year=str(today.year - OLDEST_AGE)),
    )
    person_key = key + "\x1f" + t["name"].str.lower()
    people_rows = (kind == "person") & live & (t["name"] != "")
    twice = people_rows & person_key.duplicated(keep=False)
    problems.add(
        twice & person_key.duplicated(keep="first"),
        "name",
        N_(
            "this family already has a person row with the same name: scores and goals need "
            "each person's name to be different"
        ),
    )
    people_in_file = set(person_key[people_rows])

    # --- workers' relationships with the family
    username = t["worker"].str.lower()
    rows = need("worker", "worker", N_("the worker's username"))
    problems.add(
        rows & ~_isin(username, workers) & ~formula,
        "worker",
        N_("unknown worker: no worker of this team has this username"),
    )
    role = t["role"].str.lower().map(ROLE_WORDS)
    problems.add(
        (kind == "worker") & live & role.isna() & ~formula,
        "role",
        N_("should be lead or supporting (left empty: lead)"),
    )
    started = need("worker", "date", N_("the day they started working with the family"))
    started_ok = dated(started, N_("the start date"))
    not_before(
        started_ok,
        _look_up(key, family_first),
        N_("the worker can't start before the family first came to us"),
    )
    ended = _dates(t["ended_on"])
    has_end = (kind == "worker") & live & (t["ended_on"] != "")
    end_ok = dated(has_end, N_("the end date"), "ended_on", ended)
    problems.add(
        end_ok & started_ok & (ended < parsed_date),
        "ended_on",
        N_("the end date is before the start date"),
    )
    current_lead = (kind == "worker") & live & (role == RelationshipRole.lead) & ~has_end
    problems.add(
        _overlapping(key, parsed_date, ended, (kind == "worker") & live & (role == "lead")),
        "role",
        N_("this family already has a main worker for some of that time: only one at a time"),
    )
    current = (kind == "worker") & live & ~has_end & (username != "")
    pair = key + "\x1f" + username
    problems.add(
        current & pair.where(current).duplicated(keep="first") & current,
        "worker",
        N_("this worker is already working with this family in another row"),
    )

    # --- goals
    is_goal = need("goal", "goal", N_("the goal, in the family's own words"))
    too_long(is_goal, "goal", Goal, "wording")
    set_ok = dated(
        need("goal", "date", N_("the day the goal was set")), N_("the day the goal was set")
    )
    whose = (kind == "goal") & live & (t["name"] != "")
    problems.add(
        whose & ~_isin(person_key, people_in_file),
        "name",
        N_("no person row of this family has this name (leave it empty for a whole-family goal)"),
    )
    goal_key = key + "\x1f" + t["goal"].str.lower()
    goal_rows = is_goal
    problems.add(
        goal_rows & goal_key.where(goal_rows).duplicated(keep="first") & goal_rows,
        "goal",
        N_("this family already has a goal row with the same words"),
    )
    goal_set = parsed_date[goal_rows & set_ok].groupby(goal_key[goal_rows & set_ok]).first()
    goals_in_file = set(goal_key[goal_rows])

    # --- scores
    is_score = need("score", "goal", N_("which goal (its words, as on the goal's row)"))
    problems.add(
        is_score & ~_isin(goal_key, goals_in_file) & ~formula,
        "goal",
        N_("no goal row of this family has these words"),
    )
    number = _whole(t["score"])
    rows = need("score", "score", N_("the score (0 to 10)"))
    problems.add(
        rows & number.isna() & ~formula, "score", N_("should be a whole number from 0 to 10")
    )
    outside = rows & number.notna() & ((number < 0) | (number > 10))
    problems.add(
        outside,
        "score",
        words_column(
            (
                N_("score {score} isn't between 0 and 10", score=t["score"][n])
                for n in outside.index[outside.to_numpy()]
            ),
            outside.index[outside.to_numpy()],
        ),
    )
    scored_ok = dated(need("score", "date", N_("the day of the score")), N_("the day of the score"))
    not_before(
        scored_ok, _look_up(goal_key, goal_set), N_("this score is dated before the goal was set")
    )
    by_person = t["name"] != ""
    by_worker = t["worker"] != ""
    score_rows = (kind == "score") & live
    problems.add(
        score_rows & ~by_person & ~by_worker,
        "name",
        N_("missing who gave the score: a person's name, or a worker's username under worker"),
    )
    problems.add(
        score_rows & by_person & by_worker,
        "worker",
        N_("give either a person's name or a worker, not both"),
    )
    problems.add(
        score_rows & by_person & ~by_worker & ~_isin(person_key, people_in_file),
        "name",
        N_("no person row of this family has this name"),
    )
    problems.add(
        score_rows & by_worker & ~by_person & ~_isin(username, workers) & ~formula,
        "worker",
        N_("unknown worker: no worker of this team has this username"),
    )
    day_read = parsed_date.dt.strftime("%Y-%m-%d").fillna(t["date"])  # 3/2/2025 is 2025-02-03
    sitting = goal_key + "\x1f" + t["name"].str.lower() + "\x1f" + username + "\x1f" + day_read
    problems.add(
        score_rows & sitting.where(score_rows).duplicated(keep="first") & score_rows,
        "score",
        N_("the same person already scored this goal on this day in another row"),
    )

    found = problems.frame()
    good = ~t.index.isin(found["row"])

    def rows_of(record: str) -> pd.Series:
        return (kind == record) & live & good

    families = pd.DataFrame(
        {
            "key": key[rows_of("family")],
            "council_reference": t.loc[rows_of("family"), "council_reference"],
            "known_as": t.loc[rows_of("family"), "family_name"],
            "first_came_on": parsed_date[rows_of("family")].dt.date,
        }
    )
    people = pd.DataFrame(
        {
            "key": key[rows_of("person")],
            "name": t.loc[rows_of("person"), "name"],
            "relationship": relationship[rows_of("person")],
            "birth_year": year[rows_of("person")],
        }
    )
    lead_starts = (
        pd.DataFrame(
            {
                "key": key[rows_of("worker") & current_lead],
                "started_on": parsed_date[rows_of("worker") & current_lead].dt.date,
            }
        )
        .drop_duplicates("key")
        .set_index("key")["started_on"]
    )
    families["working_since"] = _look_up(families["key"], lead_starts)
    worker_rows = rows_of("worker")
    relationships = pd.DataFrame(
        {
            "key": key[worker_rows],
            "worker_id": username[worker_rows].map(workers),
            "role": role[worker_rows],
            "started_on": parsed_date[worker_rows].dt.date,
            "ended_on": ended[worker_rows].dt.date,
        }
    )
    goals = pd.DataFrame(
        {
            "key": key[rows_of("goal")],
            "goal_key": goal_key[rows_of("goal")],
            "wording": t.loc[rows_of("goal"), "goal"],
            "set_on": parsed_date[rows_of("goal")].dt.date,
            "person_key": person_key[rows_of("goal")].where(whose[rows_of("goal")]),
        }
    )
    score_ok = rows_of("score")
    scores = pd.DataFrame(
        {
            "key": key[score_ok],
            "goal_key": goal_key[score_ok],
            "scored_on": parsed_date[score_ok].dt.date,
            "score": number[score_ok],
            "person_key": person_key[score_ok].where(by_person[score_ok]),
            "worker_id": username[score_ok].map(workers).where(by_worker[score_ok]),
        }
    )
    return Checked(
        problems=found,
        families=families,
        people=people,
        workers=relationships,
        goals=goals,
        scores=scores,
        already_here=already_here,
        rows_read=len(t),
        counts={
            "families": len(families),
            "people": len(people),
            "workers": len(relationships),
            "goals": len(goals),
            "scores": len(scores),
        },
    )
