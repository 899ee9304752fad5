"""Signed assignment import: accepted only when signed by the pinned HQ key and every applicant is valid."""

import datetime as dt
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from contract.errors import AssignmentError
from station import audit
from station.roster import current_assignment, import_assignment


def _import(store, path, keys, station_id="st-pku-01"):
    return import_assignment(store, path, keys.hq_sign.public_key(), station_id=station_id, min_age=16)


def _table_counts(store) -> dict[str, int]:
    return {t: store.conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]  # noqa: S608 -- fixed names
            for t in ("assignments", "operators", "applicants", "audit")}


def test_valid_bundle_imports_everything(store, keys, make_bundle, applicants):
    result = _import(store, make_bundle(), keys)
    assert (result.outcome, result.version, result.applicants) == ("imported", 1, len(applicants))
    row = current_assignment(store.conn)
    assert row["school_npsn"] == "10404052" and row["recording_date"] == "2026-11-25"
    assert _table_counts(store) == {"assignments": 1, "operators": 2, "applicants": 24, "audit": 1}
    phones = [r[0] for r in store.conn.execute("SELECT phone FROM applicants")]
    assert all(p.startswith("+628") for p in phones), "phones are stored normalised to E.164"


def test_same_version_again_is_a_no_op(store, keys, make_bundle):
    path = make_bundle()
    _import(store, path, keys)
    before = _table_counts(store)
    assert _import(store, path, keys).outcome == "unchanged"
    assert _table_counts(store) == before


def test_newer_version_is_imported_and_older_refused(store, keys, make_bundle):
    _import(store, make_bundle(version=2), keys)
    with pytest.raises(AssignmentError) as err:
        _import(store, make_bundle(version=1), keys)
    assert err.value.code == "assignment.version_old"
    assert _import(store, make_bundle(version=3), keys).outcome == "imported"
    assert current_assignment(store.conn)["version"] == 3


def test_same_version_with_other_content_is_refused(store, keys, make_bundle):
    _import(store, make_bundle(version=1), keys)
    other = make_bundle(version=1, edit=lambda c: c["school"].update(name="SMA Negeri 8 Pekanbaru"))
    with pytest.raises(AssignmentError) as err:
        _import(store, other, keys)
    assert err.value.code == "assignment.version_conflict"


def test_editing_one_bundles_content_leaves_the_next_one_alone():
    from sinopsis.demo_data import build_assignment_content

    first = build_assignment_content(dt.date(2026, 11, 25), [])
    first["school"]["name"] = "SMA Negeri 8 Pekanbaru"
    assert build_assignment_content(dt.date(2026, 11, 25), [])["school"]["name"] == "SMA Negeri 1 Pekanbaru"


def _expect_refused(store, keys, path, code, *fragments):
    before = _table_counts(store)
    with pytest.raises(AssignmentError) as err:
        _import(store, path, keys)
    assert err.value.code == code
    for fragment in fragments:
        assert fragment in str(err.value)
    assert _table_counts(store) == before, "a refused bundle must change nothing"
    return str(err.value)


def test_tampered_content_fails_the_signature(store, keys, make_bundle, tmp_path):
    path = make_bundle()
    bundle = json.loads(path.read_text())
    bundle["content"]["applicants"][0]["name"] = "Someone Else"
    path.write_text(json.dumps(bundle))
    _expect_refused(store, keys, path, "assignment.signature", "pinned HQ key", "nothing was imported")


def test_bundle_signed_by_another_key_is_refused(store, keys, make_bundle):
    path = make_bundle(signer=Ed25519PrivateKey.generate())
    _expect_refused(store, keys, path, "assignment.signature")


def test_reindented_bundle_still_verifies(store, keys, make_bundle):
    path = make_bundle()
    path.write_text(json.dumps(json.loads(path.read_text()), indent=4, sort_keys=True))
    assert _import(store, path, keys).outcome == "imported"


@pytest.mark.parametrize("cut", [0, 1, 100, -200, -1])
def test_truncated_file_is_refused_with_its_position(store, keys, make_bundle, cut):
    path = make_bundle()
    data = path.read_bytes()
    path.write_bytes(data[:cut] if cut >= 0 else data[:cut - 1])
    message = _expect_refused(store, keys, path, "assignment.json", str(path), "line")
    assert "truncated" in message or "malformed" in message


