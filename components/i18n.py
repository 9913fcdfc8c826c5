"""Translation for the screens: `from components.i18n import _` and every word goes through it.

The language is chosen per run: `guard()` starts each run in the worker's language (English),
and a family-facing screen switches to the family's own with `speak_as_family()`. The
machinery (catalogues, Babel dates and numbers) lives in db/i18n.py so the store's words use
the same catalogue; this module adds what only a screen needs: right-to-left layout, the
language picker, and `said()` / `said_column()`, which put the store's `Words` (a refusal, a
validation message, a huddle reason, a figure's name) into the reader's language when shown.

A new family-facing page (the family's own space, a child's scoring view) needs three lines
after its guard, then `_()` on every word it draws:

    speak_as_family(summary.preferred_language)          # their language, right to left if so
    use_terms(families.family_terms(actor, family_id))   # their team's own words, via term()

and its files added to FAMILY_FACING in tests/test_i18n.py, so every word
it shows must be in the catalogue and translated into every language (`make locales-extract`
adds new words to the .po files, untranslated).
"""

from __future__ import annotations

from uuid import uuid4

import pandas as pd
import streamlit as st

from components.ui import plain
from db import i18n
from db.i18n import (
    LANGUAGES,
    N_,
    Nn_,
    Words,
    _,
    current,
    date_and_time,
    direction,
    is_rtl,
    long_date,
    ngettext,
    number,
    quarter_name,
    said,
    short_date,
    speaking,
    use,
    use_terms,
)

__all__ = [
    "LANGUAGES",
    "N_",
    "Nn_",
    "Words",
    "_",
    "current",
    "date_and_time",
    "direction",
    "is_rtl",
    "language_choice",
    "mark_language",
    "long_date",
    "ngettext",
    "number",
    "quarter_name",
    "said",
    "said_column",
    "said_table",
    "short_date",
    "speak_as_family",
    "speaking",
    "term",
    "use",
    "use_terms",
]


def term(key: str, *, capital: bool = False) -> str:
    """A team's own word (db/i18n.py term()) made safe for the screens, which draw our
    sentences as Markdown: an admin types it, so like anything typed it shows as typed
    (components.ui.plain) and never becomes a link, an image or a colour."""
    return plain(i18n.term(key, capital=capital))


# Streamlit has no page direction setting: for a right-to-left language the app's main block
# is turned around (text, lists, forms), while charts and numbers keep their own direction.
RIGHT_TO_LEFT_STYLE = """
<style>
[data-testid="stMain"] { direction: rtl; text-align: right; }
[data-testid="stMain"] [data-testid="stVegaLiteChart"],
[data-testid="stMain"] input[type="number"] { direction: ltr; }
[data-testid="stMain"] p, [data-testid="stMain"] h1, [data-testid="stMain"] h2,
[data-testid="stMain"] h3, [data-testid="stMain"] h4, [data-testid="stMain"] li,
[data-testid="stMain"] label { unicode-bidi: plaintext; }
</style>
"""


def said_column(column: pd.Series) -> pd.Series:
    """A column of the store's Words (a reason, a figure's name) in this run's language; other
    values (a family's name, a number, nothing) as they are."""
    return column.map(lambda value: said(value) if isinstance(value, str) else value)


def said_table(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of a table in this run's language, for a download: each heading through `_()`
    (a heading the catalogue has), and each column of the store's Words said."""
    shown = frame.copy()
    shown.columns = [_(str(column)) for column in frame.columns]
    for place, column in enumerate(frame.columns):
        if frame[column].dtype == object:
            shown.iloc[:, place] = said_column(frame[column]).to_numpy(dtype=object)
    return shown


FAMILY_LANGUAGE = "family_language"

# Streamlit's page always says <html lang="en">: a screen reader would read Welsh and Urdu with
# an English voice. Each run tells the browser the language its screen speaks, on the page
# (lang) and on the main block (lang, and dir: Urdu is right to left). Every marker runs again
# on every run (the run's mark makes it new), so the last one drawn in a run is the one that
# stands; its own box takes no room.
LANGUAGE_MARK = """<style>[data-testid="stElementContainer"]:has(script[data-page-language])
{{ display: none; }}</style>
<script data-page-language="{language}" data-run="{run}">(() => {{
document.documentElement.lang = "{language}";
const main = document.querySelector('[data-testid="stMain"]');
if (main) {{ main.lang = "{language}"; main.dir = "{direction}"; }}
}})();</script>"""


def mark_language(language: str) -> None:
    """Tells the browser (and so a screen reader) which language this screen speaks."""
    chosen = language if language in LANGUAGES else "en"
    mark = LANGUAGE_MARK.format(language=chosen, direction=direction(chosen), run=uuid4().hex)
    st.html(mark, unsafe_allow_javascript=True)  # constant code: the language is one of ours


def speak_as_family(language: str | None) -> str:
    """The rest of this run speaks the family's language; a right-to-left one is laid out so.
    A family member's next run starts in it too (see guard), so what is drawn before their
    space is read — the idle warning, a refusal — is in their language."""
    chosen = use(language)
    st.session_state[FAMILY_LANGUAGE] = chosen
    mark_language(chosen)
    if is_rtl(chosen):
        st.html(RIGHT_TO_LEFT_STYLE)
    return chosen


def speak_as_browser() -> str:
    """Before anyone has logged in, all we know of their language is what their browser asks
    for: speak it when Golden Thread can ("cy-GB" is Welsh), otherwise English."""
    asked = (st.context.locale or "").replace("_", "-").split("-")[0].lower()
    return speak_as_family(asked)


def language_choice(label: str, *, current_value: str | None, key: str) -> str:
    """A picker of the languages Golden Thread speaks, each named in itself."""
    codes = list(LANGUAGES)
    return st.selectbox(
        label,
        codes,
        index=codes.index(current_value) if current_value in LANGUAGES else 0,
        format_func=LANGUAGES.__getitem__,
        key=key,
    )
