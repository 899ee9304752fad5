"""Translations through gettext: Bahasa Indonesia first, English on the toggle.

The catalogues are the .po files in kiosk/locale/<lang>/LC_MESSAGES/sinopsis.po (msgids are English). They are
compiled to the .mo format in memory when loaded — the same bytes msgfmt writes — and handed to
gettext.GNUTranslations, so no build step or msgfmt binary is needed on the kit.
"""

import gettext
import io
from pathlib import Path

from station.gettext_po import compile_mo, parse_po

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
    entries = {k: v for k, v in parse_po(po.read_text(encoding="utf-8")).items() if k}
    entries[""] = "Content-Type: text/plain; charset=UTF-8\n"
    return gettext.GNUTranslations(io.BytesIO(compile_mo(entries)))
