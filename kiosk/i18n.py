"""Translations through gettext: Bahasa Indonesia first, English on the toggle.

The catalogues are the .po files in kiosk/locale/<lang>/LC_MESSAGES/sinopsis.po (msgids are English). polib
compiles them to the .mo format in memory when loaded — the bytes msgfmt writes — for gettext.GNUTranslations,
so no build step or msgfmt binary is needed on the kit.
"""

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
    catalogue = polib.pofile(str(po), encoding="utf-8")
    catalogue.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    return gettext.GNUTranslations(io.BytesIO(catalogue.to_binary()))


def parse_po(text: str) -> dict[str, str]:
    """msgid → msgstr of a .po catalogue's translated entries (fuzzy, untranslated and obsolete ones left out)."""
    return {e.msgid: e.msgstr for e in polib.pofile(text).translated_entries()}
