"""Shared behaviour of forms: a problem is shown as one sentence next to Save, never a trace;
what was typed stays on a refused save; an edit saved over someone else's is a conflict; a
saved form comes back empty; a record saved by mistake can be withdrawn."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from components.i18n import _, said
from components.ui import plain
from db.rules.access import Actor, NotAllowed
from db.rules.validation import Conflict, Invalid, date_window, max_chars
from db.rules.writes import AlreadySaved, withdraw


@contextmanager
def show_problem(where=None):
    """Runs a save; bad input, a conflict or a refusal becomes a clear message and the typed
    text stays on screen (the widgets are left as they are). `where` is a container drawn
    next to the form's Save button, so the message is seen where the click was."""
    where = where if where is not None else st.container()
    try:
        yield
    except AlreadySaved as repeat:
        where.info(plain(said(repeat)), icon=":material/check_circle:")
    except Invalid as problem:
        where.error(plain(said(problem)))  # messages quote what people typed
    except Conflict as problem:
        where.warning(plain(said(problem)))
    except NotAllowed:
        where.warning(_("That isn't available to you."))


@contextmanager
def redraw_after_save(where=None, *, form: str | None = None, notice: str | None = None):
    """Runs a save as show_problem does; once it goes through, `form` (if given) comes back
    empty, `notice` (if given) is shown and the page is drawn again."""
    with show_problem(where):
        yield
        if form is not None:
            saved(form)
        if notice:
            st.toast(notice)
        st.rerun()


@dataclass(frozen=True)
class SaveButton:
    clicked: bool
    problem_place: DeltaGenerator  # just under the button, where a refused save is explained


def save_button(label: str, **options) -> SaveButton:
    """A form's submit button, with the place for its problem under it (see show_problem)."""
    clicked = st.form_submit_button(label, **options)
    return SaveButton(clicked, st.container())


class SeenVersion:
    """The version of a record as its edit form was first drawn. The save passes it on, so a
    save after someone else's is a conflict and what was typed stays on screen; once a save
    goes through it is forgotten, and the form is next drawn from the saved record.

    The form's boxes are keyed through `key`, which carries the version: a box keyed to an
    older version is a new box, drawn from the record as it is now. Without that a box would
    keep the words it showed before a colleague's save, and the next save would quietly put
    them back over the colleague's."""

    def __init__(self, form: str, version: int) -> None:
        self._key = f"{form}_version"
        held = st.session_state.get(self._key)
        # A version held for a form that wasn't on screen last time (the worker looked at
        # something else, then came back) is stale: the form is drawn afresh from the record.
        if held is None or not _has_boxes(f"{form}_v{held}_"):
            held = int(version)
        st.session_state[self._key] = held
        self.version = int(held)
        self.prefix = f"{form}_v{self.version}"

    def key(self, field: str) -> str:
        return f"{self.prefix}_{field}"

    def forget(self) -> None:
        st.session_state.pop(self._key, None)

    @contextmanager
    def saving(self, where=None, *, notice: str | None = None):
        """Runs the edit's save as redraw_after_save does, forgetting the version once it goes
        through: the page is drawn again from the saved record."""
        with redraw_after_save(where, notice=notice):
            yield
            self.forget()


def _has_boxes(prefix: str) -> bool:
    """Whether a box keyed under `prefix` was drawn on the last run (Streamlit forgets a
    box's state once a run doesn't draw it)."""
    return any(str(key).startswith(prefix) for key in st.session_state)


def pick(label: str, labels: dict, *, placeholder: str, key: str):
    """One record chosen by what people call it (`labels`: id → words); None until chosen."""
    return st.selectbox(
        label,
        list(labels),
        format_func=labels.__getitem__,
        index=None,
        placeholder=placeholder,
        key=key,
    )


def pick_many(label: str, labels: dict, *, key: str, **options) -> list:
    """Records chosen by what people call them (`labels`: id → words); `options` go on to
    st.multiselect (a default, a placeholder)."""
    return st.multiselect(label, list(labels), format_func=labels.__getitem__, key=key, **options)


def text_boxes(
    model: type, labels: dict[str, str], *, prefix: str, current: dict | None = None
) -> dict[str, str]:
    """A text box for each of the model's fields in `labels` (field → label), holding no more
    than the model allows and filled from `current`; what is typed, by field."""
    current = current or {}
    return {
        field: st.text_input(
            label,
            value=current.get(field, ""),
            max_chars=max_chars(model, field),
            key=f"{prefix}_{field}",
        )
        for field, label in labels.items()
    }


def day_so_far(label: str, *, today: date, key: str) -> date:
    """A day that has come (the store refuses one in the team's future, in a sentence),
    written day/month/year, today to start with.

    The box takes any date a record may carry: a date typed outside the box's own limits was
    only marked in red, and the form then saved the day the box held before (today), so a
    future date was quietly stored as today."""
    earliest, latest = date_window(today)
    return st.date_input(
        label, value=today, min_value=earliest, max_value=latest, format="DD/MM/YYYY", key=key
    )


# --- a saved form comes back empty -------------------------------------------------------
# Each form's widgets are keyed with the form's generation; a successful save moves to the
# next generation, so the next run draws new, empty widgets. A refused save changes nothing,
# so every widget keeps what was typed.


def generation(form: str) -> int:
    return st.session_state.setdefault(f"{form}__generation", 0)


def form_prefix(form: str) -> str:
    """The prefix of a form's widget keys in its current generation."""
    return f"{form}_g{generation(form)}"


def field_key(form: str, field: str) -> str:
    """The key of one of a form's widgets in its current generation."""
    return f"{form_prefix(form)}_{field}"


def saved(form: str) -> None:
    """After a successful save: the form's typed values are dropped and it is drawn empty."""
    old = f"{form}_g{generation(form)}_"
    for key in [k for k in st.session_state if str(k).startswith(old)]:
        del st.session_state[key]
    st.session_state[f"{form}__generation"] = generation(form) + 1


# --- recorded by mistake -----------------------------------------------------------------


def withdraw_form(actor: Actor, *, record_type: str, record_id: int, what: str) -> None:
    """'Recorded by mistake?': withdraws the record, with a reason. It leaves the charts, the
    huddle, the family screen and the counts, and stays in the record's history."""
    form = f"withdraw_{record_type}_{record_id}"
    with st.expander(_("Recorded by mistake? Withdraw {what}", what=what), icon=":material/undo:"):
        with st.form(form):
            reason = st.text_input(
                _("Why it is being withdrawn"),
                placeholder=_("Saved twice by mistake, wrong family…"),
                max_chars=300,
                key=field_key(form, "reason"),
            )
            st.caption(_("It will stay in the family's timeline, marked as withdrawn."))
            save = save_button(_("Withdraw"))
        if save.clicked:
            notice = _("Withdrawn. It stays in the timeline, marked as withdrawn.")
            with redraw_after_save(save.problem_place, form=form, notice=notice):
                withdraw(actor, record_type=record_type, record_id=record_id, reason=reason)
