"""One `_()` for every word a person reads, in the language chosen for this run.

The catalogues are gettext `.po` files under `locales/<language>/LC_MESSAGES/` (Babel), compiled
to `.mo` by `make locales` (which `make run` and `make test` do first). A catalogue whose `.mo`
is missing or older than its `.po` is compiled in memory instead, so a fresh checkout never
shows a half-translated screen.

The language is per run, not per process: `use()` sets it for the script run in hand (a
context variable), so one family's meeting screen in Welsh never turns another worker's screen
Welsh. Pure Python, no Streamlit: the store's words (db/words.py, db/metrics.py) use it too.
"""

from __future__ import annotations

import gettext
import io
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from babel import Locale
from babel.dates import format_date as _babel_date
from babel.dates import format_datetime as _babel_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

if TYPE_CHECKING:
    import pandas as pd

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
SOURCE_LANGUAGE = "en"
# Every language Golden Thread speaks, named in itself (so a family finds their own).
LANGUAGES = {"en": "English", "cy": "Cymraeg", "ur": "اردو"}
# Babel's locale for each language: English dates read as the UK writes them.
BABEL_LOCALES = {"en": "en_GB", "cy": "cy_GB", "ur": "ur_PK"}

_language: ContextVar[str] = ContextVar("golden_thread_language", default=SOURCE_LANGUAGE)


class Words(str):
    """Words the store says to a person without knowing their language (db/ has no screen):
    `str()` is the English, for logs and the audit; `said()` is the reader's language, at the
    screen (components/i18n.py). Keeps the msgid and the places' values, which may be Words
    themselves (a field's name inside a sentence). A msgid that starts with a place (`{label}
    is too long…`, or its translation) starts with a capital letter once filled.

    Made by `N_()` or `Nn_()`, which babel extracts; cached data keeps Words, so a cache is
    the same for every language."""

    msgid: str
    plural: str | None
    case: str  # "lower" or "upper" for the first letter; "" as the template says
    params: dict[str, object]

    def __new__(
        cls, msgid: str, /, *, plural: str | None = None, case: str = "", **params: object
    ) -> Words:
        n = params.get("n")
        english = plural if plural is not None and n != 1 else msgid
        places = {k: _place(v, SOURCE_LANGUAGE) for k, v in params.items()}
        text = _case(english, english.format(**places) if params else english, case)
        self = super().__new__(cls, text)
        self.msgid, self.plural, self.case, self.params = msgid, plural, case, params
        return self

    def __getnewargs_ex__(self) -> tuple[tuple[str], dict[str, object]]:
        return (self.msgid,), {"plural": self.plural, "case": self.case, **self.params}

    def small(self) -> Words:
        """The same words starting with a small letter, in every language ("every week"):
        `str.lower()` stays str's own (the importer matches on it)."""
        return Words(self.msgid, plural=self.plural, case="lower", **self.params)

    def capital(self) -> Words:
        """The same words starting with a capital letter, in every language."""
        return Words(self.msgid, plural=self.plural, case="upper", **self.params)

    def said(self) -> str:
        """The words in this run's language."""
        catalogue = translations(current())
        if self.plural is not None:
            template = catalogue.ngettext(self.msgid, self.plural, int(self.params["n"]))  # type: ignore[call-overload]
        else:
            template = catalogue.gettext(self.msgid)
        text = template
        if self.params:
            text = text.format(**{k: _place(v, current()) for k, v in self.params.items()})
        return _case(template, text, self.case)


def _place(value: object, language: str) -> object:
    """A place's value as it reads in the language: Words said in it, a (first, last) pair of
    days as a quarter's months ('Jan–Mar 2026'), a moment as its weekday and time ('Sat
    18:00'), a day as a long date."""
    if isinstance(value, Words):
        return str(value) if language == SOURCE_LANGUAGE else value.said()
    if isinstance(value, tuple) and len(value) == 2 and all(isinstance(d, date) for d in value):
        return quarter_name(value[0], value[1], language)  # a quarter's first and last days
    if isinstance(value, datetime):
        return _babel_datetime(value, "EEE HH:mm", locale=BABEL_LOCALES[language])
    if isinstance(value, ShortDay):
        return _babel_date(value, format="medium", locale=BABEL_LOCALES[language])
    if isinstance(value, date):
        return _babel_date(value, format="long", locale=BABEL_LOCALES[language])
    return value


