"""Translations through gettext: Bahasa Indonesia first, English on the toggle.

The catalogues are the .po files in kiosk/locale/<lang>/LC_MESSAGES/sinopsis.po (msgids are English). They are
compiled to the .mo format in memory when loaded — the same bytes msgfmt writes — and handed to
gettext.GNUTranslations, so no build step or msgfmt binary is needed on the kit.
"""

import ast
import gettext
import io
import struct
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "sinopsis"
LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"


def parse_po(text: str) -> dict[str, str]:
    """msgid → msgstr of a .po file (single forms, continuation lines, escapes; fuzzy entries skipped)."""
    entries: dict[str, str] = {}
    msgid = msgstr = None
    target = None
    fuzzy = False

    def flush() -> None:
        if msgid is not None and msgstr and not fuzzy:
            entries[msgid] = msgstr

    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("msgid "):
            flush()
            msgid, msgstr, target, fuzzy = ast.literal_eval(line[6:]), None, "id", fuzzy
        elif line.startswith("msgstr "):
            msgstr, target = ast.literal_eval(line[7:]), "str"
        elif line.startswith('"') and target == "id":
            msgid += ast.literal_eval(line)
        elif line.startswith('"') and target == "str":
            msgstr += ast.literal_eval(line)
        elif not line:
            flush()
            msgid = msgstr = target = None
            fuzzy = False
    flush()
    return entries


def compile_mo(entries: dict[str, str]) -> bytes:
    """The GNU .mo bytes of a catalogue (what msgfmt would write)."""
    keys = sorted(entries)
    ids = [k.encode() for k in keys]
    strs = [entries[k].encode() for k in keys]
    header = 7 * 4
    table = header + 16 * len(keys)
    offsets, data = [], b""
    for blob in ids + strs:
        offsets.append((len(blob), table + len(data)))
        data += blob + b"\0"
    out = struct.pack("<7I", 0x950412DE, 0, len(keys), header, header + 8 * len(keys), 0, 0)
    for length, offset in offsets:
        out += struct.pack("<2I", length, offset)
    return out + data


def translations(lang: str) -> gettext.NullTranslations:
    """The gettext translations for `lang` (NullTranslations, i.e. the English msgids, when there is none)."""
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, not {lang!r}")
    po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po.exists():
        return gettext.NullTranslations()
    entries = {k: v for k, v in parse_po(po.read_text(encoding="utf-8")).items() if k}
    entries[""] = "Content-Type: text/plain; charset=UTF-8\n"
    return gettext.GNUTranslations(io.BytesIO(compile_mo(entries)))
