"""HQ's translations: the .po catalogues in hq/locale/<lang>/LC_MESSAGES/django.po compiled to the .mo files
Django reads, written into HQ's data dir when the settings load, so no msgfmt binary or build step is needed and
no generated binary is kept in git (the same approach as kiosk/i18n.py; stdlib only, as settings import it).

Only plain entries are supported (no plural forms, no contexts): the dashboard's texts avoid them.
"""

import ast
import os
import struct
from pathlib import Path

SOURCE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "django"


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


def compile_into(target: Path, source: Path = SOURCE_DIR) -> Path:
    """Compile every <lang>/LC_MESSAGES/django.po under `source` into `target` (only what changed, each file
    replaced atomically so a running server never reads half a catalogue); returns `target` for LOCALE_PATHS."""
    for po in sorted(source.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        mo = target / po.relative_to(source).with_suffix(".mo")
        blob = compile_mo(parse_po(po.read_text(encoding="utf-8")))
        if mo.is_file() and mo.read_bytes() == blob:
            continue
        mo.parent.mkdir(parents=True, exist_ok=True)
        tmp = mo.with_name(f".{mo.name}.{os.getpid()}.tmp")
        tmp.write_bytes(blob)
        tmp.replace(mo)
    return target
