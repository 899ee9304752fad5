"""Application QR: HQ-signed payload; foreign and tampered codes refused with a clear reason."""

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from contract.application_qr import make_application_qr, parse_application_qr
from contract.errors import QrError

HQ = Ed25519PrivateKey.generate()


def test_round_trip():
    text = make_application_qr("APL-2026-00042", HQ)
    assert text.startswith("SINOPSIS1:APL-2026-00042:") and len(text) < 120
    assert parse_application_qr(text, HQ.public_key()) == "APL-2026-00042"
    assert parse_application_qr(f"  {text}\n", HQ.public_key()) == "APL-2026-00042"


@pytest.mark.parametrize("text", ["", "https://example.org/apply?id=APL-2026-00042", "WIFI:S:school;T:WPA;;",
                                  "x" * 5000, "SINOPSIS2:APL-2026-00042:abc", "APL-2026-00042"])
def test_foreign_codes(text):
    with pytest.raises(QrError) as error:
        parse_application_qr(text, HQ.public_key())
    assert error.value.code == "qr.foreign" and "NIK" in str(error.value)


def test_tampered_codes():
    good = make_application_qr("APL-2026-00042", HQ)
    prefix, app, sig = good.split(":")
    other_key = make_application_qr("APL-2026-00042", Ed25519PrivateKey.generate())
    flipped = sig[:-2] + ("A" if sig[-2] != "A" else "B") + sig[-1]
    for text in (f"{prefix}:APL-2026-00043:{sig}", f"{prefix}:{app}:{flipped}", f"{prefix}:{app}:!!!",
                 f"{prefix}:APL 2026:{sig}", other_key):
        with pytest.raises(QrError) as error:
            parse_application_qr(text, HQ.public_key())
        assert error.value.code == "qr.tampered", text


def test_a_bad_id_cannot_be_issued():
    with pytest.raises(QrError, match="application id"):
        make_application_qr("APL:1", HQ)
