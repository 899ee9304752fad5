"""Assignment bundles (contract/assignment.py `verify_bundle`, station/roster.py `import_assignment`) against
hostile files: random bytes and JSON, pathological JSON (deep nesting, huge integers), real bundles signed by HQ
(tests/conftest.py `make_bundle`) with bytes flipped, inserted or deleted, and bundles validly signed by HQ's key
whose content has random values in random places (what a bug at HQ could sign). Only AssignmentError escapes,
with an assignment.* code and a message that starts with the file; a refused import leaves every table of the
station's database exactly as it was (nothing imported, nothing audited)."""

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from contract.assignment import bundle_to_bytes, sign_assignment, verify_bundle
from contract.errors import AssignmentError
from sinopsis.demo_data import DEMO_STATION_ID
from station.roster import import_assignment
from tests.fuzz.profiles import fuzz
from tests.fuzz.state import snapshot
from tests.fuzz.strategies import dumps, json_values, mutated, pathological_json

_BUNDLES: dict[tuple[bytes, int], bytes] = {}


def real_bundle(keys: Any, make_bundle: Any, version: int) -> bytes:
    """A real signed bundle, made once per HQ key and version (its team's PIN hashes take a while to make)."""
    cache_key = (keys.hq_sign.public_key().public_bytes_raw(), version)
    if cache_key not in _BUNDLES:
        _BUNDLES[cache_key] = make_bundle(version=version).read_bytes()
    return _BUNDLES[cache_key]


def refused_cleanly(error: AssignmentError, source: str) -> None:
    assert error.code.startswith("assignment.") and error.code != "assignment.", error.code
    assert str(error).startswith(f"{source}: ") and len(str(error)) > len(source) + 2


def attempt_import(store: Any, keys: Any, data: bytes, path: Path) -> None:
    """Import `data` from `path`; if it is refused, nothing in the database may have changed."""
    path.write_bytes(data)
    before = snapshot(store.conn)
    try:
        result = import_assignment(store, path, keys.hq_sign.public_key(), station_id=DEMO_STATION_ID, min_age=16)
    except AssignmentError as e:
        refused_cleanly(e, str(path))
        assert snapshot(store.conn) == before, "a refused import changed the database"
        return
    assert result.outcome in ("imported", "unchanged")


@fuzz(100)
@given(st.binary(max_size=300) | st.builds(dumps, json_values) | pathological_json)
@example(b"[" * 100_000)
@example(b'{"format": "sinopsis-assignment/1", "content": {}, "signature": ' + b"1" * 5000 + b"}")
def test_random_bytes_and_json_only_raise_assignment_error(keys: Any, data: bytes) -> None:
    try:
        verify_bundle(data, keys.hq_sign.public_key(), station_id=DEMO_STATION_ID, source="bundle.json")
    except AssignmentError as e:
        refused_cleanly(e, "bundle.json")
    else:
        pytest.fail("random bytes verified as an HQ-signed bundle")


@fuzz(120)
@given(st.data())
def test_a_mutated_signed_bundle_is_refused_and_imports_nothing(imported: Any, keys: Any, make_bundle: Any,
                                                                tmp_path: Path, data: st.DataObject) -> None:
    original = real_bundle(keys, make_bundle, 2)
    hostile = data.draw(mutated(original))
    attempt_import(imported, keys, hostile, tmp_path / "hostile.json")
    assert imported.conn.execute("SELECT MAX(version) FROM assignments").fetchone()[0] in (1, 2)


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path (keys and list indexes) into a JSON value, the value itself included."""
    found = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            found += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value[:3]):  # the first few applicants stand for all of them
            found += _paths(v, (*prefix, i))
    return found


def _replace(content: dict, path: tuple, value: Any) -> None:
    if not path:
        content.clear()
        if isinstance(value, dict):
            content.update(value)
        return
    target = content
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value


@fuzz(120)
@given(st.data())
def test_hq_signed_content_with_any_value_anywhere_is_checked_not_crashed(imported: Any, keys: Any,
                                                                           make_bundle: Any, tmp_path: Path,
                                                                           data: st.DataObject) -> None:
    """The signature verifies, so this is the schema and roster checks against a hostile (or buggy) signer."""
    content = json.loads(real_bundle(keys, make_bundle, 3))["content"]
    hostile = copy.deepcopy(content)
    for _ in range(data.draw(st.integers(1, 3))):
        where = data.draw(st.sampled_from(_paths(hostile)))
        _replace(hostile, where, data.draw(json_values))
    try:
        bundle = bundle_to_bytes(sign_assignment(hostile, keys.hq_sign))
    except UnicodeEncodeError:  # a lone surrogate: HQ could not even sign it
        return
    attempt_import(imported, keys, bundle, tmp_path / "signed.json")


@pytest.mark.parametrize("data", [b"[" * 100_000, b"{\"a\": " + b"9" * 5000 + b"}", b"1" * 4400])
def test_regression_pathological_json_is_an_assignment_error(keys: Any, data: bytes) -> None:
    """Found by fuzzing: JSON nested past the recursion limit escaped verify_bundle as RecursionError, and an
    integer past Python's 4300-digit limit as ValueError, instead of AssignmentError (assignment.json)."""
    with pytest.raises(AssignmentError) as err:
        verify_bundle(data, keys.hq_sign.public_key(), station_id=DEMO_STATION_ID, source="bundle.json")
    assert err.value.code == "assignment.json" and str(err.value).startswith("bundle.json: ")


def test_regression_a_version_past_sqlite_integer_is_refused(store: Any, keys: Any, make_bundle: Any,
                                                             tmp_path: Path) -> None:
    """Found by fuzzing (HQ-signed content with any value): version 2**63 passed the schema and crashed the
    import with OverflowError at the INSERT; it is now a schema problem naming the version, nothing imported."""
    content = json.loads(real_bundle(keys, make_bundle, 3))["content"]
    content["version"] = 2 ** 63
    path = tmp_path / "huge.json"
    path.write_bytes(bundle_to_bytes(sign_assignment(content, keys.hq_sign)))
    before = snapshot(store.conn)
    with pytest.raises(AssignmentError) as err:
        import_assignment(store, path, keys.hq_sign.public_key(), station_id=DEMO_STATION_ID, min_age=16)
    assert err.value.code == "assignment.schema" and "version" in str(err.value)
    assert snapshot(store.conn) == before
