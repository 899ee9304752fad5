"""The one rule for names that people type and other people read: a person's name and place of birth (letters,
combining marks, spaces and ' . - only) and one-line labels such as a school's name (any visible character).

HQ's forms and imports and the station's assignment check all apply these, so a name HQ accepts is never one the
station refuses. What is refused is what can hide or disguise text on a screen, a slip or a log line: control
characters (NUL, line breaks, escape sequences), bidirectional overrides and isolates (U+202A-202E, U+2066-2069,
U+200E/F: they reverse what follows), zero-width characters (U+200B-200D, U+FEFF), other invisible formatting
and unassigned code points; in a person's name also digits, symbols and punctuation other than ' . -, and
combining marks that do not sit on a letter (a pile of them covers the lines around it).
"""

import unicodedata

from contract.errors import NameTextError

NAME_PUNCTUATION = "'.-"
MAX_MARKS_ON_A_LETTER = 4  # Vietnamese stacks two in decomposed form; more is an attack on the layout
_INVISIBLE = {"Cc": "a control character", "Cf": "an invisible direction or zero-width character",
              "Cs": "a lone surrogate", "Co": "a private-use character", "Cn": "an unassigned code point",
              "Zl": "a line separator", "Zp": "a paragraph separator"}


def describe_char(char: str) -> str:
    """A character as an error message can show it safely: “x” (U+0078) when it is visible, only its code point
    and kind when printing it would hide or reorder the text around it."""
    code = f"U+{ord(char):04X}"
    category = unicodedata.category(char)
    if category in _INVISIBLE:
        return f"{code} ({_INVISIBLE[category]})"
    if category.startswith("M"):
        return f"{code} (a combining accent)"
    if category.startswith("Z"):
        return f"{code} ({unicodedata.name(char, 'a space').lower()})"
    return f"“{char}” ({code})"


def hidden_char(text: str) -> str | None:
    """The first control, invisible (direction, zero-width), surrogate, private or unassigned character, if any."""
    return next((c for c in text if unicodedata.category(c) in _INVISIBLE), None)


def check_text(text: str, what: str = "text") -> str:
    """`text` unchanged when every character is visible (letters, digits, punctuation, symbols, spaces, marks);
    NameTextError("text.invisible") naming the first control, invisible or unassigned character. `what` (the
    field) leads the message; empty: no lead."""
    bad = hidden_char(text)
    if bad is not None:
        lead = f"{what}: " if what else ""
        raise NameTextError(f"{lead}has {describe_char(bad)}, which a name or label never has; type it again "
                            "without it", code="text.invisible")
    return text


def name_problem(text: str) -> tuple[str, str | None]:
    """("", None) for a good person or place name, else (code, the offending character or None).

    Codes: name.empty (no letter at all), name.invisible (control, direction, zero-width, unassigned),
    name.character (a digit, symbol, other punctuation or a space other than U+0020), name.mark (a combining mark
    not on a letter, or more than MAX_MARKS_ON_A_LETTER on one)."""
    bad = hidden_char(text)
    if bad is not None:
        return "name.invisible", bad
    marks = -1  # marks since the last letter; -1: no letter yet, or a space or punctuation came after it
    for char in text:
        category = unicodedata.category(char)
        if category.startswith("L"):
            marks = 0
        elif category.startswith("M"):
            if marks < 0 or marks >= MAX_MARKS_ON_A_LETTER:
                return "name.mark", char
            marks += 1
        elif char == " " or char in NAME_PUNCTUATION:
            marks = -1
        else:
            return "name.character", char
    if not any(unicodedata.category(c).startswith("L") for c in text):
        return "name.empty", None
    return "", None


def check_name(text: str, what: str = "name") -> str:
    """`text` unchanged when it is a good person or place name (see name_problem); NameTextError with the code,
    the character and what to do otherwise. `what` (the field) leads the message; empty: no lead."""
    code, char = name_problem(text)
    if not code:
        return text
    shown = describe_char(char) if char else ""
    reason = {"name.invisible": f"has {shown}, which a name never has",
              "name.character": f"has {shown}; a name has only letters, spaces (U+0020) and ' . -",
              "name.mark": f"has {shown} that is not on a letter (or too many on one letter)",
              "name.empty": "has no letter; a name has letters"}[code]
    lead = f"{what}: " if what else ""
    raise NameTextError(f"{lead}{reason}; write it as on the family card (KK)", code=code)


def clean_name(text: str) -> str:
    """A typed name as it is stored: composed (NFC: “é” one character, as a keyboard types it) and its runs of
    spaces and tabs and line breaks (a paste from a spreadsheet) made one space (U+0020), none at the ends. Other
    control characters stay, for check_name to refuse. Check the result with check_name or check_text."""
    spaced = "".join(" " if c in "\t\r\n" or unicodedata.category(c) == "Zs" else c
                     for c in unicodedata.normalize("NFC", text))
    return " ".join(part for part in spaced.split(" ") if part)
