"""Translations through gettext: Bahasa Indonesia first, English on the toggle.

The catalogues are the .po files in kiosk/locale/<lang>/LC_MESSAGES/sinopsis.po (msgids are English). polib
compiles them to the .mo format in memory when loaded — the bytes msgfmt writes — for gettext.GNUTranslations,
so no build step or msgfmt binary is needed on the kit.
"""

import functools
import gettext
import io
from pathlib import Path

import polib

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "sinopsis"
LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"


def translations(lang: str) -> gettext.NullTranslations:
    """The gettext translations for `lang` (NullTranslations, i.e. the English msgids, when there is none)."""
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, not {lang!r}")
    po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po.exists():
        return gettext.NullTranslations()
    stat = po.stat()
    return gettext.GNUTranslations(io.BytesIO(_compiled(str(po), stat.st_mtime_ns, stat.st_size)))


@functools.lru_cache(maxsize=8)
def _compiled(po: str, _mtime_ns: int, _size: int) -> bytes:
    """The .mo bytes of the catalogue `po`, compiled once per process and version of the file (polib's parse
    was a tenth of the kiosk's start)."""
    catalogue = polib.pofile(po, encoding="utf-8")
    catalogue.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    return catalogue.to_binary()


def parse_po(text: str) -> dict[str, str]:
    """msgid → msgstr of a .po catalogue's translated entries (fuzzy, untranslated and obsolete ones left out)."""
    return {e.msgid: e.msgstr for e in polib.pofile(text).translated_entries()}
