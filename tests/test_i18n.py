"""The translations: every word of ours is in the catalogue, a family-facing word is translated
into every language, and a family-facing screen has no word left outside `_()`.

The catalogue is extracted here with Babel from the same sources `make locales-extract` reads
(babel.cfg), so a word added to a screen and not to the catalogue fails this test."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from db import i18n

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "N_": None, "Nn_": (1, 2), "ngettext": (1, 2)}
# What a family reads: the family meeting screen and its pieces, the family copy, the family's
# own space, and the words of the store they show. Every word from these is translated into
# every language.
FAMILY_FACING = {
    "pages/conference.py",
    "components/conference_view.py",
    "components/family_copy.py",
    "components/templates/family_copy.html",
    "components/templates/copy_base.html",
    "components/goals.py",
    "components/charts.py",
    "components/ui.py",
    "components/auth/password_check.py",
    # A family member logs in through the same form, in the language their phone asks for.
    "components/auth/login_form.py",
    # …and sees the idle warning, the page guard's refusals and the note after logging out.
    "components/auth/idle_watch.py",
    "components/auth/guard.py",
    "components/auth/sign_in.py",
    "components/auth/session.py",
    "db/auth.py",
    "pages/our_space.py",
    "components/family_space_view.py",
    "db/family_space.py",
    "db/metrics.py",
    "db/words.py",
    "db/conference.py",
    "db/i18n.py",
    # The store's words the family's own space shows: a form's problem, a refusal, a repeat.
    "db/rules/validation.py",
    "db/rules/writes.py",
    "db/rules/access.py",
}
FOREIGN = [language for language in i18n.LANGUAGES if language != i18n.SOURCE_LANGUAGE]


def _method_map() -> list[tuple[str, str]]:
    methods = []
    for line in (ROOT / "babel.cfg").read_text().splitlines():
        if found := re.fullmatch(r"\[(\w+): (.+)\]", line.strip()):
            methods.append((found.group(2), found.group(1)))
    return methods


def _extracted() -> dict[str, set[str]]:
    """Every msgid in the code and templates, with the files it comes from."""
    found: dict[str, set[str]] = {}
    for filename, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), _method_map(), keywords=KEYWORDS
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault(msgid, set()).add(filename)
    return found


def _catalogue(language: str | None = None):
    path = (
        ROOT / "locales" / (f"{language}/LC_MESSAGES/messages.po" if language else "messages.pot")
    )
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


@pytest.fixture(scope="module")
def extracted():
    return _extracted()


def test_every_word_of_ours_is_in_the_catalogue(extracted):
    in_template = {m.id[0] if isinstance(m.id, tuple) else m.id for m in _catalogue() if m.id}
    assert set(extracted) - in_template == set(), "run make locales-extract"
    assert in_template - set(extracted) == set(), "words no screen uses any more"


@pytest.mark.parametrize("language", FOREIGN)
def test_every_family_facing_word_is_translated(extracted, language):
    catalogue = _catalogue(language)
    family_words = {m for m, files in extracted.items() if files & FAMILY_FACING}
    assert len(family_words) > 100
    untranslated = sorted(
        m
        for m in family_words
        if not (catalogue.get(m) and catalogue.get(m).string and not catalogue.get(m).fuzzy)
    )
    assert untranslated == []


@pytest.mark.parametrize("language", FOREIGN)
def test_a_translation_fills_only_the_places_its_message_has(language):
    def places(text: str | tuple) -> set[str]:
        texts = text if isinstance(text, tuple) else (text,)
        return {name.lower() for t in texts for name in re.findall(r"\{(\w+)", t)}

    wrong = {
        m.id: m.string
        for m in _catalogue(language)
        if m.id and m.string and not places(m.string) <= places(m.id)
    }
    assert wrong == {}


# Streamlit's calls that draw words, and ours that pass words on to them (`plain()`, a pick
# list, a day box, a confirmation, a withdraw form, a problem raised to the screen).
UI_CALLS = {
    "title", "header", "subheader", "write", "markdown", "caption", "info", "warning", "error",
    "success", "button", "radio", "text_input", "text_area", "date_input", "form_submit_button",
    "download_button", "expander", "selectbox", "checkbox", "toggle", "number_input", "tabs",
    "metric", "plain", "multiselect", "slider", "select_slider", "time_input", "file_uploader",
    "toast", "page_link", "link_button", "popover", "pills", "segmented_control", "dialog",
    "pick", "day_so_far", "confirmation", "withdraw_form", "Invalid",
}  # fmt: skip
SHOWN_KEYWORDS = ("label", "help", "placeholder", "yes", "what", "missing")
ICON = re.compile(r"^:material/\w+: ?$")
TRANSLATED = {"_", "N_", "ngettext"}
# Not the screen: a logger's .info/.warning/.error write to the log, the cookie jar's .write
# to the browser's cookies.
NOT_SCREENS = {"log", "logger", "logging", "cookies"}
SCREEN_CODE = sorted(
    str(path.relative_to(ROOT))
    for folder in ("pages", "components")
    for path in (ROOT / folder).rglob("*.py")
)


def _calls(source: str) -> Iterator[tuple[ast.Call, str | None]]:
    """Each call in the source, with the name it calls (`st.title(...)` calls "title")."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            yield node, getattr(node.func, "attr", None) or getattr(node.func, "id", None)


