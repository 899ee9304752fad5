"""`sinopsis station …` through the real command line: exit codes and messages a technician acts on."""

import json
import subprocess
import sys

import pytest

from sinopsis.cli import build_parser, main


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sinopsis", *args], capture_output=True, text=True, timeout=120)


def test_config_check_valid_and_invalid(tmp_path):
    good = tmp_path / "good.toml"
    good.write_text('[station]\nid = "st-pku-07"\n[capture.thresholds]\nfinger = 45\n')
    result = _run("station", "config", "check", str(good))
    assert result.returncode == 0 and "valid" in result.stdout

    bad = tmp_path / "bad.toml"
    bad.write_text('[capture.thresholds]\nfinger = 140\n[sesion]\nidle_logout_s = 60\n')
    result = _run("station", "config", "check", str(bad))
    assert result.returncode == 2
    assert f"{bad}: capture.thresholds.finger: Input should be less than or equal to 100 (got 140)" in result.stderr
    assert f"{bad}: sesion: unknown key" in result.stderr

    broken = tmp_path / "broken.toml"
    broken.write_text('[station\nid = "x"\n')
    result = _run("station", "config", "check", str(broken))
    assert result.returncode == 2 and "not valid TOML" in result.stderr and "line 1" in result.stderr


def test_import_checkin_status_check_and_audit(tmp_path, station_config, make_bundle, applicants, capsys):
    cfg = ["--config", str(tmp_path / "station.toml")]
    assert main(["station", "assignment", "import", str(make_bundle()), *cfg]) == 0
    assert "imported; 24 applicants" in capsys.readouterr().out
    a = applicants[0]
    assert main(["station", "checkin", "--application", a["application_id"], "--phone", a["phone"], *cfg]) == 0
    assert "queue number 1" in capsys.readouterr().out
    assert main(["station", "status", "--json", *cfg]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["records"]["checked_in"] == 1 and status["assignment"]["version"] == 1
    assert main(["station", "check", *cfg]) == 0
    assert main(["station", "audit", "verify", *cfg]) == 0
    assert "chain intact" in capsys.readouterr().out


def test_bad_assignment_exits_2_and_changes_nothing(tmp_path, station_config, make_bundle, capsys):
    cfg = ["--config", str(tmp_path / "station.toml")]
    path = make_bundle()
    path.write_bytes(path.read_bytes()[:500])
    assert main(["station", "assignment", "import", str(path), *cfg]) == 2
    assert "malformed JSON" in capsys.readouterr().err
    assert main(["station", "status", "--json", *cfg]) == 0
    assert json.loads(capsys.readouterr().out)["assignment"] is None


def test_check_and_audit_exit_1_on_problems(tmp_path, station_config, capturing, sealer):
    from sinopsis.demo import demo_captures

    sealed = sealer.seal_and_commit(capturing, demo_captures(), operator_id="OP-02")
    sealer.store.packet_path(sealed.packet_file).unlink()
    sealer.store.conn.executescript("DROP TRIGGER audit_no_update; UPDATE audit SET actor = 'nobody' WHERE id = 2;")
    cfg = ["--config", str(tmp_path / "station.toml")]
    result = _run("station", "check", *cfg)
    assert result.returncode == 1 and "is missing" in result.stdout
    result = _run("station", "audit", "verify", *cfg)
    assert result.returncode == 1 and "audit row 2: content was edited" in result.stdout


def test_each_command_is_found_in_its_own_module_alone():
    """A `sinopsis …` process registers only its command's module (sinopsis/cli COMMANDS): the table names exactly
    the commands each module adds, and every module is in it."""
    import argparse
    import importlib

    from sinopsis.cli import COMMAND_MODULES, COMMANDS

    for module in COMMAND_MODULES:
        sub = argparse.ArgumentParser().add_subparsers()
        importlib.import_module(module).register(sub)
        assert sorted(sub.choices) == sorted(c for c, m in COMMANDS.items() if m == module), module
    assert set(COMMANDS.values()) == set(COMMAND_MODULES)
    assert sorted(build_parser("hq")._subparsers._group_actions[0].choices) == ["hq"]
    assert sorted(build_parser(None)._subparsers._group_actions[0].choices) == sorted(COMMANDS)


def test_every_command_has_help():
    parser = build_parser()
    with pytest.raises(SystemExit) as exit_info:
        parser.parse_args(["--help"])
    assert exit_info.value.code == 0
    for command in (["station", "--help"], ["nik", "--help"], ["packet", "--help"], ["demo", "--help"]):
        result = _run(*command)
        assert result.returncode == 0 and "usage:" in result.stdout
