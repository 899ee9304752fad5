"""The kiosk's colours, in one place, with the contrast rule they are held to.

Every colour a screen or widget uses is named here (the kv files `#:import P kiosk.palette`); a test computes the
WCAG 2.1 contrast ratio of every text colour on every background it can stand on and asserts AA (≥ 4.5:1 for
text), and another finds any colour written as numbers outside this module. Values are RGBA in 0..1, as Kivy
takes them. Disabled controls are exempt from the text rule (WCAG 1.4.3), as the standard says.
"""

Colour = tuple[float, float, float, float]

# Backgrounds
WINDOW: Colour = (0.97, 0.97, 0.98, 1)  # the window itself
SURFACE: Colour = (0.93, 0.94, 0.96, 1)  # cards, the keypad's display
QUIET: Colour = (0.86, 0.88, 0.92, 1)  # quiet buttons, pending fingers
STATUS_BAR: Colour = (0.9, 0.91, 0.94, 1)
WARN_SURFACE: Colour = (1, 0.93, 0.8, 1)  # a review row that needs a look
PRIMARY: Colour = (0.1, 0.45, 0.8, 1)  # the main buttons (white text)
PREVIEW: Colour = (0.12, 0.13, 0.16, 1)  # behind the camera picture (white text)
DISABLED: Colour = (0.7, 0.75, 0.8, 1)  # a disabled button (exempt from the text rule)
SCRIM: Colour = (0, 0, 0, 0.6)  # behind a popup
CLEAR: Colour = (0, 0, 0, 0)

# Text on the light backgrounds
INK: Colour = (0.1, 0.12, 0.16, 1)
MUTED: Colour = (0.35, 0.38, 0.45, 1)
ERROR: Colour = (0.75, 0.1, 0.1, 1)
SUCCESS: Colour = (0.05, 0.42, 0.18, 1)
WARNING: Colour = (0.55, 0.32, 0.0, 1)
LINK: Colour = (0.05, 0.36, 0.66, 1)  # a blue heading or link on a light background
# Text on PRIMARY, PREVIEW and the dark fills
WHITE: Colour = (1, 1, 1, 1)

# Marks drawn over pictures and diagrams (graphics, not text)
FOUND_MARK: Colour = (0.2, 0.85, 0.35, 1)  # the iris circles found
OUTLINE: Colour = (0.05, 0.2, 0.45, 1)  # the finger being captured
GUIDE_LINE: Colour = (0.7, 0.72, 0.78, 1)  # the signing line

# The hand diagram's fills, each carrying the finger's label (text_on picks its colour)
FINGER_FILLS: dict[str, Colour] = {
    "pending": QUIET,
    "current": PRIMARY,
    "captured": (0.1, 0.45, 0.2, 1),
    "below": (0.9, 0.6, 0.1, 1),
    "exception": (0.42, 0.42, 0.47, 1),
}

LIGHT_BACKGROUNDS = {"WINDOW": WINDOW, "SURFACE": SURFACE, "QUIET": QUIET, "STATUS_BAR": STATUS_BAR,
                     "WARN_SURFACE": WARN_SURFACE}
DARK_TEXT = {"INK": INK, "MUTED": MUTED, "ERROR": ERROR, "SUCCESS": SUCCESS, "WARNING": WARNING, "LINK": LINK}
DARK_BACKGROUNDS = {"PRIMARY": PRIMARY, "PREVIEW": PREVIEW}


def _linear(channel: float) -> float:
    return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4


def luminance(colour: Colour) -> float:
    """WCAG 2.1 relative luminance of an sRGB colour (alpha ignored)."""
    r, g, b = (_linear(c) for c in colour[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: Colour, b: Colour) -> float:
    """WCAG 2.1 contrast ratio, 1..21."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def text_on(fill: Colour) -> Colour:
    """INK or WHITE, whichever reads better on `fill`."""
    return INK if contrast(INK, fill) >= contrast(WHITE, fill) else WHITE