def test_not_utf8_is_refused(store, keys, tmp_path):
    path = tmp_path / "latin1.json"
    path.write_bytes(b'{"format": "caf\xe9"}')
    _expect_refused(store, keys, path, "assignment.encoding")


def test_missing_file_is_refused(store, keys, tmp_path):
    _expect_refused(store, keys, tmp_path / "nope.json", "assignment.missing", "not found")


def test_wrong_shape_and_format(store, keys, tmp_path):
    path = tmp_path / "list.json"
    path.write_text("[1, 2]")
    _expect_refused(store, keys, path, "assignment.shape")
    path.write_text(json.dumps({"format": "sinopsis-assignment/9", "content": {}, "signature": ""}))
    _expect_refused(store, keys, path, "assignment.format")


def test_assignment_for_another_station_is_refused(store, keys, make_bundle):
    path = make_bundle(edit=lambda c: c.update(station_id="st-pku-02"))
    _expect_refused(store, keys, path, "assignment.station", "st-pku-02")


def test_duplicate_nik_names_both_applicants(store, keys, make_bundle, applicants):
    def dup(content):
        content["applicants"][5]["nik"] = content["applicants"][2]["nik"]
        content["applicants"][5]["birth_date"] = content["applicants"][2]["birth_date"]
        content["applicants"][5]["sex"] = content["applicants"][2]["sex"]
    message = _expect_refused(store, keys, make_bundle(edit=dup), "assignment.roster", "applicant #6",
                              "duplicate NIK", "also applicant #3")
    assert applicants[2]["nik"] not in message, "full NIKs never appear in messages"


def test_invalid_nik_is_named(store, keys, make_bundle, applicants):
    def bad(content):
        content["applicants"][3]["nik"] = "9971" + content["applicants"][3]["nik"][4:]  # no such province
    _expect_refused(store, keys, make_bundle(edit=bad), "assignment.roster",
                    f"application {applicants[3]['application_id']}")


def test_birth_date_disagreeing_with_nik(store, keys, make_bundle, applicants):
    def shift(content):
        a = content["applicants"][4]
        a["birth_date"] = (dt.date.fromisoformat(a["birth_date"]) - dt.timedelta(days=3)).isoformat()
    _expect_refused(store, keys, make_bundle(edit=shift), "assignment.roster", "applicant #5", "birth date")


def test_under_16_applicant_is_refused(store, keys, make_bundle):
    def young(content):
        a = content["applicants"][0]
        born = dt.date(2010, 11, 26)  # turns 16 the day after the recording date
        a["birth_date"] = born.isoformat()
        day = born.day + (40 if a["sex"] == "F" else 0)
        a["nik"] = a["nik"][:6] + f"{day:02d}{born.month:02d}{born.year % 100:02d}" + a["nik"][12:]
    _expect_refused(store, keys, make_bundle(edit=young), "assignment.roster", "applicant #1")


def test_schema_errors_name_the_applicant_and_field(store, keys, make_bundle, applicants):
    def breakit(content):
        content["applicants"][7]["birth_date"] = "31-02-2009"
        content["applicants"][9]["favourite_colour"] = "blue"
        del content["team"][0]["pin_hash"]
    message = _expect_refused(store, keys, make_bundle(edit=breakit), "assignment.schema",
                              "applicant #8", "birth_date", "applicant #10", "unknown field", "pin_hash")
    assert applicants[7]["name"] in message


def test_every_problem_is_listed_not_just_the_first(store, keys, make_bundle):
    def many(content):
        for a in content["applicants"][:3]:
            a["phone"] = "0761 21234"  # a landline: students give a mobile number
    message = _expect_refused(store, keys, make_bundle(edit=many), "assignment.roster")
    assert all(f"applicant #{i}" in message for i in (1, 2, 3))


def test_import_is_audited_and_chain_verifies(store, keys, make_bundle):
    _import(store, make_bundle(), keys)
    row = store.conn.execute("SELECT action, details FROM audit").fetchone()
    assert row["action"] == "assignment.import" and '"version":1' in row["details"]
    assert audit.verify(store.conn).ok
