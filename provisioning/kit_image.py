"""The file tree of a recording kit's image: everything under /etc that turns a fresh Debian 12 into a kit that
boots straight into the kiosk (docs/kiosk-image.md).

`build_tree(root)` writes, under `root` (a scratch folder for a dry run and the tests, "/" on the kit itself):
the systemd units (systemd/sinopsis-kiosk.service, sinopsis-agent.service), their enablement symlinks, the
default target (graphical), getty@tty1 masked, the kit's time zone (/etc/localtime and /etc/timezone: WIB for
Pekanbaru, the time slips, the status bar and the day summary show), the udev rules (provisioning/udev/), the kit's
/etc/sinopsis/station.toml (from provisioning/image/station.toml.in: the /dev/sinopsis names, TLS on), and the
static files of provisioning/image/rootfs/ (sysusers.d, journald and logind drop-ins, GRUB's kernel command line).

Idempotent: a file already holding the right bytes, or a symlink already pointing the right way, is left alone;
a second run changes nothing. The station.toml is the one file the kit changes after the image (enrolment sets
the id, a technician the broker): an existing one that differs is kept unless `replace_config`.
"""

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
KIT_UNITS = {"sinopsis-kiosk.service": "graphical.target", "sinopsis-agent.service": "multi-user.target"}
# Installed but not enabled: a kit with the second, student-facing display enables it (docs/operations.md, "Two
# displays"): `systemctl enable --now sinopsis-checkin.service`.
KIT_OPTIONAL_UNITS = ("sinopsis-checkin.service",)
RULES = ("99-sinopsis.rules", "99-sinopsis-touchscreen.rules")
STATION_TOML = "etc/sinopsis/station.toml"
DEFAULT_STATION_ID = "st-kit-unenrolled"
DEFAULT_BROKER_HOST = "mqtt.sinopsis.invalid"
DEFAULT_BROKER_PORT = 8883
# The zone of the kit's clock as people read it (slips, status bar, reprints; records are stamped in UTC). Pekanbaru
# is WIB (UTC+7); a kit for another province is built with its own (`sinopsis image build --timezone`).
KIT_TIMEZONE = "Asia/Jakarta"
# Indonesia's zones, and how a clock in each reads (`%Z %z`): the boot check expects the kit's to read so.
INDONESIA_ZONES = {"Asia/Jakarta": "WIB +0700", "Asia/Pontianak": "WIB +0700", "Asia/Makassar": "WITA +0800",
                   "Asia/Jayapura": "WIT +0900"}
INSTALL_DIR = "/opt/sinopsis"  # where build-image.sh puts the checkout and its .venv (the units' ExecStart)


@dataclass
class TreeReport:
    """What build_tree did, path by path (relative to the root)."""

    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # differed, left as the kit has it (station.toml)

    @property
    def changed(self) -> bool:
        return bool(self.written)


def render_station_toml(station_id: str = DEFAULT_STATION_ID, broker_host: str = DEFAULT_BROKER_HOST,
                        broker_port: int = DEFAULT_BROKER_PORT, project: Path = PROJECT) -> str:
    """The kit's station.toml from the template; checked by station.config so a bad id or port fails here."""
    from station.config import parse_config

    text = (project / "provisioning" / "image" / "station.toml.in").read_text(encoding="utf-8")
    text = (text.replace("@STATION_ID@", station_id).replace("@BROKER_HOST@", broker_host)
            .replace("@BROKER_PORT@", str(int(broker_port))))
    parse_config(tomllib.loads(text), source="station.toml (image template)")
    return text


