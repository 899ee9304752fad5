"""Every text the applications app hands to gettext (Python: _ / _lazy calls; templates: translate and
blocktranslate, read the way makemessages reads them) has its Bahasa Indonesia translation in the app's own
catalogue, with the same placeholders; and the catalogue compiles to what GNU msgfmt makes of it."""

import ast
import gettext
import re
import shutil
import subprocess
from pathlib import Path

from django.utils.translation.template import templatize

from hq.fleet import catalog

APP = Path(catalog.HQ_DIR) / "applications"
PO = APP / "locale/id/LC_MESSAGES/django.po"
CALL = re.compile(r"""gettext\((u'(?:[^'\\]|\\.)*'|u"(?:[^"\\]|\\.)*")\)""")


def used_msgids() -> set[str]:
    used = set()
    for path in APP.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("_", "_lazy", "gettext_lazy")
                    and node.args and isinstance(node.args[0], ast.Constant)):
                used.add(node.args[0].value)
    for path in (APP / "templates").rglob("*.*"):
        for match in CALL.finditer(templatize(path.read_text(), origin=str(path))):
            used.add(ast.literal_eval(match.group(1)))
    return used


def test_every_text_has_its_translation_with_the_same_placeholders():
    entries = catalog.parse_po(PO.read_text(encoding="utf-8"))
    used = used_msgids()
    assert len(used) > 200 and "Apply for e-KTP recording at school" in used and "Male" in used
    assert sorted(used - set(entries)) == []
    assert sorted(set(entries) - used - {""}) == []  # nothing left over
    for msgid, msgstr in entries.items():
        if msgid:
            assert sorted(re.findall(r"%\(\w+\)\w", msgid)) == sorted(re.findall(r"%\(\w+\)\w", msgstr)), msgid


def test_the_catalogue_compiles_as_msgfmt_does(tmp_path):
    target = catalog.compile_into(tmp_path, APP / "locale")
    ours = gettext.GNUTranslations((target / "id/LC_MESSAGES/django.mo").open("rb"))
    assert ours.gettext("Waiting for verification") == "Menunggu verifikasi"
    if shutil.which("msgfmt"):
        subprocess.run(["msgfmt", "-o", str(tmp_path / "ref.mo"), str(PO)], check=True)
        reference = gettext.GNUTranslations((tmp_path / "ref.mo").open("rb"))
        assert reference._catalog == ours._catalog


def test_a_text_other_catalogues_share_is_translated_the_same_way():
    """HQ's catalogues make one domain and this app's is read first: a text translated differently here would
    change another app's pages (the fleet dashboard's "State", the menu's "Apply")."""
    ours = catalog.parse_po(PO.read_text(encoding="utf-8"))
    for po in sorted(Path(catalog.HQ_DIR).glob("**/locale/id/LC_MESSAGES/django.po")):
        if po != PO:
            theirs = catalog.parse_po(po.read_text(encoding="utf-8"))
            differ = {k: (ours[k], theirs[k]) for k in ours.keys() & theirs.keys() if k and ours[k] != theirs[k]}
            assert differ == {}, po
