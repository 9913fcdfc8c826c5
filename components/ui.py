"""Small shared pieces of the screens: the sidebar, dates in the team's time, the demo marker."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import NoReturn
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st
from babel.dates import format_datetime

from db.i18n import BABEL_LOCALES, _, current, short_date
from db.rules.access import Actor
from db.settings import DEFAULT_TIME_ZONE
from db.store.engine import database_url

_MARKDOWN_SPECIALS = set("\\`*_{}[]()#+-.!|<>~$:=")


# Streamlit's Markdown (remark-gfm) links bare web addresses and e-mail addresses even when
# their characters are escaped (remarkjs/remark-gfm#33): an invisible word joiner after the
# scheme's colon, after an @ and before www's dot stops that.
_WORD_JOINER = "\u2060"
_AUTOLINK_STARTS = re.compile(
    r"((?:https?|ftp|mailto|xmpp|tel|file)\\:|@)|(?<=www)(?=\\\.)", re.IGNORECASE
)


def plain(text: object) -> str:
    """User text made safe for st.markdown and everything else Streamlit draws as Markdown
    (captions, alerts, headings, labels): every Markdown, HTML, LaTeX and colour-directive
    character is escaped and web addresses stay text, so what people type shows exactly as
    typed and nothing they type loads an image or becomes a link."""
    escaped = "".join("\\" + ch if ch in _MARKDOWN_SPECIALS else ch for ch in str(text))
    return _AUTOLINK_STARTS.sub(lambda found: (found.group(1) or "") + _WORD_JOINER, escaped)


def database_problem(problem: Exception) -> str:
    backend = database_url().split(":", 1)[0]
    return (
        f"Golden Thread can't reach its database ({backend}) just now. Nothing is saved "
        f"half-way: try again in a moment, and it carries on when the database is back. If "
        f"this goes on, check DATABASE_URL and that the database is running."
    )


APP_NAME = "Golden Thread"

# Drawn on every run by app.py. Streamlit's own focus marks are faint (a sidebar link's is a
# background a shade darker, a text box's a 1 px border): keyboard focus gets a ring in the
# theme's primary colour (7:1 on the page) on every control. A chosen option in a row of
# buttons (the Family page's sections, a family's scores) is bold too, not told by colour alone.
ACCESSIBLE_STYLE = """
<style>
.stApp a:focus-visible, .stApp button:focus-visible, .stApp summary:focus-visible,
.stApp [role="radio"]:focus-visible, .stApp [role="checkbox"]:focus-visible,
.stApp [role="tab"]:focus-visible {
  outline: 3px solid #7a4f00; outline-offset: 2px; }
.stApp [data-testid="stButtonGroup"] button:focus-visible { outline-offset: -6px; }
.stApp [data-testid="stTextInputRootElement"]:focus-within,
.stApp [data-testid="stTextAreaRootElement"]:focus-within,
.stApp [data-testid="stNumberInputContainer"]:focus-within,
.stApp :is(.stSelectbox, .stMultiSelect) [role="group"]:focus-within,
.stApp label:has(> input[type="checkbox"]:focus-visible) > span:first-of-type {
  outline: 3px solid #7a4f00; outline-offset: 1px; }
.stApp [data-testid="stButtonGroup"] button[aria-checked="true"] p { font-weight: 700; }
</style>
"""


def accessible_style() -> None:
    st.html(ACCESSIBLE_STYLE)


def page_title(words: str) -> None:
    """The browser tab's title, the first thing a screen reader says of a page: which screen
    this is, then the app ("Weekly huddle · Golden Thread"), in the screen's language."""
    st.set_page_config(page_title=f"{words} · {APP_NAME}")


def demo_marker() -> None:
    from db.families import is_demo_database

    # Not cached (data is cached only in db/, by data version): one count of a tiny table.
    if is_demo_database():
        st.caption(":material/science: " + _("Demo data: every family here is made up."))


def sidebar(actor: Actor) -> None:
    from components.auth import log_out

    with st.sidebar:
        st.caption(_("Logged in as **{name}**", name=plain(actor.name)))
        demo_marker()
        if st.button(_("Log out"), key="sidebar_log_out", icon=":material/logout:"):
            log_out(actor)
            st.rerun()


def stop_with(alert: Callable, message: str, **options) -> NoReturn:
    """Says why there is nothing more to show (`alert` is st.info, st.warning or st.error) and
    ends the page's run there."""
    alert(message, **options)
    st.stop()


def rerun_with_notice(slot: str, message: str) -> NoReturn:
    """Keeps `message` for the next run and reruns, so what is listed shows the change; the
    next run's show_notice(slot) says it once."""
    st.session_state[slot] = message
    st.rerun()


def show_notice(slot: str) -> None:
    """The message kept by rerun_with_notice(slot), once."""
    notice = st.session_state.pop(slot, None)
    if notice:
        st.success(plain(notice))


def one_at_a_time(
    label: str, options, *, words: Callable[[str], str], key: str, first: str | None = None
) -> str:
    """A row of buttons choosing the one thing shown (its label hidden): `first`, or the first
    option, to start with, and again if the chosen button is clicked off."""
    options = list(options)
    first = options[0] if first is None else first
    return (
        st.segmented_control(
            label, options, format_func=words, default=first, key=key, label_visibility="collapsed"
        )
        or first
    )


def table(
    frame: pd.DataFrame,
    columns: dict | None = None,
    *,
    dates: tuple[str, ...] = (),
    when_empty: str | None = None,
    **options,
):
    """A table the width of the page, without row numbers; `columns` gives columns their
    heading or column config, `dates` the columns of days to show as people write them
    ("3 Dec 2026"); `when_empty`, if given, is said instead of an empty table. `options` go
    on to st.dataframe (a key, a row height, a selection)."""
    if when_empty is not None and frame.empty:
        st.info(when_empty)
        return None
    if dates:
        frame = frame.assign(**{column: frame[column].map(friendly_date) for column in dates})
    return st.dataframe(frame, hide_index=True, width="stretch", column_config=columns, **options)


def local_time(value: datetime | None, time_zone: str = DEFAULT_TIME_ZONE) -> str:
    if value is None or pd.isna(value):
        return ""
    local = pd.Timestamp(value).tz_convert(ZoneInfo(time_zone)).to_pydatetime()
    return format_datetime(local, "EEE d MMM y, HH:mm", locale=BABEL_LOCALES[current()])


def friendly_date(value: date | None) -> str:
    if value is None or pd.isna(value):
        return ""
    return short_date(pd.Timestamp(value).date())


def record_number(raw: str | None) -> int | None:
    """A record number typed or in an address, if it could be one of ours: text or a number
    past the database's range (99999999999999999999) is no record, not a crash."""
    from db.rules.validation import as_record_id

    raw = (raw or "").strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 10:
        return None
    return as_record_id(int(raw))


def query_family_id() -> int | None:
    """The family asked for in the address (?family=…), if it could be one of ours."""
    return record_number(st.query_params.get("family"))
