"""The systemd units in systemd/: `systemd-analyze verify` says nothing about any of them (it exits 0 on warnings,
so any output fails), `systemd-analyze security --offline=true` rates each at or below its threshold, and the
settings the kit depends on are there (notify + watchdog, tty1 under cage, shared state, the kit's devices only
for the kiosk, none for the agent).

verify checks that ExecStart's binary exists: the units run /opt/sinopsis/.venv/bin/sinopsis (where
build-image.sh installs), so each is verified as a copy pointing at this checkout's .venv/bin/sinopsis (the only
change; the test checks it made exactly one per ExecStart). /usr/bin/cage is Debian's `cage` (setup.sh)."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from provisioning.kit_image import INSTALL_DIR
from sinopsis.cli import build_parser

PROJECT = Path(__file__).resolve().parents[2]
UNITS = sorted((PROJECT / "systemd").glob("*.service"))
CHECKOUT_SINOPSIS = PROJECT / ".venv" / "bin" / "sinopsis"
# Exposure ceilings (0-100; `systemd-analyze security` shows them /10). What each unit reaches today, so a change
# that weakens one fails here. The kiosk needs devices, a tty, supplementary groups and W+X memory; the agent sees
# /dev (no PrivateDevices: it reports device presence) but may open nothing, and needs IP. The kiosk's UI watchdog
# pings as cage's child, which needs NotifyAccess=all (+0.2).
# the kiosk's and check-in display's 1.5: setuid/setgid allowed for Xwayland's keymap compiler (the units' comment)
THRESHOLDS = {"sinopsis-agent.service": 12, "sinopsis-kiosk.service": 15, "sinopsis-hq-web.service": 11,
              "sinopsis-hq-ingest@.service": 11, "sinopsis-checkin.service": 15}

needs_analyze = pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="needs systemd-analyze")


def render_for_checkout(unit: Path, folder: Path, name: str | None = None) -> Path:
    """A copy of `unit` in `folder` whose ExecStart runs this checkout's sinopsis instead of /opt/sinopsis's."""
    text = unit.read_text()
    wanted = f"{INSTALL_DIR}/.venv/bin/sinopsis"
    starts = [line for line in text.splitlines() if line.startswith("ExecStart=")]
    assert starts and all(wanted in line for line in starts if "sinopsis " in line), unit.name
    copy = folder / (name or unit.name)
    copy.write_text(text.replace(wanted, str(CHECKOUT_SINOPSIS)))
    assert text.count(wanted) == sum(line.count(wanted) for line in starts), "only ExecStart lines change"
    return copy


def settings(unit: Path) -> dict[str, list[str]]:
    """Key → every value it is given in the unit (systemd keys repeat)."""
    found: dict[str, list[str]] = {}
    for line in unit.read_text().splitlines():
        if line and not line.startswith(("#", "[")) and "=" in line:
            key, value = line.split("=", 1)
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def one(unit: Path, key: str) -> str:
    values = settings(unit)[key]
    assert len(values) == 1, f"{unit.name}: {key} given {len(values)} times"
    return values[0]


def unit(name: str) -> Path:
    return PROJECT / "systemd" / name


def verify(paths: list[Path]) -> str:
    run = subprocess.run(["systemd-analyze", "verify", *map(str, paths)], capture_output=True, text=True,
                         timeout=120)
    return f"exit {run.returncode}\n{run.stdout}{run.stderr}" if run.returncode or run.stdout or run.stderr else ""


@needs_analyze
def test_every_unit_verifies_without_a_word(tmp_path):
    assert {u.name for u in UNITS} == set(THRESHOLDS)
    copies = [render_for_checkout(u, tmp_path) for u in UNITS]
    template = unit("sinopsis-hq-ingest@.service")
    copies.append(render_for_checkout(template, tmp_path, "sinopsis-hq-ingest@1.service"))  # an instance too
    assert verify(copies) == ""


@needs_analyze
def test_verify_would_speak_up(tmp_path):
    """The check above means something: a typo and a missing binary both produce output."""
    broken = tmp_path / "sinopsis-agent.service"
    broken.write_text(unit("sinopsis-agent.service").read_text().replace("NoNewPrivileges=", "NoNewPrivilege="))
    assert "Unknown key" in verify([broken])
    assert "not executable" in verify([unit("sinopsis-agent.service")])  # /opt/sinopsis is not installed here


@needs_analyze
@pytest.mark.parametrize("name", sorted(THRESHOLDS))
def test_security_exposure_at_or_below_threshold(tmp_path, name):
    copy = render_for_checkout(unit(name), tmp_path)
    run = subprocess.run(["systemd-analyze", "security", "--offline=true", f"--threshold={THRESHOLDS[name]}",
                          "--no-pager", str(copy)], capture_output=True, text=True, timeout=120)
    level = re.search(r"Overall exposure level for \S+: (\d+\.\d)", run.stdout)
    assert level, run.stdout + run.stderr
    assert run.returncode == 0, f"{name}: exposure {level.group(1)} above {THRESHOLDS[name] / 10}\n{run.stdout}"


def test_agent_is_a_watched_notify_service_without_devices():
    agent = unit("sinopsis-agent.service")
    assert one(agent, "Type") == "notify" and one(agent, "NotifyAccess") == "main"
    assert one(agent, "WatchdogSec") == "60s" and one(agent, "Restart") == "always"
    assert one(agent, "ExecStart") == f"{INSTALL_DIR}/.venv/bin/sinopsis agent run"
    assert one(agent, "PrivateDevices") == "no", "it stats /dev/sinopsis/* for its health report"
    assert one(agent, "DevicePolicy") == "closed"
    assert "DeviceAllow" not in settings(agent) and "SupplementaryGroups" not in settings(agent)
    assert one(agent, "RestrictAddressFamilies") == "AF_INET AF_INET6 AF_UNIX"
    assert one(agent, "MemoryDenyWriteExecute") == "yes"


def test_kiosk_runs_under_cage_on_tty1_with_only_the_kit_devices():
    kiosk = unit("sinopsis-kiosk.service")
    assert one(kiosk, "ExecStart") == f"/usr/bin/cage -- {INSTALL_DIR}/.venv/bin/sinopsis station run"
    for key, value in {"PAMName": "login", "TTYPath": "/dev/tty1", "StandardInput": "tty",
                       "Conflicts": "getty@tty1.service", "Restart": "always", "DevicePolicy": "closed",
                       "RestrictAddressFamilies": "AF_UNIX AF_NETLINK", "IPAddressDeny": "any",
                       "MemoryDenyWriteExecute": "no"}.items():
        assert one(kiosk, key) == value, key
    allowed = {v.split()[0] for v in settings(kiosk)["DeviceAllow"]}
    # libusb scanners, USB-serial pad/QR scanner, usblp printer, V4L2 camera (the udev rules), GPU, input, tty1
    assert allowed == {"char-usb_device", "char-ttyACM", "char-ttyUSB", "char-usb", "char-video4linux", "char-drm",
                       "char-input", "/dev/tty1"}
    assert "sinopsis-kit" in one(kiosk, "SupplementaryGroups").split()


def test_the_check_in_display_runs_its_role_on_seat1_with_only_its_devices():
    checkin, kiosk = unit("sinopsis-checkin.service"), unit("sinopsis-kiosk.service")
    assert one(checkin, "ExecStart") == f"/usr/bin/cage -- {INSTALL_DIR}/.venv/bin/sinopsis station run --role checkin"
    assert any("XDG_SEAT=seat1" in v.split() for v in settings(checkin)["Environment"])
    assert "TTYPath" not in settings(checkin) and "Conflicts" not in settings(checkin)  # tty1 stays the console's
    for key in ("User", "Group", "StateDirectory", "UMask", "WatchdogSec", "NotifyAccess", "RestrictAddressFamilies",
                "IPAddressDeny", "PAMName"):
        assert one(checkin, key) == one(kiosk, key), key
    allowed = {v.split()[0] for v in settings(checkin)["DeviceAllow"]}
    # the QR scanner (USB serial), a usblp queue-slip printer, GPU and touch: no camera, no libusb scanners
    assert allowed == {"char-ttyACM", "char-ttyUSB", "char-usb", "char-drm", "char-input"}


def test_kiosk_and_agent_share_one_user_and_state_directory():
    kiosk, agent = unit("sinopsis-kiosk.service"), unit("sinopsis-agent.service")
    for key in ("User", "Group", "StateDirectory", "UMask"):
        assert one(kiosk, key) == one(agent, key), key
    assert one(agent, "StateDirectory") == "sinopsis"
    for u in (kiosk, agent):
        for key, value in {"ProtectSystem": "strict", "ProtectHome": "yes", "NoNewPrivileges": "yes",
                           "PrivateTmp": "yes", "CapabilityBoundingSet": "", "SystemCallFilter": "@system-service",
                           "Environment": "SINOPSIS_STATION_CONFIG=/etc/sinopsis/station.toml"}.items():
            assert any(v.split(" ")[0] == value or v == value for v in settings(u)[key]), (u.name, key)


def test_the_units_run_commands_that_exist():
    parser = build_parser()
    for u in UNITS:
        command = one(u, "ExecStart").split(f"{INSTALL_DIR}/.venv/bin/sinopsis ", 1)[1]
        args = [a for a in command.split() if "$" not in a and "%" not in a]
        if "--worker" in args:
            args = [*args[: args.index("--worker")], "--worker", "1"]
        parser.parse_args(args)  # SystemExit (a usage error) if the command changed under the unit
