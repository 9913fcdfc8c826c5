"""Long text is judged by the store, not cut off by the box: Streamlit drops the whole of a
paste that would take a text area past its max_chars (the box stays empty, with no word of
why), so a worker pasting a note from a document lost it. The store's limits say, in a
sentence, how long the text may be, and a refused save keeps the text on screen."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCREEN_CODE = sorted(
    str(path.relative_to(ROOT))
    for folder in ("pages", "components")
    for path in (ROOT / folder).rglob("*.py")
)


def _text_areas_with_a_limit(source: str) -> list[int]:
    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and getattr(node.func, "attr", None) == "text_area"
        and any(k.arg == "max_chars" for k in node.keywords)
    ]


@pytest.mark.parametrize("path", SCREEN_CODE)
def test_no_text_area_drops_a_long_paste(path):
    assert _text_areas_with_a_limit((ROOT / path).read_text()) == []


def test_the_check_finds_a_text_area_with_a_limit():
    source = 'st.text_area("Summary", max_chars=5000)\nst.text_area("Summary")\n'
    assert _text_areas_with_a_limit(source) == [1]