def planned_files(project: Path = PROJECT, station_toml: str | None = None,
                  timezone: str = KIT_TIMEZONE) -> dict[str, bytes]:
    """Every regular file of the tree: relative path → content."""
    files: dict[str, bytes] = {"etc/timezone": f"{timezone}\n".encode()}  # Debian's name of the zone
    for unit in (*KIT_UNITS, *KIT_OPTIONAL_UNITS):
        files[f"etc/systemd/system/{unit}"] = (project / "systemd" / unit).read_bytes()
    for rules in RULES:
        files[f"etc/udev/rules.d/{rules}"] = (project / "provisioning" / "udev" / rules).read_bytes()
    rootfs = project / "provisioning" / "image" / "rootfs"
    for path in sorted(p for p in rootfs.rglob("*") if p.is_file()):
        files[path.relative_to(rootfs).as_posix()] = path.read_bytes()
    files[STATION_TOML] = (station_toml if station_toml is not None else render_station_toml(project=project)).encode()
    return files


def planned_links(timezone: str = KIT_TIMEZONE) -> dict[str, str]:
    """Every symlink of the tree: relative path → target (what `systemctl enable/mask/set-default` and
    `timedatectl set-timezone` would make)."""
    if timezone not in INDONESIA_ZONES:
        raise ValueError(f"time zone {timezone!r}: a kit's is one of Indonesia's, {', '.join(INDONESIA_ZONES)}")
    links = {f"etc/systemd/system/{target}.wants/{unit}": f"/etc/systemd/system/{unit}"
             for unit, target in KIT_UNITS.items()}
    links["etc/localtime"] = f"/usr/share/zoneinfo/{timezone}"
    links["etc/systemd/system/getty@tty1.service"] = "/dev/null"  # masked: tty1 is the kiosk's
    links["etc/systemd/system/default.target"] = "/lib/systemd/system/graphical.target"
    return links


def build_tree(root: Path, station_id: str = DEFAULT_STATION_ID, broker_host: str = DEFAULT_BROKER_HOST,
               broker_port: int = DEFAULT_BROKER_PORT, replace_config: bool = False,
               project: Path = PROJECT, timezone: str = KIT_TIMEZONE) -> TreeReport:
    """Write the kit's tree under `root` (see the module doc); returns what was written, unchanged or kept.
    ValueError for a time zone that is not one of Indonesia's (before anything is written)."""
    root = Path(root)
    report = TreeReport()
    links = planned_links(timezone)
    files = planned_files(project, render_station_toml(station_id, broker_host, broker_port, project), timezone)
    for rel, content in files.items():
        path = root / rel
        if path.is_file() and not path.is_symlink() and path.read_bytes() == content:
            report.unchanged.append(rel)
            continue
        if rel == STATION_TOML and path.exists() and not replace_config:
            report.kept.append(rel)
            continue
        _write(path, content)
        report.written.append(rel)
    for rel, target in links.items():
        path = root / rel
        if path.is_symlink() and str(path.readlink()) == target:
            report.unchanged.append(rel)
            continue
        _system_dirs(path.parent)
        if path.is_symlink() or path.exists():
            path.unlink()
        path.symlink_to(target)
        report.written.append(rel)
    own = root / Path(STATION_TOML).parent  # the image's own folder: put right on a kit an older recipe made 0700
    if own.is_dir() and own.stat().st_mode & 0o777 != 0o755:
        own.chmod(0o755)
    return report


def _system_dirs(folder: Path) -> None:
    """Make `folder` and its missing parents 0755, as Debian's own /etc folders are, whatever the umask (the CLI
    runs with 0077): a 0700 /etc/sinopsis kept the kiosk's and agent's user from reading station.toml, found by
    booting the image (issue 23)."""
    if folder.is_dir():
        return
    _system_dirs(folder.parent)
    folder.mkdir(exist_ok=True)
    folder.chmod(0o755)


def _write(path: Path, content: bytes) -> None:
    """Temp file, fsync, rename: a power cut while provisioning leaves the old file or the new one."""
    _system_dirs(path.parent)
    if path.is_symlink():
        path.unlink()
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("wb") as f:
        f.write(content)
        f.flush()
        os.fsync(f.fileno())
    tmp.chmod(0o644)
    tmp.replace(path)
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
