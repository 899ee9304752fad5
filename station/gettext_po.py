"""Gettext catalogues without GNU gettext's tools: a .po file read into msgid → msgstr, and the .mo bytes msgfmt
would write for it. The kiosk compiles its catalogues in memory (kiosk/i18n.py); HQ writes them where Django
reads them (hq/fleet/catalog.py). Stdlib only: HQ's settings import it.

Only plain entries (no plural forms, no contexts); fuzzy and untranslated entries are skipped; the header
(msgid "") is kept.
"""

import ast
import struct


def parse_po(text: str) -> dict[str, str]:
    """msgid → msgstr of a .po file (continuation lines and escapes; fuzzy and untranslated entries skipped;
    the header, msgid "", is kept)."""
    entries: dict[str, str] = {}
    msgid: str | None = None
    msgstr: str | None = None
    target, fuzzy = "", False
    for raw in [*text.splitlines(), ""]:
        line = raw.strip()
        if not line:
            if msgid is not None and msgstr and not fuzzy:
                entries[msgid] = msgstr
            msgid = msgstr = None
            target, fuzzy = "", False
        elif line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("msgid "):
            msgid, target = ast.literal_eval(line[6:]), "id"
        elif line.startswith("msgstr "):
            msgstr, target = ast.literal_eval(line[7:]), "str"
        elif line.startswith('"') and target == "id" and msgid is not None:
            msgid += ast.literal_eval(line)
        elif line.startswith('"') and target == "str" and msgstr is not None:
            msgstr += ast.literal_eval(line)
    return entries


def compile_mo(entries: dict[str, str]) -> bytes:
    """The GNU .mo bytes of a catalogue (the layout msgfmt writes, without the optional hash table)."""
    keys = sorted(entries)
    ids = [k.encode() for k in keys]
    strs = [entries[k].encode() for k in keys]
    table = 7 * 4
    data_start = table + 16 * len(keys)
    offsets, data = [], b""
    for blob in ids + strs:
        offsets.append((len(blob), data_start + len(data)))
        data += blob + b"\0"
    header = struct.pack("<7I", 0x950412DE, 0, len(keys), table, table + 8 * len(keys), 0, 0)
    return header + b"".join(struct.pack("<2I", *o) for o in offsets) + data
