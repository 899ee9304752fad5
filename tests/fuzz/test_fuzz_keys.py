"""Key material from outside (contract/keys.py `parse_public_key`, `load_public_key`, `load_private_key`: HQ's
keys on a kit, a blank kit's signing key in its enrolment request; hq/fleet/enrolment.py `enrol_station`: the
PEM an admin uploads for a station) fed random bytes and text, and real PEM keys whose DER bytes are changed
and armoured again (so the PEM parses but the key inside is damaged or of an unknown type). Only KeyFileError
(station) or HqError hq.station_key (HQ) escapes, naming the source; a refused enrolment stores no Station."""

import base64
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from contract.errors import KeyFileError
from contract.keys import load_private_key, parse_public_key, public_pem
from hq.errors import HqError
from tests.fuzz.profiles import fuzz
from tests.fuzz.strategies import mutated, nasty_text

PUBLIC_PEM = public_pem(Ed25519PrivateKey.generate().public_key())
PRIVATE_PEM = Ed25519PrivateKey.generate().private_bytes(serialization.Encoding.PEM,
                                                         serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption()).decode()


def armoured(der: bytes, label: str) -> bytes:
    body = base64.encodebytes(der).decode()
    return f"-----BEGIN {label}-----\n{body}-----END {label}-----\n".encode()


def der_of(pem: str) -> bytes:
    return base64.b64decode("".join(pem.strip().splitlines()[1:-1]))


# an OID of an algorithm cryptography does not know (its last byte changed): UnsupportedAlgorithm inside
UNKNOWN_ALGORITHM = armoured(der_of(PUBLIC_PEM)[:8] + b"\x65" + der_of(PUBLIC_PEM)[9:], "PUBLIC KEY")
hostile_public = (st.binary(max_size=200) | mutated(PUBLIC_PEM.encode())
                  | mutated(der_of(PUBLIC_PEM)).map(lambda der: armoured(der, "PUBLIC KEY"))
                  | st.just(UNKNOWN_ALGORITHM))


@fuzz(300)
@given(hostile_public | nasty_text)
def test_a_hostile_public_key_is_a_key_file_error(pem: bytes | str) -> None:
    try:
        key = parse_public_key(pem, Ed25519PublicKey, source="request: signing key")
    except KeyFileError as e:
        assert str(e).startswith("request: signing key: ") and len(str(e)) > len("request: signing key: ")
        return
    assert isinstance(key, Ed25519PublicKey)  # a changed byte inside the key itself: another, valid key


@fuzz(150)
@given(st.binary(max_size=200) | mutated(PRIVATE_PEM.encode())
       | mutated(der_of(PRIVATE_PEM)).map(lambda der: armoured(der, "PRIVATE KEY")))
def test_a_hostile_private_key_file_is_a_key_file_error(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "station_signing.pem"
    path.write_bytes(data)
    for kind in (Ed25519PrivateKey, X25519PrivateKey):
        try:
            load_private_key(path, kind)
        except KeyFileError as e:
            assert str(e).startswith(f"{path}: ")


@fuzz(40)
@given(hostile_public)
def test_a_hostile_key_at_enrolment_is_refused_and_stores_nothing(hq: Path, pem: bytes) -> None:
    from hq.fleet.enrolment import enrol_station
    from hq.fleet.models import Station

    before = list(Station.objects.values_list())
    try:
        enrol_station("st-fuzz", pem, source="upload.pem")
    except HqError as e:
        assert e.code == "hq.station_key" and str(e).startswith("upload.pem: ")
        assert list(Station.objects.values_list()) == before
        return
    Station.objects.filter(pk="st-fuzz").delete()  # a valid (other) key: enrolled; undone for the next example


@pytest.mark.parametrize("pem", [UNKNOWN_ALGORITHM, "-----BEGIN PUBLIC KEY-----\né\n-----END PUBLIC KEY-----\n"],
                         ids=["unknown-algorithm", "non-ascii-text"])
def test_regression_unknown_algorithms_and_non_ascii_text_are_key_file_errors(pem: Any) -> None:
    """Found by fuzzing: a PEM naming an algorithm cryptography does not know raised UnsupportedAlgorithm, and
    PEM text with a non-ASCII character raised UnicodeEncodeError, out of parse_public_key (a blank kit's
    enrolment request goes through it) instead of KeyFileError."""
    with pytest.raises(KeyFileError) as err:
        parse_public_key(pem, Ed25519PublicKey, source="request")
    assert str(err.value).startswith("request: not a readable PEM public key")


def test_regression_an_unknown_algorithm_at_enrolment_is_an_hq_error(hq: Path) -> None:
    """Found by fuzzing: the same PEM crashed `sinopsis hq enrol-station` with UnsupportedAlgorithm."""
    from hq.fleet.enrolment import enrol_station

    with pytest.raises(HqError) as err:
        enrol_station("st-fuzz", UNKNOWN_ALGORITHM, source="upload.pem")
    assert err.value.code == "hq.station_key"


def test_regression_a_private_key_of_the_wrong_length_for_its_oid_is_a_key_file_error(tmp_path: Path) -> None:
    """Found by the soak run: a PKCS#8 key whose algorithm OID is changed to X448 (1.3.101.111) while the key
    stays 32 bytes made OpenSSL fail "key setup", which cryptography raises as InternalError (not ValueError):
    it escaped load_private_key, so a damaged key file crashed the station at start instead of naming the file."""
    der = bytearray(der_of(PRIVATE_PEM))
    der[der.index(b"\x2b\x65\x70") + 2] = 0x6F  # the Ed25519 OID 1.3.101.112 → X448's 1.3.101.111
    path = tmp_path / "station_signing.pem"
    path.write_bytes(armoured(bytes(der), "PRIVATE KEY"))
    with pytest.raises(KeyFileError) as err:
        load_private_key(path, Ed25519PrivateKey)
    assert str(err.value).startswith(f"{path}: not a readable PEM private key")


def test_regression_an_enrolled_key_of_an_unknown_algorithm_is_refused_not_raised(hq: Path) -> None:
    """Seen while fuzzing (a database edited by hand): HQ's ingest read an enrolled PEM naming an unknown
    algorithm with UnsupportedAlgorithm escaping `station_key`; it is the enrolled-key error the ingest codes."""
    from hq.ingest.storage import EnrolledKeyError, station_key

    with pytest.raises(EnrolledKeyError, match="not a readable PEM public key"):
        station_key(UNKNOWN_ALGORITHM.decode() if isinstance(UNKNOWN_ALGORITHM, bytes) else UNKNOWN_ALGORITHM)