def _words_outside_translation(node: ast.AST) -> list[str]:
    """Literal words in an argument that reach the screen without passing through `_()`:
    a key (`row["team"]`, `state.get("name", "default")`), a comparison or another call's
    keywords never reach it."""
    if isinstance(node, ast.Call):
        if getattr(node.func, "id", None) in TRANSLATED or getattr(node.func, "attr", "") == "get":
            return []  # translated, or a lookup's key and default
        parts = [node.func, *node.args]
    elif isinstance(node, ast.Constant):
        text = node.value
        shown = isinstance(text, str) and re.search(r"[A-Za-z]", text)
        return [text] if shown and not ICON.match(text) and not text.endswith(".py") else []
    elif isinstance(node, ast.Subscript):
        parts = [node.value]
    elif isinstance(node, ast.IfExp):
        parts = [node.body, node.orelse]
    elif isinstance(node, ast.Compare | ast.Lambda):
        return []
    else:
        parts = list(ast.iter_child_nodes(node))
    return [w for part in parts for w in _words_outside_translation(part)]


def _words_drawn_outside_translation(source: str) -> list[str]:
    found = []
    for call, name in _calls(source):
        owner = getattr(getattr(call.func, "value", None), "id", None)
        if name not in UI_CALLS or owner in NOT_SCREENS:
            continue
        shown = list(call.args) + [k.value for k in call.keywords if k.arg in SHOWN_KEYWORDS]
        found += [w for argument in shown for w in _words_outside_translation(argument)]
    return found


@pytest.mark.parametrize("path", SCREEN_CODE)
def test_a_screen_draws_no_word_outside_the_catalogue(path):
    assert _words_drawn_outside_translation((ROOT / path).read_text()) == []


def _word_maps_shown_as_stored(source: str) -> list[str]:
    """Pick lists that show a word map's English (`format_func=lambda r: RHYTHM[r]`): the
    maps in db/words.py hold N_ words, which read in the reader's language only through _()."""
    return [
        ast.unparse(k.value)
        for call, _name in _calls(source)
        for k in call.keywords
        if k.arg == "format_func"
        and isinstance(k.value, ast.Lambda)
        and isinstance(k.value.body, ast.Subscript)
        and getattr(k.value.body.value, "id", "").isupper()
    ]


@pytest.mark.parametrize("path", SCREEN_CODE)
def test_a_pick_list_says_a_word_map_in_the_readers_language(path):
    assert _word_maps_shown_as_stored((ROOT / path).read_text()) == []


def test_the_pick_list_check_finds_a_word_map_left_in_english():
    source = """
st.selectbox("x", rhythms, format_func=lambda r: RHYTHM[Rhythm(r)])
st.selectbox("x", rhythms, format_func=lambda r: _(RHYTHM[Rhythm(r)]))
st.selectbox("x", ids, format_func=lambda i: names[i])
"""
    assert _word_maps_shown_as_stored(source) == ["lambda r: RHYTHM[Rhythm(r)]"]


def test_the_screen_check_finds_a_word_left_out():
    source = """
st.title("Weekly huddle")
st.caption(f"{n} families")
st.button(_("Save"), help="Saves it", key="save_button")
plain(row["team"] if kind == "team" else _("Team"))
st.write(cookie.Login(state.get("signed_in_with", "password")))
log.warning("single sign-on: %s", problem)
st.page_link("pages/family.py", label=_("Family"))
"""
    assert _words_drawn_outside_translation(source) == ["Weekly huddle", " families", "Saves it"]


def test_the_language_is_per_run_and_dates_follow_it():
    from datetime import date

    with i18n.speaking("cy"):
        assert i18n._("Our goals") == "Ein nodau"
        assert i18n.long_date(date(2026, 3, 1)) == "1 Mawrth 2026"
        assert i18n.direction() == "ltr"
    with i18n.speaking("ur"):
        assert i18n.direction() == "rtl"
        assert i18n._("Our goals") != "Our goals"
    assert i18n._("Our goals") == "Our goals"
    with i18n.speaking("xx"):  # an unknown language falls back to ours
        assert i18n.current() == "en"


