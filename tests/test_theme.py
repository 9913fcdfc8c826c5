"""The theme's colours (.streamlit/config.toml) are read by everyone: each pair Streamlit draws
from them keeps WCAG AA's 4.5:1 for text, so no screen of ours is hard to read by design."""

from __future__ import annotations

import tomllib

import pytest

from tests.apptest import ROOT

THEME = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["theme"]
AA = 4.5


def _channels(colour: str) -> tuple[float, float, float]:
    colour = colour.lstrip("#")
    return tuple(int(colour[i : i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def _luminance(colour: str) -> float:
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in _channels(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, other: str) -> float:
    light, dark = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def over(colour: str, background: str, share: float) -> str:
    """`colour` laid at `share` opacity over `background`."""
    mixed = (
        round(255 * (c * share + b * (1 - share)))
        for c, b in zip(_channels(colour), _channels(background))
    )
    return "#" + "".join(f"{c:02x}" for c in mixed)


def test_the_contrast_sums_are_right():
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert over("#8a5a00", "#fffdf8", 0.2) == "#e8dcc6"  # what Chromium drew on Streamlit 1.67


PRIMARY, TEXT = THEME["primaryColor"], THEME["textColor"]
BACKGROUNDS = {"page": THEME["backgroundColor"], "boxes": THEME["secondaryBackgroundColor"]}


@pytest.mark.parametrize("where", BACKGROUNDS)
def test_text_captions_and_links_are_readable(where):
    background = BACKGROUNDS[where]
    assert contrast(TEXT, background) >= AA
    # Captions and placeholders: the text colour at 60%.
    assert contrast(over(TEXT, background, 0.6), background) >= AA
    # Links, a chosen option's words, the huddle's highlights: the primary colour.
    assert contrast(PRIMARY, background) >= AA


@pytest.mark.parametrize("where", BACKGROUNDS)
def test_a_chosen_or_hovered_option_is_readable(where):
    """A row of buttons (the Family page's sections, the family's score buttons) draws the
    chosen, hovered or focused one in the primary colour on the primary colour at 20% over the
    background: with #8a5a00 that was 4.37:1 (axe: color-contrast, serious)."""
    background = BACKGROUNDS[where]
    assert contrast(PRIMARY, over(PRIMARY, background, 0.2)) >= AA


def test_words_on_a_primary_button_are_readable():
    assert contrast("#ffffff", PRIMARY) >= AA
