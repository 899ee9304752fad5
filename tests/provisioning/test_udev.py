"""The kit's udev rules (provisioning/udev/): every rule parses (our parser for keys and operators, and udev's own
parser through `udevadm test` where it can run), every /dev/sinopsis name the kit's station.toml uses is made by
exactly one rule, each kit device gets exactly one name and the right group and mode, other devices get none, and
the USB ids agree with drivers/discovery.py."""

import fnmatch
import re
import shutil
import subprocess
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from drivers.discovery import USB_KINDS
from provisioning import kit_image

UDEV = Path(__file__).resolve().parents[2] / "provisioning" / "udev"
RULE_FILES = sorted(UDEV.glob("*.rules"))
TOKEN = re.compile(r'\s*([A-Z_]+)(?:\{([^}]*)\})?\s*(==|!=|\+=|-=|:=|=)\s*"((?:[^"\\]|\\.)*)"\s*(,|$)')
MATCH_KEYS = {"ACTION", "DEVPATH", "KERNEL", "KERNELS", "SUBSYSTEM", "SUBSYSTEMS", "DRIVER", "DRIVERS", "ATTR",
              "ATTRS", "SYSCTL", "ENV", "TAG", "TAGS", "TEST", "PROGRAM", "RESULT", "NAME", "SYMLINK", "CONST"}
ASSIGN_KEYS = {"NAME", "SYMLINK", "OWNER", "GROUP", "MODE", "ATTR", "SYSCTL", "ENV", "TAG", "RUN", "LABEL", "GOTO",
               "IMPORT", "OPTIONS", "SECLABEL"}
WITH_ATTRIBUTE = {"ATTR", "ATTRS", "ENV", "SYSCTL", "TEST", "IMPORT", "RUN", "SECLABEL", "CONST"}


@dataclass
class Rule:
    where: str
    matches: list[tuple[str, str | None, str, str]] = field(default_factory=list)  # key, attribute, op, value
    assigns: list[tuple[str, str | None, str, str]] = field(default_factory=list)

    def assigned(self, key: str, attr: str | None = None) -> list[str]:
        return [v for k, a, _op, v in self.assigns if k == key and a == attr]


def parse_rules(path: Path) -> list[Rule]:
    """Each rule line as key/operator/value tokens; anything that is not `KEY[{attr}]OP"value"` fails."""
    rules = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        assert not line.endswith("\\"), f"{path.name}:{number}: no continuation lines"
        rule, pos = Rule(f"{path.name}:{number}"), 0
        while pos < len(line):
            m = TOKEN.match(line, pos)
            assert m, f"{rule.where}: cannot parse from column {pos}: {line[pos:]!r}"
            key, attr, op, value, _sep = m.groups()
            if key in {"ATTR", "ATTRS", "ENV", "SYSCTL"}:
                assert attr, f"{rule.where}: {key} needs {{attribute}}"
            elif key not in WITH_ATTRIBUTE:
                assert attr is None, f"{rule.where}: {key} takes no {{attribute}}"
            if op in ("==", "!="):
                assert key in MATCH_KEYS, f"{rule.where}: {key} cannot be matched"
                rule.matches.append((key, attr, op, value))
            else:
                assert key in ASSIGN_KEYS, f"{rule.where}: {key} cannot be assigned"
                assert op != "-=" or key == "SYMLINK", f"{rule.where}: -= only for SYMLINK"
                rule.assigns.append((key, attr, op, value))
            pos = m.end()
        assert rule.matches, f"{rule.where}: a rule without a match applies to every device"
        rules.append(rule)
    return rules


ALL_RULES = [rule for path in RULE_FILES for rule in parse_rules(path)]
DEVICE_RULES = parse_rules(UDEV / "99-sinopsis.rules")


def _glob(pattern: str, value: str | None) -> bool:
    return value is not None and any(fnmatch.fnmatchcase(value, alt) for alt in pattern.split("|"))


def matches(rule: Rule, device: dict) -> bool:
    """udev's matching for the keys our rules use: a device is its subsystem, kernel name, own attributes
    (ATTR), attributes of it or a parent (ATTRS) and properties (ENV)."""
    for key, attr, op, value in rule.matches:
        if key == "ATTRS":
            found = any(_glob(value, level.get(attr)) for level in device.get("parents", [])) or \
                _glob(value, device.get("attr", {}).get(attr))
        else:
            actual = {"SUBSYSTEM": device.get("subsystem"), "KERNEL": device.get("kernel"),
                      "ATTR": device.get("attr", {}).get(attr), "ENV": device.get("env", {}).get(attr)}[key]
            found = _glob(value, actual)
        if found != (op == "=="):
            return False
    return True


def usb(vid: str, pid: str) -> dict:
    return {"subsystem": "usb", "kernel": "1-1", "env": {"DEVTYPE": "usb_device"},
            "attr": {"idVendor": vid, "idProduct": pid}}


def tty(kernel: str, vid: str, pid: str, serial: str | None = None) -> dict:
    usb_device = {"idVendor": vid, "idProduct": pid} | ({"serial": serial} if serial else {})
    return {"subsystem": "tty", "kernel": kernel, "parents": [{}, usb_device]}


