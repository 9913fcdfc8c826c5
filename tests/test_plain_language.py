"""The plain-language glossary, its hints, and our own words passing the check."""

import ast
from pathlib import Path

from db import plain_language
from db.ops.demo import CHILD_VIEWS, GOALS, GOING_WELL, HARD, NEEDS, PLACES
from db.plain_language import terms_in

ROOT = Path(__file__).resolve().parent.parent


def test_terms_are_found_once_whatever_their_case():
    assert terms_in("A Review of the review, then contact with Dad") == ["review", "contact"]


def test_lac_counts_only_in_capitals_so_names_are_safe():
    assert terms_in("Lacey and Mrs Lac went out") == []
    assert terms_in("the LAC meeting") == ["LAC"]


def test_every_term_has_a_kind_suggestion():
    assert all(suggestion for suggestion in plain_language.glossary().values())


def _ui_strings() -> list[str]:
    """String literals in the screens and their pieces (docstrings and comments left out)."""
    found = []
    for folder in ("pages", "components"):
        for path in (ROOT / folder).glob("*.py"):
            tree = ast.parse(path.read_text())
            docstrings = {
                id(node.body[0].value)
                for node in ast.walk(tree)
                if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef))
                and node.body
                and isinstance(node.body[0], ast.Expr)
            }
            found += [
                n.value
                for n in ast.walk(tree)
                if isinstance(n, ast.Constant)
                and isinstance(n.value, str)
                and id(n) not in docstrings
            ]
    return found


def test_no_screen_uses_a_term_that_is_never_used_anywhere():
    never = plain_language.never_anywhere()
    assert {"LAC", "non-compliant", "disengaged", "hard to reach", "placement breakdown"} <= never
    flagged = {
        text: terms
        for text in _ui_strings()
        if (terms := [t for t in terms_in(text) if t in never])
    }
    assert flagged == {}


def test_the_demo_data_passes_the_whole_check():
    texts = [t for goal in GOALS for t in goal] + GOING_WELL + HARD + NEEDS + CHILD_VIEWS + PLACES
    assert [t for t in texts if terms_in(t)] == []


def test_a_teams_own_words_are_its_choice_but_never_a_term_no_one_uses():
    assert terms_in("Your review meeting is on Monday") == ["review"]
    assert terms_in("Your review meeting is on Monday", allowed=["review meeting"]) == []
    assert terms_in("the LAC meeting", allowed=["LAC meeting"]) == ["LAC"]


def test_the_glossary_has_a_column_per_language_so_welsh_jargon_gets_a_welsh_hint():
    assert terms_in("Mae'r adolygiad ddydd Llun, wedyn yr asesiad risg") == [
        "adolygiad",
        "asesiad risg",
    ]
    assert plain_language.glossary()["adolygiad"] == '"Sgwrs i ddal i fyny ar y cynllun"'
    assert terms_in("یہ خطرے کا جائزہ ہے") == ["خطرے کا جائزہ"]
    assert {"PDG", "anghydymffurfiol", "wedi ymddieithrio"} <= plain_language.never_anywhere()
    assert terms_in("the PDG meeting at Pdg Street") == ["PDG"]


def test_no_translation_uses_a_term_that_is_never_used_anywhere():
    from babel.messages.pofile import read_po

    never = plain_language.never_anywhere()
    flagged = {}
    for path in (ROOT / "locales").glob("*/LC_MESSAGES/messages.po"):
        with path.open("rb") as handle:
            for message in read_po(handle):
                # A plural message holds one string per plural form.
                forms = message.string if isinstance(message.string, tuple) else (message.string,)
                said = " ".join(form for form in forms if form)
                if message.id and (terms := [t for t in terms_in(said) if t in never]):
                    flagged[message.string] = terms
    assert flagged == {}


def _headings() -> list[str]:
    """The words of every title, header and subheader the screens draw."""
    found = []
    for folder in ("pages", "components"):
        for path in (ROOT / folder).glob("*.py"):
            for call in ast.walk(ast.parse(path.read_text())):
                if (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Attribute)
                    and call.func.attr in {"title", "header", "subheader"}
                ):
                    found += [
                        n.value
                        for n in ast.walk(call)
                        if isinstance(n, ast.Constant) and isinstance(n.value, str)
                    ]
    return found


def test_no_heading_uses_any_term_from_the_glossary():
    """A heading is what everyone reads first: not even a term that is sometimes fine."""
    headings = _headings()
    assert "What changed for families" in headings  # the walk finds the screens' headings
    assert {text: terms for text in headings if (terms := terms_in(text))} == {}
