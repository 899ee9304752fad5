"""A number a person typed (an environment variable, a command-line option), read the same way everywhere: ASCII
only (float() would also read other scripts' digits), finite, within its range, whole where a count is meant.
Refused values are never clamped or half-read; the caller names the input in its own message."""

import math


def read_number(text: str, low: float, high: float, whole: bool = False) -> float | None:
    """The number `text` holds, from `low` to `high` (a whole one when `whole`); None for anything else (text, nan,
    infinities, other scripts' digits, a fraction where a whole number is meant, a value out of range)."""
    text = text.strip()
    try:
        value = float(text) if text.isascii() else math.nan
    except ValueError:
        value = math.nan
    if not low <= value <= high or (whole and not value.is_integer()):  # the comparison also refuses nan
        return None
    return value


def wanted(low: float, high: float, whole: bool = False) -> str:
    """What to give instead, for a refusal: 'a whole number from 1 to 64'."""
    return f"{'a whole number' if whole else 'a number'} from {low:g} to {high:g}"
