"""WCAG 2.1 AA for the kiosk's text, measured from the theme: every text colour on every background it can stand
on reaches 4.5:1, the finger labels on their fills too, and no screen or widget writes a colour as numbers
outside kiosk/palette.py (so the theme measured here is the theme shown)."""

import re
from pathlib import Path

import pytest

from kiosk import palette

KIOSK = Path(palette.__file__).resolve().parent
AA_TEXT = 4.5


@pytest.mark.parametrize("text", sorted(palette.DARK_TEXT))
@pytest.mark.parametrize("background", sorted(palette.LIGHT_BACKGROUNDS))
def test_text_on_light_backgrounds(text, background):
    ratio = palette.contrast(palette.DARK_TEXT[text], palette.LIGHT_BACKGROUNDS[background])
    assert ratio >= AA_TEXT, f"{text} on {background}: {ratio:.2f}:1"


@pytest.mark.parametrize("background", sorted(palette.DARK_BACKGROUNDS))
def test_white_on_dark_backgrounds(background):
    assert palette.contrast(palette.WHITE, palette.DARK_BACKGROUNDS[background]) >= AA_TEXT
    assert palette.contrast(palette.WHITE, palette.ERROR) >= AA_TEXT  # the backdrop label: white on red / green
    assert palette.contrast(palette.WHITE, palette.SUCCESS) >= AA_TEXT


@pytest.mark.parametrize("state", sorted(palette.FINGER_FILLS))
def test_finger_labels_on_their_fills(state):
    fill = palette.FINGER_FILLS[state]
    assert palette.contrast(palette.text_on(fill), fill) >= AA_TEXT


def test_the_contrast_formula_matches_wcag_reference_values():
    assert palette.contrast(palette.WHITE, (0, 0, 0, 1)) == pytest.approx(21.0)
    assert palette.contrast((0.4627, 0.4627, 0.4627, 1), palette.WHITE) == pytest.approx(4.54, abs=0.01)  # #767676


def test_no_colour_is_written_as_numbers_outside_the_palette():
    literal = re.compile(r"\(?\s*[01](?:\.\d+)?\s*,\s*[01](?:\.\d+)?\s*,\s*[01](?:\.\d+)?\s*,\s*[01](?:\.\d+)?\s*\)?")
    found = []
    for path in sorted([*KIOSK.rglob("*.kv"), *KIOSK.rglob("*.py")]):
        if path.name == "palette.py":
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(r"(color|rgba|Color\(|clearcolor)", line) and literal.search(line):
                found.append(f"{path.relative_to(KIOSK)}:{number}: {line.strip()}")
    assert not found, "colours must come from kiosk/palette.py:\n" + "\n".join(found)
