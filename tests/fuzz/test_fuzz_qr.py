"""The application QR (contract/application_qr.py `parse_application_qr`, and HQ's `make_application_qr`) against
random text, real QRs cut short or with characters changed, QRs signed by another key or with random signature
bytes, and random application ids given to HQ's maker. Only QrError escapes, with qr.foreign (not ours) or
qr.tampered (ours but altered) from parse and qr.bad_id from make, each with a message that tells the student what
to do; only a QR HQ really issued returns its application id, and HQ only issues ids of 4-40 letters, digits, '-'."""

import base64
import re

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import example, given
from hypothesis import strategies as st

from contract.application_qr import make_application_qr, parse_application_qr
from contract.errors import QrError
from tests.fuzz.profiles import fuzz
from tests.fuzz.strategies import nasty_text

HQ = Ed25519PrivateKey.generate()
OTHER = Ed25519PrivateKey.generate()
APP_ID = "APL-2026-00042"
REAL = make_application_qr(APP_ID, HQ)
ID_CHARS = st.sampled_from("ABCZaz09-_:\n\r \t\u0661é")


def refused(text: str, codes: set[str]) -> QrError:
    with pytest.raises(QrError) as err:
        parse_application_qr(text, HQ.public_key())
    assert err.value.code in codes and "QR" in str(err.value) and ("NIK" in str(err.value) or "team" in str(err.value))
    return err.value


@fuzz(300)
@given(nasty_text | st.text(max_size=300) | st.builds(lambda s: "SINOPSIS1:" + s, nasty_text))
def test_random_text_is_refused_with_qr_error(text: str) -> None:
    refused(text, {"qr.foreign", "qr.tampered"})


@fuzz(200)
@given(st.integers(0, len(REAL) - 1))
def test_a_truncated_qr_is_refused(cut: int) -> None:
    refused(REAL[:cut], {"qr.foreign", "qr.tampered"})


@fuzz(200)
@given(st.integers(0, len(REAL) - 1), st.characters(codec="utf-8"))
def test_a_qr_with_a_changed_character_is_refused_unless_unchanged(at: int, char: str) -> None:
    text = REAL[:at] + char + REAL[at + 1:]
    if text == REAL:
        return
    try:
        assert parse_application_qr(text, HQ.public_key()) == APP_ID
    except QrError as e:
        assert e.code in ("qr.foreign", "qr.tampered")
        return
    # the only edits that still parse: ones base64 decoding ignores (the unused bits of the last character)
    assert text.split(":")[1] == APP_ID


@fuzz(150)
@given(st.binary(max_size=80), st.sampled_from([APP_ID, "ABCD", "X" * 40]))
def test_random_or_foreign_signatures_are_tampered(signature: bytes, app_id: str) -> None:
    for sig in (signature, OTHER.sign(b"sinopsis-app/1|" + app_id.encode())):
        encoded = base64.urlsafe_b64encode(sig).rstrip(b"=").decode()
        refused(f"SINOPSIS1:{app_id}:{encoded}", {"qr.tampered"})


@fuzz(200)
@given(st.text(ID_CHARS, max_size=45))
@example("ABCD\n")
def test_hq_issues_qrs_only_for_plain_ids_and_they_parse_back(app_id: str) -> None:
    try:
        text = make_application_qr(app_id, HQ)
    except QrError as e:
        assert e.code == "qr.bad_id" and repr(app_id) in str(e)
        assert not re.fullmatch(r"[A-Za-z0-9-]{4,40}", app_id)
        return
    assert re.fullmatch(r"[A-Za-z0-9-]{4,40}", app_id), f"HQ issued a QR for {app_id!r}"
    assert parse_application_qr(text, HQ.public_key()) == app_id


@pytest.mark.parametrize("app_id", ["ABCD\n", "APL-2026-00042\n"])
def test_regression_an_id_with_a_trailing_newline_gets_no_qr(app_id: str) -> None:
    """Found by fuzzing: the id pattern ended in `$`, which also matches before a final newline, so HQ signed a
    QR for "ABCD\\n" and the station accepted it as an application id with a newline in it."""
    with pytest.raises(QrError) as err:
        make_application_qr(app_id, HQ)
    assert err.value.code == "qr.bad_id"
    signature = base64.urlsafe_b64encode(HQ.sign(b"sinopsis-app/1|" + app_id.encode())).rstrip(b"=").decode()
    refused(f"SINOPSIS1:{app_id}:{signature}", {"qr.tampered"})
