"""HQ's translations: the .po catalogues in hq/locale/<lang>/LC_MESSAGES/django.po (and each app's own
hq/<app>/locale/…, so each app keeps its texts beside it) compiled to the .mo files
Django reads, written into HQ's data dir when the settings load, so no msgfmt binary or build step is needed and
no generated binary is kept in git (polib writes the .mo bytes msgfmt would).
"""

import os
from pathlib import Path

import polib

HQ_DIR = Path(__file__).resolve().parent.parent
SOURCE_DIR = HQ_DIR / "locale"
DOMAIN = "django"


def compile_all(target: Path) -> list[Path]:
    """Compile hq/locale into `target` and every app's hq/<app>/locale into `target`/<app>; the LOCALE_PATHS
    (apps first: Django prefers the earlier path for a text both define)."""
    paths = [compile_into(target / app.parent.name, app) for app in sorted(HQ_DIR.glob("*/locale"))]
    return [*paths, compile_into(target, SOURCE_DIR)]


def compile_into(target: Path, source: Path = SOURCE_DIR) -> Path:
    """Compile every <lang>/LC_MESSAGES/django.po under `source` into `target` (only what changed, each file
    replaced atomically so a running server never reads half a catalogue); returns `target` for LOCALE_PATHS."""
    for po in sorted(source.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        mo = target / po.relative_to(source).with_suffix(".mo")
        blob = polib.pofile(str(po), encoding="utf-8").to_binary()
        if mo.is_file() and mo.read_bytes() == blob:
            continue
        mo.parent.mkdir(parents=True, exist_ok=True)
        tmp = mo.with_name(f".{mo.name}.{os.getpid()}.tmp")
        tmp.write_bytes(blob)
        tmp.replace(mo)
    return target


def parse_po(text: str) -> dict[str, str]:
    """msgid → msgstr of a .po catalogue: its translated entries (fuzzy, untranslated and obsolete ones left out)
    and the header as msgid "" (what the compiled .mo holds)."""
    catalogue = polib.pofile(text)
    entries = {e.msgid: e.msgstr for e in catalogue.translated_entries()}
    if catalogue.metadata:
        entries[""] = catalogue.metadata_as_entry().msgstr
    return entries
