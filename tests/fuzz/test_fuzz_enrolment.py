"""Enrolment files from outside (provisioning/enrolment.py `check_request`: the request a blank kit hands HQ on a
USB stick; provisioning/install.py `check_bundle`, `install_bundle`: the bundle HQ hands back) fed random bytes,
request- and bundle-shaped JSON with random values, and real files with bytes changed. Only ProvisionError escapes,
naming the file and giving a `provision.*` code; a refused bundle pins nothing on the kit (its keys dir unchanged).
"""

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from provisioning.enrolment import BUNDLE_FORMAT, REQUEST_FORMAT, check_request, make_request
from provisioning.install import install_bundle
from provisioning.pki import CertificateAuthority, ProvisionError
from sinopsis.enrolment import enrol
from tests.fuzz.profiles import fuzz
from tests.fuzz.strategies import dumps, json_values, mutated, nasty_text, pathological_json
from tests.provisioning.conftest import blank_kit, ca, hq, hq_data, hq_keys

__all__ = ["ca", "hq", "hq_data", "hq_keys"]

STATION_ID = "st-fuzz-1"
REQUEST_FIELDS = ("format", "station_id", "csr", "signing_public_key", "station_clock", "signature")
BUNDLE_FIELDS = ("format", "station_id", "certificate", "ca_certificate", "hq_assignment_public_key",
                 "hq_packet_public_key", "issued_at", "signature")


def refused_clearly(error: ProvisionError, source: str) -> None:
    """A refusal names the file it read and says what to do, with a code from the provision.* set."""
    assert source in str(error), str(error)
    assert error.code.startswith("provision."), error.code
    assert len(str(error)) > len(source) + 10


def keys_dir_state(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.exists() else {}


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A blank kit whose request is made once (a real CSR, a real signing key)."""
    return blank_kit(tmp_path_factory.mktemp("kit"), STATION_ID)


@pytest.fixture(scope="module")
def request_bytes(kit: Any) -> bytes:
    return make_request(kit)


def shaped(fields: tuple[str, ...], fmt: str) -> st.SearchStrategy[bytes]:
    """JSON objects with the file's own fields (and format) holding random values, some fields left out."""
    return st.fixed_dictionaries({}, optional={f: json_values for f in fields}).map(
        lambda body: dumps({"format": fmt, **body}))


@fuzz(200)
@given(data=st.data())
def test_a_hostile_request_is_a_provision_error(request_bytes: bytes, data: st.DataObject) -> None:
    hostile = data.draw(st.binary(max_size=300) | pathological_json | nasty_text.map(lambda t: dumps(t))
                        | shaped(REQUEST_FIELDS, REQUEST_FORMAT) | mutated(request_bytes))
    try:
        got = check_request(hostile, STATION_ID, source="usb/request.json")
    except ProvisionError as e:
        refused_clearly(e, "usb/request.json")
        return
    # an edit the request's signatures do not cover (whitespace between JSON tokens) leaves the same request
    assert got.station_id == STATION_ID and json.loads(hostile) == json.loads(request_bytes)


@fuzz(60)
@given(field=st.sampled_from(REQUEST_FIELDS), value=json_values)
def test_a_real_request_with_one_field_changed_is_refused(request_bytes: bytes, field: str, value: Any) -> None:
    body = json.loads(request_bytes)
    if body.get(field) == value:
        return
    body[field] = value
    with pytest.raises(ProvisionError) as e:
        check_request(dumps(body), STATION_ID, source="request.json")
    refused_clearly(e.value, "request.json")


POINT_FORMAT = (b"\x03\x42\x00\x04", b"\x03\x42\x00\x84")  # an uncompressed P-256 point, its format byte changed
CURVE = (b"\x2a\x86\x48\xce\x3d\x03\x01\x07", b"\x2a\x86\x48\xce\x3d\x03\x01\x08")  # prime256v1 → an unknown curve


def damaged_key(pem: str, label: str, edit: tuple[bytes, bytes]) -> str:
    """`pem` with one part of its EC public key changed: the PEM and the DER still parse, the key does not."""
    der = base64.b64decode("".join(pem.strip().splitlines()[1:-1]))
    assert der.count(edit[0]) >= 1
    body = base64.encodebytes(der.replace(edit[0], edit[1], 1)).decode()
    return f"-----BEGIN {label}-----\n{body}-----END {label}-----\n"


@pytest.mark.parametrize("edit", [POINT_FORMAT, CURVE], ids=["point", "curve"])
def test_regression_a_request_whose_csr_key_is_damaged_is_a_provision_error(request_bytes: bytes, edit) -> None:
    body = json.loads(request_bytes)
    body["csr"] = damaged_key(body["csr"], "CERTIFICATE REQUEST", edit)  # once: ValueError / UnsupportedAlgorithm
    with pytest.raises(ProvisionError) as e:
        check_request(dumps(body), STATION_ID, source="request.json")
    assert e.value.code == "provision.request" and "request is damaged" in str(e.value)


@pytest.mark.parametrize("edit", [POINT_FORMAT, CURVE], ids=["point", "curve"])
def test_regression_a_bundle_whose_certificate_key_is_damaged_is_a_provision_error(kit: Any, bundle: bytes,
                                                                                   edit) -> None:
    body = json.loads(bundle)
    body["certificate"] = damaged_key(body["certificate"], "CERTIFICATE", edit)
    with pytest.raises(ProvisionError) as e:
        install_bundle(kit, dumps(body), source="bundle.json")
    assert e.value.code == "provision.cert_unreadable" and str(e.value).startswith("bundle.json: station certificate")


@pytest.fixture
def bundle(hq: Path, hq_keys: Any, ca: CertificateAuthority, kit: Any, request_bytes: bytes) -> bytes:
    """HQ's real bundle for the kit (enrol registers it in HQ's test database)."""
    return enrol(ca, STATION_ID, request_bytes).bundle


@fuzz(150)
@given(data=st.data())
def test_a_hostile_bundle_is_a_provision_error_and_pins_nothing(kit: Any, bundle: bytes, data: st.DataObject) -> None:
    hostile = data.draw(st.binary(max_size=300) | pathological_json | shaped(BUNDLE_FIELDS, BUNDLE_FORMAT)
                        | mutated(bundle))
    keys = kit.key_path("broker_key").parent
    before = keys_dir_state(keys)
    try:
        install_bundle(kit, hostile, source="usb/bundle.json")
    except ProvisionError as e:
        refused_clearly(e, "usb/bundle.json")
        assert keys_dir_state(keys) == before, "a refused bundle pinned something"
        return
    assert json.loads(hostile) == json.loads(bundle), "only the genuine bundle (whitespace aside) installs"
