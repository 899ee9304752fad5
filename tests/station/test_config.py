"""station.toml: embedded defaults, relative paths, and every bad value named by file, key and reason."""

from pathlib import Path

import pytest

from contract.errors import ConfigError
from station.config import load_config, parse_config


def test_embedded_defaults(monkeypatch):
    monkeypatch.delenv("SINOPSIS_STATION_CONFIG", raising=False)
    if Path("/etc/sinopsis/station.toml").exists():
        pytest.skip("this machine has a system station.toml")
    config = load_config()
    assert (config.capture.thresholds.face, config.capture.thresholds.finger, config.capture.thresholds.iris) == (
        90, 40, 60)
    assert config.capture.max_attempts == 3 and config.roster.min_age == 16


def test_env_var_and_relative_paths(tmp_path, monkeypatch):
    path = tmp_path / "conf" / "station.toml"
    path.parent.mkdir()
    path.write_text('[station]\nid = "st-pku-02"\ndata_dir = "data"\n[keys]\nhq_packet_public_key = "/k/hq.pem"\n')
    monkeypatch.setenv("SINOPSIS_STATION_CONFIG", str(path))
    config = load_config()
    assert config.station.data_dir == tmp_path / "conf" / "data"
    assert config.key_path("station_signing_key") == tmp_path / "conf" / "data" / "keys" / "station_signing.pem"
    assert config.key_path("hq_packet_public_key") == Path("/k/hq.pem")


@pytest.mark.parametrize(("text", "expected"), [
    ('statoin = 1\n', "statoin: unknown key"),
    ('[capture]\nmax_atempts = 2\n', "capture.max_atempts: unknown key"),
    ('[capture.thresholds]\nfinger = 140\n', "capture.thresholds.finger: Input should be less than or equal to 100"
                                             " (got 140)"),
    ('[capture]\nmax_attempts = 0\n', "capture.max_attempts: Input should be greater than or equal to 1"),
    ('[broker]\nport = 70000\n', "broker.port"),
    ('[session]\nidle_logout_s = "abc"\n', "session.idle_logout_s"),
    ('[station]\nid = "Station 1!"\n', "station.id"),
    ('[station\n', "not valid TOML"),
    ('[devices]\nfingerprint_sdk = "libScanAPI.so"\n', 'devices.fingerprint_sdk: must be "sim" or an'
                                                        ' absolute path'),
    ('[devices]\niris_sdk = "lib/libIddk2000.so"\n', "devices.iris_sdk"),
    ('[devices]\ncamera_sdk = "sim"\n', "devices.camera_sdk: unknown key"),
])
def test_bad_config_names_file_key_and_reason(tmp_path, text, expected):
    path = tmp_path / "station.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert str(path) in str(err.value) and expected in str(err.value)


def test_unreadable_files(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "none.toml")
    latin = tmp_path / "latin.toml"
    latin.write_bytes(b'[helpdesk]\ncall_centre = "caf\xe9"\n')
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(latin)


def test_every_error_is_listed():
    with pytest.raises(ConfigError) as err:
        parse_config({"capture": {"max_attempts": 0, "timeout_s": 0}}, "x.toml")
    assert "capture.max_attempts" in str(err.value) and "capture.timeout_s" in str(err.value)


def test_devices_default_to_the_simulators_and_resolve_paths(tmp_path, monkeypatch):
    from native.vendor import SIM_DIR, resolve_sdk_path

    config = parse_config({})
    assert (config.devices.fingerprint_sdk, config.devices.iris_sdk, config.devices.sim_script) == ("sim", "sim", None)
    assert resolve_sdk_path(config.devices.fingerprint_sdk, "libScanAPI.so") == SIM_DIR / "libScanAPI.so"
    path = tmp_path / "station.toml"
    path.write_text('[devices]\nfingerprint_sdk = "/opt/futronic/lib/libScanAPI.so"\nsim_script = "sim.txt"\n')
    config = load_config(path)
    assert resolve_sdk_path(config.devices.fingerprint_sdk, "libScanAPI.so") == Path("/opt/futronic/lib/libScanAPI.so")
    assert config.devices.iris_sdk == "sim"
    assert config.devices.sim_script == tmp_path / "sim.txt"