def _case(template: str, text: str, case: str = "") -> str:
    """A sentence starting with a place starts with a capital letter; a template of places and
    punctuation only (`{item0}; {item1}`) leaves the case to what fills it."""
    if case == "lower":
        return text[:1].lower() + text[1:]
    sentence = template.startswith("{") and re.search(r"[^\W\d_]", re.sub(r"\{\w*\}", "", template))
    return text[:1].upper() + text[1:] if case == "upper" or sentence else text


def joined(items: list[Words], separator: str = "; ") -> Words:
    """Several Words as one ('Home visit Sat 18:00; Call Tue 10:00'), each said in the
    reader's language; the separator is punctuation, the same in every language."""
    places = {f"item{n}": item for n, item in enumerate(items)}
    return Words(separator.join("{" + key + "}" for key in places), **places)


def N_(message: str, /, **params: object) -> Words:
    """Marks words for the catalogue where they are made (in db/, or a label defined once);
    `said()` or `_()` translates them where shown. `{name}` places are filled from `params`."""
    return Words(message, **params)  # type: ignore[arg-type]  # `plural` is never a place


def Nn_(singular: str, plural: str, n: int, /, **params: object) -> Words:
    """As N_, for words that change with a number `n` (`{n} week`, `{n} weeks`)."""
    return Words(singular, plural=plural, n=n, **params)  # type: ignore[arg-type]


class ShortDay(date):
    """A day a place in Words shows short ('30 Jun 2025'), as the screens' tables do."""


def short_day(day: date) -> ShortDay:
    return ShortDay(day.year, day.month, day.day)


def quarter_words(first: date, last: date) -> Words:
    """A quarter by its months, said in the reader's language ('Ion–Maw 2026')."""
    return Words("{quarter}", quarter=(first, last))


def words_column(values: Iterable[object], index: object = None) -> pd.Series:
    """A table's column of Words kept as Words (pandas would turn them into plain English
    text), so a cached table is said in each reader's language at the screen."""
    import pandas as pd

    return pd.Series(list(values), index=index, dtype=object)


def said(value: object) -> str:
    """Anything the store says, in this run's language: Words translated; a problem raised with
    Words (Invalid, NotAllowed) as its words; other text (a name, a number) as it is."""
    if isinstance(value, BaseException):
        value = value.args[0] if len(value.args) == 1 else str(value)
    if isinstance(value, Words):
        return value.said()
    return value if isinstance(value, str) else str(value)


