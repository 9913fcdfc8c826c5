"""The pieces of the "Bring records in" page: the team, the template, the file, the preview
(counts, every problem by row and column, and — for a manager — the families), and the one
button that brings it all in.

Nothing typed in the file is drawn as Markdown: the families' names and the problems are
shown in tables, and every sentence here is our own."""

from __future__ import annotations

import hashlib
from typing import Callable, TypeVar

import pandas as pd
import streamlit as st

from components.export import download_button
from components.i18n import _, ngettext, said, said_column
from components.ui import table
from db import importer
from db.importer import KIND_WORDS, Imported, Preview
from db.rules.access import Actor
from db.settings import settings

Result = TypeVar("Result")
UPLOAD_KEY = "import_file"


def intro() -> None:
    st.caption(
        _(
            "Bring a team's families in from a spreadsheet — the people in each family, their "
            "workers, their goals and scores — so nobody types them twice. Nothing is stored "
            "until you have seen what the file holds and said yes. A family the team already "
            "has (the same council reference) is left as it is, so bringing the same file in "
            "twice adds nothing the second time."
        )
    )


def choose_team(teams: pd.DataFrame) -> int:
    names = dict(zip(teams["team_id"], teams["team"]))
    team_id = st.selectbox(
        _("Bring them into this team"),
        list(names),
        format_func=lambda i: names[i],
        key="import_team",
    )
    return int(team_id if team_id is not None else next(iter(names)))


def template(actor: Actor, team_id: int) -> None:
    with st.expander(_("How to lay out the file"), icon=":material/table:"):
        st.markdown(
            _(
                "One row per record. The **record** column says what the row is — `family`, "
                "`person`, `worker`, `goal` or `score` — and **council_reference** ties every"
                " row to its family's row. A CSV must be saved as *CSV UTF-8 (comma "
                "delimited)*; an Excel workbook (.xlsx) is read from its first sheet. Up to "
                "{megabytes:g} MB.\n\n- **family**: `family_name`, `date` (the day they "
                "first came to us)\n- **person**: `name`, `relationship` (child, parent, "
                "carer, grandparent, brother or sister, other family, friend, neighbour, "
                "professional), `birth_year` if known\n- **worker**: `worker` (their "
                "username), `role` (lead or supporting), `date` (when they started), "
                "`ended_on` if it has ended\n- **goal**: `goal` (in the family's own words), "
                "`date` (when it was set), `name` (whose goal; empty for the whole family)\n-"
                " **score**: `goal` (the same words as the goal's row), `score` (0 to 10), "
                "`date`, and who gave it: a person's `name`, or a `worker`'s username for a "
                "worker's view\n\nDates look like 2025-03-14 or 14/03/2025. Formulas are not "
                "accepted: type the words or numbers themselves.",
                megabytes=settings.IMPORT_MAX_MB,
            )
        )
        download_button(
            _("Download the template"),
            lambda: importer.template_csv(actor, team_id),
            file_name="golden-thread-import-template.csv",
            key="import_template",
        )


def file_choice() -> tuple[bytes, str] | None:
    """The chosen file's bytes and name, or None."""
    generation = st.session_state.get("import_generation", 0)
    chosen = st.file_uploader(
        _("Choose the file (.csv or .xlsx)"),
        type=["csv", "xlsx"],
        key=f"{UPLOAD_KEY}_{generation}",
        help=_("Nothing is stored until you have seen what it holds and said yes."),
    )
    if chosen is None:
        return None
    return chosen.getvalue(), chosen.name


def with_progress(words: str, work: Callable[[Callable[[float, str], None]], Result]) -> Result:
    """Runs `work` with a progress bar it can move; the bar goes when it is done."""
    bar = st.progress(0.0, text=words)

    def move(fraction: float, step: str) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=said(step))

    try:
        return work(move)
    finally:
        bar.empty()


def preview_key(team_id: int, data: bytes) -> str:
    return f"{team_id}:{hashlib.sha256(data).hexdigest()}"


def show_preview(preview: Preview) -> None:
    st.subheader(_("What this file would add"))
    columns = st.columns(len(KIND_WORDS))
    for column, (kind, words) in zip(columns, KIND_WORDS.items()):
        column.metric(said(words), f"{preview.counts.get(kind, 0):,}")
    if preview.already_here:
        st.info(
            _(
                "{already_here:,} of the file's families are already here (the same council "
                "reference): they are left exactly as they are.",
                already_here=preview.already_here,
            )
        )
    if not preview.problems.empty:
        count = len(preview.problems)
        st.warning(
            ngettext(
                "{n:,} thing needs fixing in the file before anything can be brought in. Fix it"
                " in your spreadsheet, save it, and choose it again. Rows are numbered as in the"
                " spreadsheet (the column names are row 1).",
                "{n:,} things need fixing in the file before anything can be brought in. Fix "
                "them in your spreadsheet, save it, and choose it again. Rows are numbered as"
                " in the spreadsheet (the column names are row 1).",
                count,
            )
        )
        table(
            preview.problems.assign(reason=said_column(preview.problems["reason"])).rename(
                columns={"row": _("Row"), "column": _("Column"), "reason": _("What to fix")}
            ),
            key="import_problems",
        )
    elif not preview.counts.get("families"):
        st.info(_("There is nothing new in this file to bring in."))
    if preview.families is not None and not preview.families.empty:
        with st.expander(_("The {count:,} families in this file", count=len(preview.families))):
            table(
                preview.families.rename(
                    columns={"family": _("Family"), "council reference": _("Council reference")}
                ),
                key="import_families",
            )


def confirm(preview: Preview) -> bool:
    families = preview.counts["families"]
    return st.button(
        ngettext("Yes, bring in {n:,} family", "Yes, bring in {n:,} families", families),
        type="primary",
        key="import_confirm",
        icon=":material/upload:",
    )


def done(result: Imported) -> None:
    """Remembers what was brought in and clears the file, so the page starts again."""
    st.session_state["import_done"] = result
    st.session_state["import_generation"] = st.session_state.get("import_generation", 0) + 1
    st.session_state.pop("import_preview", None)
    st.rerun()


def last_import() -> None:
    result: Imported | None = st.session_state.pop("import_done", None)
    if result is None:
        return
    counts = result.counts
    parts = [
        f"{counts[kind]:,} {said(words.small())}"
        for kind, words in KIND_WORDS.items()
        if kind != "families"
    ]
    st.success(
        _(
            "Brought in {families:,} families, with {things}. You'll find them on My families.",
            families=counts["families"],
            things=", ".join(parts),
        ),
        icon=":material/check_circle:",
    )
