"""Every text the kiosk shows has its Bahasa Indonesia translation (and the coded ones their English text):
literal msgids found in the screens' .py/.kv sources, and every family of coded msgids (states, problem codes,
reasons, positions) built from the station's own code lists, so a new code cannot ship untranslated."""

import ast
import re
from pathlib import Path

import pytest

from kiosk.i18n import LOCALE_DIR, parse_po
from kiosk.printing import STATES as PRINTER_STATES
from station.capture.fingers import SLAPS
from station.capture.policy import BELOW_THRESHOLD_REASONS, BIOMETRIC_EXCEPTIONS, CAPTURE_ORDER, SIGNATURE_EXCEPTIONS
from station.records import CORRECTION_REASONS, WITHDRAW_REASONS

KIOSK = Path(__file__).resolve().parents[2] / "kiosk"
NATIVE = KIOSK.parent / "native"
LITERAL = re.compile(r"""(?:app\.t|end_recording)\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')\s*[,)]""")


def catalogue(lang: str) -> dict[str, str]:
    return parse_po((LOCALE_DIR / lang / "LC_MESSAGES" / "sinopsis.po").read_text(encoding="utf-8"))


def literal_msgids() -> set[str]:
    found = set()
    for path in [*KIOSK.rglob("*.py"), *KIOSK.rglob("*.kv")]:
        for match in LITERAL.finditer(path.read_text(encoding="utf-8")):
            text = match.group(1) if match.group(1) is not None else match.group(2)
            if text and not text.endswith("."):  # "state." + code: a family prefix, checked below
                found.add(ast.literal_eval(f'"{text}"') if '"' not in text else text)
            elif text and " " in text:  # a sentence ending in a full stop
                found.add(text)
    from kiosk.screens.flow import MESSAGES, PROBLEM_TITLES

    return found | set(MESSAGES.values()) | set(PROBLEM_TITLES.values())


def problem_codes() -> set[str]:
    codes = set()
    for name in ("face.py", "iris.py", "fingerprint.py"):
        codes |= set(re.findall(r'"([A-Z][A-Z_]{4,})"', (NATIVE / name).read_text()))
    return codes | {"SLAP_COUNT_MISMATCH"}


def coded_msgids() -> set[str]:
    reasons = (WITHDRAW_REASONS | CORRECTION_REASONS | BIOMETRIC_EXCEPTIONS | SIGNATURE_EXCEPTIONS
               | BELOW_THRESHOLD_REASONS)
    return ({f"reason.{c}" for c in reasons} | {f"problem.{c}" for c in problem_codes()}
            | {f"short.{p}" for p in CAPTURE_ORDER} | set(CAPTURE_ORDER) | {f"slap.{s}" for s in SLAPS}
            | {f"colour.{c}" for c in ("red", "blue", "other")}
            | {f"device.{d}" for d in ("camera", "finger_scanner", "iris_camera", "signature_pad", "qr_scanner")}
            | {f"print.{p}" for p in ("printing", "printed", "failed")} | {f"printer.{s}" for s in PRINTER_STATES}
            | {f"offline.{c}.{level}" for c in ("days", "unsent") for level in ("warn", "block")}
            | {f"state.{s}" for s in ("preview", "confirming", "retry", "paused", "below_threshold", "no_device",
                                      "cancelled", "error", "empty_signature", "more_attempts")})


def test_the_sources_are_scanned():
    found = literal_msgids()
    assert "Capture" in found and "Check the student's identity" in found and len(found) > 80


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_shown_text_is_in_the_catalogue(lang):
    entries = catalogue(lang)
    missing = sorted(m for m in literal_msgids() if lang == "id" and not entries.get(m))
    missing += sorted(m for m in coded_msgids() if not entries.get(m))
    assert not missing, f"{lang}: untranslated: {missing}"