@cache
def translations(language: str) -> gettext.NullTranslations:
    if language == SOURCE_LANGUAGE or language not in LANGUAGES:
        return gettext.NullTranslations()
    folder = LOCALES_DIR / language / "LC_MESSAGES"
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        return Translations.load(str(LOCALES_DIR), [language], DOMAIN)
    with po.open("rb") as handle:
        catalogue = read_po(handle, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def use(language: str | None) -> str:
    """Speak this language for the rest of the run; an unknown one falls back to English."""
    chosen = language if language in LANGUAGES else SOURCE_LANGUAGE
    _language.set(chosen)
    return chosen


def current() -> str:
    return _language.get()


@contextmanager
def speaking(language: str | None) -> Iterator[str]:
    """Speak this language inside the block only (a copy, a test, one part of a screen)."""
    token = _language.set(language if language in LANGUAGES else SOURCE_LANGUAGE)
    try:
        yield _language.get()
    finally:
        _language.reset(token)


def _(message: str, /, **values: object) -> str:
    """The message in this run's language; `{name}` places are filled from `values`."""
    text = translations(current()).gettext(message)
    return text.format(**values) if values else text


def ngettext(singular: str, plural: str, n: int, /, **values: object) -> str:
    text = translations(current()).ngettext(singular, plural, n)
    return text.format(n=n, **values)


def is_rtl(language: str | None = None) -> bool:
    return Locale.parse(BABEL_LOCALES.get(language or current(), "en_GB")).text_direction == "rtl"


def direction(language: str | None = None) -> str:
    return "rtl" if is_rtl(language) else "ltr"


def _day(value: object) -> date | datetime | None:
    """A date to format, or None for nothing (None, NaN, NaT); text is read as ISO."""
    if value is None or value != value:  # NaN and NaT are not equal to themselves
        return None
    if isinstance(value, str):
        return date.fromisoformat(value[:10]) if value else None
    return value  # type: ignore[return-value]


def long_date(value: object) -> str:
    """'3 December 2026' in English, '3 Rhagfyr 2026' in Welsh."""
    value = _day(value)
    if value is None:
        return ""
    return _babel_date(value, format="long", locale=BABEL_LOCALES[current()])


def short_date(value: object) -> str:
    """'3 Dec 2026' in English: the screens' short date."""
    value = _day(value)
    if value is None:
        return ""
    return _babel_date(value, format="medium", locale=BABEL_LOCALES[current()])


def month_and_year(value: date | datetime) -> str:
    """'March 2025' in English, 'Mawrth 2025' in Welsh."""
    return _babel_date(value, format="LLLL y", locale=BABEL_LOCALES[current()])


def date_and_time(value: datetime | None) -> str:
    """'Thursday 3 December 2026, 18:30' in English, the weekday and month in the language."""
    if value is None:
        return ""
    return _babel_datetime(value, "EEEE d MMMM y, HH:mm", locale=BABEL_LOCALES[current()])


def quarter_name(first: date, last: date, language: str | None = None) -> str:
    """A quarter of the year by its months: 'Jan–Mar 2026' in English, 'Ion–Maw 2026' in
    Welsh (Babel's abbreviated month names for the language)."""
    language = language or current()
    if language == SOURCE_LANGUAGE:  # the names the figures are keyed by, as they always were
        return f"{first:%b}–{last:%b} {first.year}"
    locale = BABEL_LOCALES.get(language, "en_GB")
    months = "–".join(_babel_date(day, "LLL", locale=locale) for day in (first, last))
    return f"{months} {first.year}"


def number(value: float | int) -> str:
    return format_decimal(value, locale=BABEL_LOCALES[current()])


# --- the team's own words -----------------------------------------------------------------

# The few words a service says its own way ("hui" for a family meeting, "key worker", "family
# plan"); an admin sets them per team and language (db/team_words.py). Where none is set, the
# catalogue's word in the language of the run.
TERMS = {"family_meeting": N_("family meeting"), "worker": N_("worker"), "plan": N_("plan")}
_terms: ContextVar[dict[tuple[str, str], str] | None] = ContextVar(
    "golden_thread_terms", default=None
)


def use_terms(chosen: dict[tuple[str, str], str] | None) -> None:
    """The team's words, keyed by (term, language), for the rest of this run."""
    _terms.set(dict(chosen or {}))


def term(key: str, *, capital: bool = False) -> str:
    words = (_terms.get() or {}).get((key, current())) or _(TERMS[key])
    return words[:1].upper() + words[1:] if capital else words


def chart_time_locale(language: str | None = None) -> dict | None:
    """Month and day names for Vega-Lite's time axes and tooltips (a d3 time-format locale,
    from Babel's data), or None for English, which the charts speak already."""
    language = language or current()
    if language == SOURCE_LANGUAGE or language not in LANGUAGES:
        return None
    locale = Locale.parse(BABEL_LOCALES[language])
    months, days = locale.months["format"], locale.days["format"]
    periods = locale.day_periods["format"]["abbreviated"]
    sunday_first = [6, 0, 1, 2, 3, 4, 5]  # Babel counts from Monday, d3 from Sunday
    return {
        "dateTime": "%A %e %B %Y %X",
        "date": "%d/%m/%Y",
        "time": "%H:%M:%S",
        "periods": [periods.get("am", "AM"), periods.get("pm", "PM")],
        "days": [days["wide"][d] for d in sunday_first],
        "shortDays": [days["abbreviated"][d] for d in sunday_first],
        "months": [months["wide"][m] for m in range(1, 13)],
        "shortMonths": [months["abbreviated"][m] for m in range(1, 13)],
    }
