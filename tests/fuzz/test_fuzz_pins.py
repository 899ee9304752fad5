"""Operator PIN hashes (contract/pins.py `is_pin_hash`, `verify_pin`): the hash travels in the signed assignment
(TeamMember.pin_hash) and is read at every operator login, so a malformed one must be refused, never crash the
kiosk. Random strings and near-miss hashes ("scrypt$n$r$p$salt$hash" with odd digits, zero, non-powers of two,
huge numbers, bad base64) give a bool from both functions; a hash made by hash_pin verifies only its own PIN."""

import base64

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from contract.pins import hash_pin, is_pin_hash, verify_pin
from tests.fuzz.profiles import fuzz
from tests.fuzz.strategies import nasty_text

SALT = base64.b64encode(b"0123456789abcdef").decode()
DIGEST = base64.b64encode(bytes(32)).decode()
params = (st.integers(0, 40).map(str) | st.sampled_from(["2", "16", "1024", "²", "٣", "١٦", "0", "-1", "9" * 5000,
                                                            "1048576", "3", ""]))
near_misses = st.builds(lambda n, r, p, salt, digest: f"scrypt${n}${r}${p}${salt}${digest}", params, params, params,
                        st.sampled_from([SALT, "", "!!", "AAAA"]), st.sampled_from([DIGEST, "", "AAAA", SALT]))


@fuzz(300)
@given(nasty_text | near_misses)
@example(f"scrypt$²$8$1${SALT}${DIGEST}")
@example(f"scrypt$3$8$1${SALT}${DIGEST}")
@example(f"scrypt$0$8$1${SALT}${DIGEST}")
@example(f"scrypt${'9' * 5000}$8$1${SALT}${DIGEST}")
def test_any_stored_hash_gives_a_bool_never_a_crash(stored: str) -> None:
    shaped = is_pin_hash(stored)
    assert isinstance(shaped, bool)
    result = verify_pin("1234", stored)
    assert result is False  # nothing here was made from PIN 1234
    if shaped:
        n, r, p = stored.split("$")[1:4]
        assert n.isascii() and r.isascii() and p.isascii(), "a hash with non-ASCII digits passed the shape check"


REAL = hash_pin("246810")


def test_a_real_hash_verifies_only_its_pin() -> None:
    assert is_pin_hash(REAL) and verify_pin("246810", REAL) and not verify_pin("135790", REAL)


@pytest.mark.parametrize("params", ["²$8$1", "3$8$1", "0$8$1", "1$8$1", "16$0$1", f"{'9' * 5000}$8$1", "٣$8$1"])
def test_regression_malformed_scrypt_parameters_are_refused_not_crashed(params: str) -> None:
    """Found by fuzzing: `isdigit()` takes '²' and '٣', so such a hash passed is_pin_hash and verify_pin then
    crashed on int('²'); n = 0, 1 or 3 (scrypt needs a power of two above 1), r = 0 and a 5000-digit n crashed
    hashlib.scrypt / int() with ValueError at the operator's login instead of refusing the hash."""
    stored = f"scrypt${params}${SALT}${DIGEST}"
    assert verify_pin("1234", stored) is False
    if not params.split("$")[0].isascii():
        assert not is_pin_hash(stored)
