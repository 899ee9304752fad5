"""The acknowledgement slip's QR: made and signed by a station key, parsed back field for field (bare or behind a
verification address), and any changed field, foreign code or damaged text refused with its code."""

import datetime as dt
import re

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from contract.errors import QrError
from contract.slip_qr import PREFIX, SlipClaim, make_slip_qr, parse_slip_qr, sealing_time

RECORD = "01a21193-82fb-7128-944f-fa5c3e792098"
CLAIM = SlipClaim("st-pku-01", RECORD, 42, sealing_time("2026-11-25T01:30:07.512+00:00"), 9, 1, 2, 0, False, 1)


def test_a_claim_round_trips_and_verifies_with_the_station_key():
    key = Ed25519PrivateKey.generate()
    text = make_slip_qr(CLAIM, key)
    assert text.startswith(f"{PREFIX}:st-pku-01:42:{RECORD}:20261125T013007Z:912001:") and len(text) < 200
    assert text.isascii() and text.isprintable()
    signed = parse_slip_qr(text)
    assert signed.verify(key.public_key()) == CLAIM and CLAIM.receipt_number == "ST-PKU-01-000042"
    behind_an_address = make_slip_qr(CLAIM, key, "https://hq.example/verify/")
    assert parse_slip_qr(behind_an_address).verify(key.public_key()) == CLAIM
    with pytest.raises(QrError, match="does not match station st-pku-01") as other:
        signed.verify(Ed25519PrivateKey.generate().public_key())  # another station's (or a forger's) key
    assert other.value.code == "slip.tampered"


@pytest.mark.parametrize(("field", "forged"), [
    (2, "43"),  # another record number
    (3, RECORD.replace("01a2", "01a3")),  # another record
    (4, "20261126T013007Z"),  # another day
    (5, "a02001"),  # ten fingers instead of nine and an exception
    (1, "st-pku-02"),  # another station (that station's key does not sign it either)
])
def test_any_changed_field_breaks_the_signature(field, forged):
    key = Ed25519PrivateKey.generate()
    parts = make_slip_qr(CLAIM, key).split(":")
    parts[field] = forged
    with pytest.raises(QrError) as err:
        parse_slip_qr(":".join(parts)).verify(key.public_key())
    assert err.value.code == "slip.tampered"


@pytest.mark.parametrize(("text", "code", "words"), [
    ("", "slip.foreign", "empty"),
    (RECORD, "slip.foreign", "not the QR of a SINOPSIS acknowledgement slip"),  # the queue slip's QR
    ("SINOPSIS1:APP-0001:abc", "slip.foreign", "not the QR"),  # an application QR
    (f"{PREFIX}:st-pku-01:42", "slip.malformed", "3 parts, not 7"),
    (f"{PREFIX}:st-pku-01:042:{RECORD}:20261125T013007Z:912001:{'A' * 86}", "slip.malformed", "sequence number"),
    (f"{PREFIX}:st-pku-01:42:{RECORD}:2026-11-25:912001:{'A' * 86}", "slip.malformed", "sealing time"),
    (f"{PREFIX}:st-pku-01:42:{RECORD}:20261325T013007Z:912001:{'A' * 86}", "slip.malformed", "cannot be read"),
    (f"{PREFIX}:st-pku-01:42:{RECORD}:20261125T013007Z:b12001:{'A' * 86}", "slip.malformed", "do not fit"),
    (f"{PREFIX}:st-pku-01:42:{RECORD}:20261125T013007Z:912021:{'A' * 86}", "slip.malformed", "not possible"),
    (f"{PREFIX}:st pku:42:{RECORD}:20261125T013007Z:912001:{'A' * 86}", "slip.malformed", "station id"),
    (f"{PREFIX}:st-pku-01:42:{RECORD}:20261125T013007Z:912001:short", "slip.malformed", "signature"),
    ("x" * 601, "slip.foreign", "far too long"),
])
def test_foreign_and_damaged_codes_are_refused_saying_what_to_do(text, code, words):
    with pytest.raises(QrError, match=re.escape(words)) as err:
        parse_slip_qr(text)
    assert err.value.code == code and ("scan" in str(err.value) or "altered" in str(err.value))


def test_impossible_claims_are_not_signed():
    key = Ed25519PrivateKey.generate()
    for bad in (SlipClaim("st pku", RECORD, 1, CLAIM.sealed_at, 10, 0, 2, 0, False, 0),
                SlipClaim("st-pku-01", RECORD, 0, CLAIM.sealed_at, 10, 0, 2, 0, False, 0),
                SlipClaim("st-pku-01", RECORD, 1, CLAIM.sealed_at, 10, 1, 2, 0, False, 0)):
        with pytest.raises(QrError):
            make_slip_qr(bad, key)
    with pytest.raises(QrError, match="no time zone"):
        sealing_time("2026-11-25T01:30:07")
    assert sealing_time("2026-11-25T08:30:07+07:00") == dt.datetime(2026, 11, 25, 1, 30, 7, tzinfo=dt.UTC)
