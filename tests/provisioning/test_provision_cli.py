"""`sinopsis provision …` as a technician types it: CA, request on the kit, enrol at HQ, install on the kit,
renew, revoke, the broker's files and HQ's certificate; bad input exits 2 saying what to do; no key is printed."""

import json

from sinopsis.cli import main
from tests.provisioning.conftest import blank_kit


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "PRIVATE KEY" not in out + err, "a key was printed"
    return code, out, err


def test_a_kit_from_blank_to_enrolled_through_the_cli(hq, hq_keys, tmp_path, capsys):
    from hq.fleet.models import Station

    ca, usb = str(tmp_path / "ca"), tmp_path / "usb"
    code, out, _ = run(capsys, "provision", "ca", "init", "--ca", ca)
    assert code == 0 and "CA fingerprint" in out
    print_ = out.split("CA fingerprint (SHA-256), for `provision install --ca-fingerprint`: ")[1].strip()
    config = blank_kit(tmp_path / "kit", "st-cli-1")
    toml = str(tmp_path / "kit" / "station.toml")
    code, out, _ = run(capsys, "provision", "request", "--config", toml, "--out", str(usb / "request.json"))
    assert code == 0 and "provision enrol st-cli-1" in out
    code, out, err = run(capsys, "provision", "enrol", "st-cli-9", "--request", str(usb / "request.json"), "--out",
                         str(usb / "bundle.json"), "--data", str(hq), "--ca", ca)
    assert code == 2 and "not 'st-cli-9'" in err and not (usb / "bundle.json").exists()
    code, out, _ = run(capsys, "provision", "enrol", "st-cli-1", "--request", str(usb / "request.json"), "--out",
                       str(usb / "bundle.json"), "--data", str(hq), "--ca", ca, "--school", "SMA Negeri 8")
    assert code == 0 and "station st-cli-1 enrolled" in out and print_ in out
    code, out, _ = run(capsys, "provision", "install", str(usb / "bundle.json"), "--config", toml,
                       "--ca-fingerprint", print_)
    assert code == 0 and config.key_path("broker_cert").is_file()
    code, out, _ = run(capsys, "provision", "renew", "st-cli-1", "--out", str(usb / "renewed.json"),
                       "--data", str(hq), "--ca", ca)
    assert code == 0 and json.loads((usb / "renewed.json").read_text())["station_id"] == "st-cli-1"
    code, out, _ = run(capsys, "provision", "revoke", "st-cli-1", "--reason", "lost", "--data", str(hq), "--ca", ca)
    assert code == 0 and "2 certificate(s)" in out and "reload" in out
    assert Station.objects.get(pk="st-cli-1").revoked_reason == "lost"


def test_the_broker_and_hq_files_and_bad_input(tmp_path, capsys):
    ca = str(tmp_path / "ca")
    assert run(capsys, "provision", "ca", "init", "--ca", ca)[0] == 0
    code, _, err = run(capsys, "provision", "ca", "init", "--ca", ca)
    assert code == 2 and "a CA already exists" in err
    code, out, _ = run(capsys, "provision", "broker-config", "--ca", ca, "--dir", str(tmp_path / "broker"),
                       "--host", "mqtt.example", "--host", "10.0.0.5")
    assert code == 0 and (tmp_path / "broker" / "mosquitto.conf").is_file()
    assert "require_certificate true" in (tmp_path / "broker" / "mosquitto.conf").read_text()
    code, _, err = run(capsys, "provision", "broker-config", "--ca", ca, "--dir", str(tmp_path / "b2"))
    assert code == 2 and "--host" in err
    code, out, _ = run(capsys, "provision", "hq-cert", "--ca", ca, "--out-dir", str(tmp_path / "hq"))
    assert code == 0 and "SINOPSIS_HQ_MQTT_CERT=" in out and (tmp_path / "hq" / "hq-ingest.key.pem").is_file()
    code, _, err = run(capsys, "provision", "hq-cert", "--ca", ca, "--out-dir", str(tmp_path / "hq"), "--user", "st-1")
    assert code == 2 and "start with 'hq-'" in err
    code, _, err = run(capsys, "provision", "crl", "--ca", str(tmp_path / "no-ca"))
    assert code == 2 and "provision ca init" in err
    code, _, err = run(capsys, "provision", "install", str(tmp_path / "missing.json"), "--config",
                       str(blank_kit(tmp_path / "kit", "st-cli-2").station.data_dir.parent / "station.toml"))
    assert code == 2 and "cannot read the bundle" in err
