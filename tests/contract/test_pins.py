"""Operator PINs: salted scrypt hashes, checked in constant time, malformed hashes never match."""

import pytest

from contract.pins import hash_pin, is_pin_hash, verify_pin


def test_hash_and_verify():
    stored = hash_pin("246810")
    assert is_pin_hash(stored) and "246810" not in stored
    assert verify_pin("246810", stored)
    assert not verify_pin("246811", stored)
    assert hash_pin("246810") != stored, "every hash has its own salt"


@pytest.mark.parametrize("pin", ["", "123", "12a456", "1234567890123", "١٢٣٤٥٦"])
def test_bad_pins_are_refused(pin):
    with pytest.raises(ValueError, match="4 to 12 digits"):
        hash_pin(pin)


@pytest.mark.parametrize("stored", ["", "plain", "scrypt$1$2$3$@@$@@", "bcrypt$16384$8$1$c2FsdHNhbHQ=$"
                                    "MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE=",
                                    "scrypt$1073741824$8$1$c2FsdHNhbHQ=$MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI="])
def test_malformed_or_hostile_hashes_never_match(stored):
    assert not verify_pin("1234", stored)
