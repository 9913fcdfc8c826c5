"""Checks every write makes before it stores anything, in words that say what to change.

Each rule is stated once. The limits of what a form may hold live on the input models (pydantic
models, most sharing their fields with the table so the column and the form agree); pydantic's
errors become one plain sentence naming the field in `invalid`, the one place that happens.
The plain helpers below (`text`, `day`, `choice`, `record_id`) apply the same rules to writes
that take single values.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import inspect
import operator
import types
import typing
import zoneinfo
from datetime import date, datetime
from typing import Annotated, Any, Callable, ClassVar, Self, TypeVar, overload

import numpy
from annotated_types import MaxLen
from pydantic import BeforeValidator, ConfigDict, ValidationError, field_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import update
from sqlalchemy.engine import CursorResult
from sqlmodel import Session, SQLModel

from db.i18n import N_
from db.settings import SHORT_TEXT, settings
from db.store.clock import today_in
from db.store.models import Person, WorkerTeam

# Ids are INTEGER columns: PostgreSQL's range, which SQLite's is wider than.
LARGEST_ID = 2**31 - 1


class Invalid(ValueError):
    """Bad input, in words that say what to change."""


class Conflict(RuntimeError):
    """Someone else saved the same record first; nothing was overwritten."""

    def __init__(self, what: str = N_("this")) -> None:
        super().__init__(
            N_(
                "Someone else saved {what} while you were editing. Your text is still "
                "here: copy it, reload to see their changes, then save again.",
                what=what,
            )
        )


# --- the rules, stated once ----------------------------------------------------------------


def storable_problem(value: str) -> str | None:
    """Why this text can't be stored (a NUL byte PostgreSQL refuses, or half of an emoji that
    lost its other half on the way), or None."""
    if "\x00" in value:
        return N_("has a hidden character in it that can't be saved: please retype it")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return N_("has a broken character in it (perhaps half an emoji): please retype it")
    return None


def as_record_id(value: Any) -> int | None:
    """The value as an id the database can hold (numpy's integers from a table included), or
    None: a bool, a float, text or a number out of range was never one of our ids."""
    number = as_whole_number(value)
    return number if number is not None and number >= 1 else None


def date_window(today: date | None = None) -> tuple[date, date]:
    """The dates any record may carry: none before EARLIEST_YEAR, none more than YEARS_AHEAD
    years from now (a meeting planned for 9999 is a slip of the keyboard)."""
    # A year is wide enough that the default zone's date serves every team.
    today = today or today_in()
    return date(settings.EARLIEST_YEAR, 1, 1), date(today.year + settings.YEARS_AHEAD, 12, 31)


def window_problem(value: date) -> str | None:
    earliest, latest = date_window()
    if value < earliest:
        return N_("can't be before {year}", year=str(earliest.year))
    if value > latest:
        return N_("can't be later than {year}", year=str(latest.year))
    return None


# --- input models ----------------------------------------------------------------------------


def _known_id(value: Any) -> int:
    number = as_record_id(value)
    if number is None:
        raise PydanticCustomError("unknown_id", "that choice isn't known here")
    return number


def _not_a_bool(value: Any) -> Any:
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", "a tick is not a number")
    return value


def field_problem(kind: str, words: str) -> PydanticCustomError:
    """A validator's problem with one field ("can't be in the future"), which `invalid` puts
    after the field's name; the words stay Words, so the screen says them in its language."""
    return PydanticCustomError(kind, "{words}", {"words": words})


# An id field of an input model: a whole number within the database's range.
RecordId = Annotated[int, BeforeValidator(_known_id)]
# A count or a score: a whole number, never a tick box's True.
WholeNumber = Annotated[int, BeforeValidator(_not_a_bool)]


class Input(SQLModel):
    """Base of every form's input model: text is trimmed, and refused with a sentence if it
    can't be stored; dates stay inside the window; any problem raises Invalid, not pydantic's
    ValidationError. Positional arguments follow `positional` (the order the fields were
    always given in)."""

    model_config = ConfigDict(  # type: ignore[assignment]
        str_strip_whitespace=True, revalidate_instances="always", extra="forbid"
    )
    positional: ClassVar[tuple[str, ...]] = ()

    def __init__(self, *args: Any, **data: Any) -> None:
        if len(args) > len(self.positional):
            raise Invalid(N_("Please check the form and try again."))
        data.update(zip(self.positional, args))
        try:
            super().__init__(**data)
        except ValidationError as error:
            raise invalid(error, type(self)) from None

    @classmethod
    def check(cls, value: Any) -> Self:
        """The value as a validated instance of this model, or Invalid in a sentence."""
        try:
            return cls.model_validate(value)
        except ValidationError as error:
            raise invalid(error, cls) from None

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        if isinstance(value, str) and (problem := storable_problem(value)):
            raise field_problem("not_storable", problem)
        if isinstance(value, date) and (problem := window_problem(value)):
            raise field_problem("outside_window", problem)
        return value


def max_chars(model: type[SQLModel], field: str) -> int:
    """The longest text a field takes, read from the model, for a form's max_chars."""
    for rule in model.model_fields[field].metadata:
        if isinstance(rule, MaxLen):
            return rule.max_length
    raise KeyError(f"{model.__name__}.{field} has no length limit")


def _field_info(model: type[SQLModel] | None, loc: tuple) -> tuple[Any, type[SQLModel] | None]:
    """The pydantic FieldInfo an error's location points at, following nested input models
    (a meeting's plan steps); None when the location names no field."""
    info = None
    for part in loc:
        if not isinstance(part, str) or model is None:
            continue
        info = model.model_fields.get(part)
        if info is None:
            return None, None
        model = next(
            (
                t
                for t in (info.annotation, *_inner_types(info.annotation))
                if isinstance(t, type) and issubclass(t, SQLModel)
            ),
            None,
        )
    return info, model


def _inner_types(annotation: Any) -> list[Any]:
    found = []
    for arg in typing.get_args(annotation):
        found.append(arg)
        found.extend(_inner_types(arg))
    return found


def _sentence(kind: str, ctx: dict, title: str, prompt: str, message: str) -> str:
    if kind in ("missing", "string_too_short"):
        return N_("Please write something for {label}.", label=prompt)
    if kind == "too_short":  # a list with fewer entries than it needs
        return N_("Please add {label}.", label=prompt)
    if kind == "string_too_long":
        return N_(
            "{label} is too long: please keep it under {limit} characters.",
            label=title,
            limit=ctx["max_length"],
        )
    if kind == "unknown_id":
        return N_("Please choose {label} again: that choice isn't known here.", label=title)
    if kind in ("not_storable", "outside_window"):  # said by `problem()`, kept as Words
        return N_("{label} {problem}.", label=title, problem=ctx.get("words", message)).capital()
    if kind == "string_unicode":
        return N_(
            "{label} has a broken character in it (perhaps half an emoji): please retype it.",
            label=title,
        )
    if kind in ("string_type", "string_sub_type"):
        return N_("Please write {label} in words.", label=title)
    if kind == "enum" or kind.startswith("literal"):
        return N_("Please choose one of the options for {label}.", label=title)
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        low, high = ctx.get("ge", ctx.get("gt")), ctx.get("le", ctx.get("lt"))
        if low is not None and high is None:
            return N_("{label} should be {low} or more.", label=title, low=low)
        return N_("{label} should be a whole number up to {high}.", label=title, high=high)
    if kind.startswith("int") or kind == "float_type":
        return N_("Please give {label} as a whole number.", label=title)
    if kind.startswith("date") or kind.startswith("datetime") or kind == "timezone_aware":
        return N_("Please give a date for {label}.", label=title)
    if kind.startswith("bool"):
        return N_("Please tick or untick {label}.", label=title)
    return N_("Please check {label} and try again.", label=title)


def invalid(error: ValidationError, model: type[SQLModel] | None = None) -> Invalid:
    """Pydantic's first error about an input, as the project's Invalid: one plain sentence
    that names the field in everyday words (its `title`; a prompt such as "the goal, in
    their own words" from its `description`). Bounded numbers say their range once, from
    the field's own limits."""
    first = error.errors(include_url=False)[0]
    cause = (first.get("ctx") or {}).get("error")
    if isinstance(cause, Invalid):  # a nested input model has already said it in a sentence
        return cause
    info, _ = _field_info(model, tuple(first["loc"]))
    title = (info.title if info is not None else None) or N_("the form")
    prompt = (info.description if info is not None else None) or title
    bounds = {}
    if info is not None:
        for rule in info.metadata:
            for key in ("ge", "le"):
                if getattr(rule, key, None) is not None:
                    bounds[key] = getattr(rule, key)
    kind = first["type"]
    if "ge" in bounds and "le" in bounds and (kind.startswith("int") or "than" in kind):
        return Invalid(
            N_(
                "{label} should be a whole number from {low} to {high}.",
                label=title,
                low=bounds["ge"],
                high=bounds["le"],
            )
        )
    return Invalid(_sentence(kind, first.get("ctx") or {}, title, prompt, first["msg"]))


# --- the same rules for writes that take single values ---------------------------------------


def text(value, label: str, *, required: bool = True, limit: int = SHORT_TEXT) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Invalid(N_("Please write {label} in words.", label=label))
    cleaned = value.strip()
    if required and not cleaned:
        raise Invalid(N_("Please write something for {label}.", label=label))
    if len(cleaned) > limit:
        raise Invalid(
            N_(
                "{label} is too long: please keep it under {limit} characters.",
                label=label,
                limit=limit,
            )
        )
    if problem := storable_problem(cleaned):
        raise Invalid(N_("{label} {problem}.", label=label, problem=problem).capital())
    return cleaned


def day(value, label: str, *, today: date | None) -> date:
    """The value as a date in the allowed window. `today` is the team's today (see db.store.clock)
    and a later date is refused as in the future; None is for dates that may lie ahead."""
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        raise Invalid(N_("Please give a date for {label}.", label=label))
    if today is not None and value > today:
        raise Invalid(N_("{label} can't be in the future.", label=label))
    if problem := window_problem(value):
        raise Invalid(N_("{label} {problem}.", label=label, problem=problem).capital())
    return value


def choice(enum_class: type[enum.Enum], value, label: str):
    try:
        return enum_class(value)
    except (ValueError, TypeError):
        raise Invalid(N_("Please choose one of the options for {label}.", label=label)) from None


@functools.cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def time_zone(value) -> str:
    """One of the time zones the system knows by name: a very long name, a folder or a path
    is none (ZoneInfo would read the file system for it)."""
    if not isinstance(value, str) or value not in _time_zones():
        raise Invalid(N_("Please choose a time zone such as Europe/London."))
    return value


def record_id(value, label: str = N_("that record")) -> int:
    """An id as the database can hold it; anything else was never one of ours."""
    number = as_record_id(value)
    if number is None:
        raise Invalid(N_("{label} isn't known here: please reload the page.", label=label))
    return number


def whole_number(value, label: str, *, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise Invalid(
            N_(
                "{label} should be a whole number from {low} to {high}.",
                label=label,
                low=low,
                high=high,
            )
        )
    return value


@overload
def person_in_family(
    session: Session, family_id: int, person_id: int, label: str = ...
) -> Person: ...
@overload
def person_in_family(
    session: Session, family_id: int, person_id: int | None, label: str = ...
) -> Person | None: ...
def person_in_family(
    session: Session, family_id: int, person_id: int | None, label: str = N_("that person")
) -> Person | None:
    if person_id is None:
        return None
    person = session.get(Person, record_id(person_id, label))
    if person is None or person.family_id != family_id:
        raise Invalid(N_("{label} isn't part of this family's world.", label=label))
    return person


def worker_in_team(session: Session, worker_id: int, team_id: int) -> None:
    """A staff account of the family's team (not another team's worker, nor a family
    member's own login, which belongs to no team)."""
    if session.get(WorkerTeam, (record_id(worker_id, N_("that worker")), team_id)) is None:
        raise Invalid(N_("That worker isn't in this family's team."))


def save_versioned(
    session: Session, model, record_id: int, seen_version: int, values: dict, what: str
) -> None:
    """UPDATE … WHERE version = the version seen when the form was drawn; zero rows means
    someone else saved first, so nothing is overwritten."""
    if isinstance(seen_version, bool) or not isinstance(seen_version, int):
        raise Conflict(what)
    result = typing.cast(
        CursorResult,
        session.execute(
            update(model)
            .where(model.id == record_id, model.version == seen_version)
            .values(**values, version=seen_version + 1)
        ),
    )
    if result.rowcount != 1:
        raise Conflict(what)


# --- every public write's arguments, checked before it runs ----------------------------------

Write = TypeVar("Write", bound=Callable[..., Any])


def checked(write: Write) -> Write:
    """Checks a write's arguments by their names and annotations before it runs, so nothing a
    browser (or a careless caller) sends reaches the database as something it can't hold:

    - `…_id` is one of our ids (a whole number in the database's range) or, where the write
      allows it, None; `…_ids` a collection of them. Anything else is refused like a missing
      record (NotAllowed), so ids can't be probed.
    - `seen_version` is a whole number; anything else is a form from elsewhere: Conflict.
    - text is text with no NUL byte or half emoji; dates and times are inside the window;
      ticks are ticks; whole numbers are whole numbers — Invalid in a sentence otherwise.
    - an input (a dataclass such as PersonIn) is that input, its fields checked the same way;
      `list[X]`/`tuple[X, ...]` hold Xs.
    The write itself still applies its own rules (lengths, choices, who may do what)."""
    signature = inspect.signature(write)

    @functools.wraps(write)
    def checked_write(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        actor = bound.arguments.get("actor")
        hints = _hints(write)
        for name, value in bound.arguments.items():
            default = signature.parameters[name].default
            _check(name, value, hints.get(name), actor, none_ok=default is None)
        return write(*bound.args, **bound.kwargs)

    return typing.cast(Write, checked_write)


@functools.cache
def _hints(target) -> dict[str, Any]:
    return typing.get_type_hints(target, include_extras=True)


# How an argument is named in a sentence, where its name alone would read oddly.
_WORDS = {
    "starts_at": N_("meeting's date"),
    "look_again_on": N_("day to look at the plan again"),
    "on": N_("date"),
    "written_on": N_("date"),
    "action_by": N_("day the action is due"),
    "agreed_on": N_("day they agreed"),
    "given_on": N_("day it was given"),
    "held_on": N_("day you talked"),
    "scored_on": N_("day of the scores"),
    "started_on": N_("start date"),
    "known_as": N_("name the family chose"),
    "confirm_known_as": N_("family's name"),
}


def _words(name: str) -> str:
    return _WORDS.get(name) or name.removesuffix("_id").replace("_", " ")


def _refused(actor, name: str) -> Exception:
    """An id that could never be ours is refused like a missing record (audited), so ids
    can't be probed; with no worker acting, it is simply unknown."""
    from db.rules.access import Actor, refused

    if not isinstance(actor, Actor):
        return Invalid(N_("That choice isn't known here."))
    return refused(actor, what=_words(name).replace(" ", "_"))


def _check(name: str, value: Any, hint: Any, actor: Any, *, none_ok: bool = False) -> None:
    if name == "actor":
        return
    optional = none_ok or _allows_none(hint)
    if value is None and optional:
        return
    if name.endswith("_id"):
        if as_record_id(value) is None:
            raise _refused(actor, name)
        return
    if name.endswith("_ids"):
        if not isinstance(value, (list, tuple, set, frozenset)) or any(
            as_record_id(v) is None for v in value
        ):
            raise _refused(actor, name)
        return
    if name == "seen_version":
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= LARGEST_ID:
            raise Conflict()
        return
    _check_kind(name, value, _without_none(hint), actor)


def _allows_none(hint: Any) -> bool:
    return hint is not None and type(None) in typing.get_args(hint)


def _without_none(hint: Any) -> Any:
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        kinds = [k for k in typing.get_args(hint) if k is not type(None)]
        return kinds[0] if len(kinds) == 1 else None
    return hint


def _check_kind(name: str, value: Any, hint: Any, actor: Any) -> None:
    label = _words(name)
    if hint == RecordId:
        if as_record_id(value) is None:
            raise _refused(actor, name)
        return
    if typing.get_origin(hint) is Annotated:
        hint = typing.get_args(hint)[0]
    origin = typing.get_origin(hint)
    if hint is str:
        if not isinstance(value, str):
            raise Invalid(N_("Please write the {label} in words.", label=label))
        if problem := storable_problem(value):
            raise Invalid(N_("The {label} {problem}.", label=label, problem=problem))
    elif hint is bool:
        if not isinstance(value, (bool, numpy.bool_)):
            raise Invalid(N_("Please tick or untick {label}.", label=label))
    elif hint is int:
        if isinstance(value, bool) or as_whole_number(value) is None:
            raise Invalid(N_("Please give the {label} as a whole number.", label=label))
    elif hint is datetime:
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise Invalid(N_("Please give a date and time for the {label}.", label=label))
        if problem := window_problem(value.date()):
            raise Invalid(N_("The {label} {problem}.", label=label, problem=problem))
    elif hint is date:
        if not isinstance(value, date):
            raise Invalid(N_("Please give a date for the {label}.", label=label))
        if problem := window_problem(value.date() if isinstance(value, datetime) else value):
            raise Invalid(N_("The {label} {problem}.", label=label, problem=problem))
    elif origin in (list, tuple):
        if not isinstance(value, (list, tuple)):
            raise Invalid(N_("Please check the form and try again."))
        inner = [k for k in typing.get_args(hint) if k is not Ellipsis]
        for item in value:
            _check(name, item, inner[0] if inner else None, actor)
    elif isinstance(hint, type) and dataclasses.is_dataclass(hint):
        if not isinstance(value, hint):
            raise Invalid(N_("Please check the form and try again."))
        for field in dataclasses.fields(hint):
            _check(
                field.name,
                getattr(value, field.name),
                _hints(hint).get(field.name),
                actor,
                none_ok=field.default is None,
            )
    elif isinstance(hint, type) and not isinstance(value, hint):
        # A table, a file's bytes, an input model of the wrong kind: a caller's slip, refused
        # plainly rather than failing half-way through the write.
        raise Invalid(N_("Please check the form and try again."))


def as_whole_number(value: Any) -> int | None:
    """The value as a whole number the database can hold, or None."""
    if isinstance(value, bool):
        return None
    try:
        number = operator.index(value)
    except TypeError:
        return None
    return number if -LARGEST_ID <= number <= LARGEST_ID else None