KIT = {
    "fingerprint": [usb("1491", "0020"), usb("1491", "0025")],
    "iris": [usb("2808", "0001"), usb("2808", "f001")],
    "signature-pad": [tty("ttyUSB3", "0403", "6001", "TOPAZBSB")],  # a Topaz pad behind its FTDI bridge
    "qr-scanner": [tty("ttyACM1", "0000", "0002"), tty("ttyUSB0", "0000", "0002")],
    "printer": [{"subsystem": "usbmisc", "kernel": "lp0"}],
    "camera": [{"subsystem": "video4linux", "kernel": "video0", "attr": {"index": "0"},
                "env": {"ID_V4L_CAPABILITIES": ":capture:"}}],
}
NOT_KIT = [
    usb("046d", "c52b"),  # a keyboard receiver
    {"subsystem": "usb", "kernel": "1-1:1.0", "env": {"DEVTYPE": "usb_interface"},
     "attr": {"idVendor": "1491", "idProduct": "0020"}},  # the scanner's interface, not the device
    tty("ttyACM0", "2341", "0043"),  # an Arduino
    tty("ttyUSB2", "0403", "6001", "A50285BI"),  # another device's FTDI bridge: not the signature pad
    {"subsystem": "tty", "kernel": "ttyS0"},
    {"subsystem": "video4linux", "kernel": "video1", "attr": {"index": "1"}, "env": {"ID_V4L_CAPABILITIES": ":"}},
    {"subsystem": "input", "kernel": "event3", "env": {"ID_INPUT_KEYBOARD": "1"}},
]


def symlinks(device: dict) -> list[str]:
    return [link for rule in DEVICE_RULES if matches(rule, device) for link in rule.assigned("SYMLINK")]


def test_every_rule_parses_and_names_a_kit_device_safely():
    assert [p.name for p in RULE_FILES] == ["99-sinopsis-touchscreen.rules", "99-sinopsis.rules"]
    for rule in DEVICE_RULES:
        links = rule.assigned("SYMLINK")
        assert len(links) == 1 and links[0].startswith("sinopsis/"), rule.where
        assert [op for k, _a, op, _v in rule.assigns if k == "SYMLINK"] == ["+="], f"{rule.where}: add, not replace"
        assert rule.assigned("GROUP") == ["sinopsis-kit"], rule.where
        mode = rule.assigned("MODE")
        assert mode == ["0660"], f"{rule.where}: {mode}"
        assert int(mode[0], 8) & 0o007 == 0, f"{rule.where}: no world access"


def test_each_kit_device_gets_exactly_one_name_and_others_none():
    for name, devices in KIT.items():
        for device in devices:
            assert symlinks(device) == [f"sinopsis/{name}"], device
    for device in NOT_KIT:
        assert symlinks(device) == [], device


def test_the_kit_config_names_only_symlinks_made_by_exactly_one_rule():
    config = tomllib.loads(kit_image.render_station_toml())
    named = {k: v for k, v in config["devices"].items() if isinstance(v, str) and v.startswith("/dev/")}
    assert set(named) == {"camera", "signature_pad", "qr_scanner", "printer"}
    for key, path in named.items():
        assert path.startswith("/dev/sinopsis/"), f"devices.{key} must use the stable name, not {path}"
        makers = [r.where for r in DEVICE_RULES if f"sinopsis/{path.removeprefix('/dev/sinopsis/')}"
                  in r.assigned("SYMLINK")]
        assert len(makers) == 1, f"{path} is made by {makers}"


def test_usb_ids_agree_with_discovery():
    ids: dict[str, set[str]] = {}
    for rule in DEVICE_RULES:
        attrs = {a: v for k, a, _op, v in rule.matches if k == "ATTR"}
        if "idVendor" in attrs:
            name = rule.assigned("SYMLINK")[0].removeprefix("sinopsis/")
            ids[name] = {f"{attrs['idVendor']}:{p}" for p in attrs["idProduct"].split("|")}
    for kind in ("fingerprint", "iris"):
        assert ids[kind] == {k for k, v in USB_KINDS.items() if v == kind}, kind


def test_touchscreen_calibration_is_an_identity_placeholder():
    (rule,) = parse_rules(UDEV / "99-sinopsis-touchscreen.rules")
    matrix = rule.assigned("ENV", "LIBINPUT_CALIBRATION_MATRIX")
    assert matrix == ["1 0 0 0 1 0"]
    assert ("ENV", "ID_INPUT_TOUCHSCREEN", "==", "1") in rule.matches


def _can_use_udevadm_test() -> bool:
    if not (shutil.which("udevadm") and shutil.which("unshare")):
        return False
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True)
    return probe.returncode == 0 and Path("/sys/devices/virtual/mem/null").exists()


@pytest.mark.skipif(not _can_use_udevadm_test(), reason="needs udevadm and a private mount namespace (root)")
def test_udevs_own_parser_accepts_the_rules(tmp_path):
    """systemd 252's udevadm has no `verify`: `udevadm test` loads every rules file and names each line it rejects.
    Our files go into /run/udev/rules.d on a private /run (unshare -m, tmpfs), with a private /etc/group that has
    the kit's group (on the kit, systemd-sysusers creates it), so nothing on this machine changes."""
    rules = tmp_path / "rules.d"
    rules.mkdir()
    for path in RULE_FILES:
        shutil.copy(path, rules / path.name)
    group = tmp_path / "group"
    group.write_text(Path("/etc/group").read_text() + "sinopsis-kit:x:64999:\n")
    # a tmpfs over /run inside the namespace: udevadm test writes its database there, and none of it may leak out
    script = ("mount -t tmpfs sinopsis-test /run && mkdir -p /run/udev/rules.d && "
              "mount --bind \"$1\" /run/udev/rules.d && mount --bind \"$2\" /etc/group && "
              "udevadm test --action=add /sys/devices/virtual/mem/null")
    run = subprocess.run(["unshare", "-m", "sh", "-c", script, "sh", str(rules), str(group)],
                         capture_output=True, text=True, timeout=60)
    log = run.stdout + run.stderr
    assert run.returncode == 0, log
    for path in RULE_FILES:
        assert f"Reading rules file: /run/udev/rules.d/{path.name}" in log
    complaints = [line for line in log.splitlines() if "/run/udev/rules.d/" in line and "Reading rules" not in line]
    assert complaints == []