def test_a_teams_own_word_replaces_ours_in_its_language_only():
    i18n.use_terms({("family_meeting", "en"): "hui"})
    try:
        assert i18n.term("family_meeting", capital=True) == "Hui"
        with i18n.speaking("cy"):
            assert i18n.term("family_meeting") == "cyfarfod teulu"
    finally:
        i18n.use_terms(None)
    assert i18n.term("family_meeting") == "family meeting"


def test_welsh_is_complete_for_every_screen_translated_so_far():
    catalogue = _catalogue("cy")
    assert [m.id for m in catalogue if m.id and (not m.string or m.fuzzy)] == []


def test_the_stores_words_stay_english_in_logs_and_are_said_in_the_readers_language():
    import pickle

    label = i18n.N_("Our goals")
    words = i18n.N_(
        "{label} is too long: please keep it under {limit} characters.", label=label, limit=5
    )
    assert str(words) == "Our goals is too long: please keep it under 5 characters."
    assert str(ValueError(words)) == str(words)  # a log or the audit reads English
    copy = pickle.loads(pickle.dumps(words))  # a cache keeps the msgid, not one language
    assert (copy.msgid, copy.params) == (words.msgid, words.params)
    with i18n.speaking("cy"):
        assert i18n.said(label) == "Ein nodau"
        assert i18n.said(ValueError(label)) == "Ein nodau"
        assert i18n.said(copy) == i18n.said(words) != str(words)
        assert i18n.said("Bethan") == "Bethan"  # a name is not looked up
    weeks = i18n.Nn_("{n} week", "{n} weeks", 1)
    assert (str(weeks), str(pickle.loads(pickle.dumps(i18n.Nn_("{n} week", "{n} weeks", 3))))) == (
        "1 week",
        "3 weeks",
    )


# The store's problems a person reads: raised with Words (N_/Nn_), never a bare English
# sentence, so the screen can say them in the reader's language. Labels passed to the plain
# checks (`text(value, N_("the goal"))`) are words a person reads too.
RAISED_TO_PEOPLE = {"Invalid", "BadFile", "AlreadySaved", "Conflict"}
LABELLED = {"text": 1, "day": 1, "choice": 2, "record_id": 1, "whole_number": 1}
# The record a versioned save names in its conflict ("Someone else saved this goal…").
NAMING_THE_RECORD = {"save_edit": 7, "save_versioned": 5}
STORE_CODE = sorted(
    str(path.relative_to(ROOT))
    for path in (ROOT / "db").rglob("*.py")
    if path.parent.name != "ops" and path.name != "__main__.py"
)


def _english_raised(source: str) -> list[str]:
    """Sentences raised to people (or fields' names passed to a check) as plain text."""
    found = []
    for call, name in _calls(source):
        if name in RAISED_TO_PEOPLE:
            shown = call.args[:1]
        elif name in LABELLED and len(call.args) > LABELLED[name]:
            shown = [call.args[LABELLED[name]]]
        elif name in NAMING_THE_RECORD:
            place = NAMING_THE_RECORD[name]
            shown = call.args[place : place + 1] + [
                k.value for k in call.keywords if k.arg == "what"
            ]
        else:
            continue
        for argument in shown:
            if isinstance(argument, ast.JoinedStr) or (
                isinstance(argument, ast.Constant)
                and isinstance(argument.value, str)
                and re.search(r"[A-Za-z]", argument.value)
            ):
                found.append(ast.unparse(argument))
    return found


@pytest.mark.parametrize("path", STORE_CODE)
def test_the_store_raises_no_sentence_outside_the_catalogue(path):
    assert _english_raised((ROOT / path).read_text()) == []


def test_the_store_check_finds_a_sentence_left_out():
    source = """
raise Invalid("Please choose a team.")
raise BadFile(f"This file is {size} MB.")
raise Invalid(N_("Please choose a team."))
raise Invalid(problem)
text(value, "the goal")
text(value, N_("the goal"))
save_edit(session, actor, family, Goal, goal_id, seen, values, what="this goal")
save_edit(session, actor, family, Goal, goal_id, seen, values, what=N_("this goal"))
save_versioned(session, Goal, goal_id, seen, values, "this goal")
"""
    assert _english_raised(source) == [
        "'Please choose a team.'",
        "f'This file is {size} MB.'",
        "'the goal'",
        "'this goal'",
        "'this goal'",
    ]
