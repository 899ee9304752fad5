"""`sinopsis image boot-check`: the kit's image, made by its real recipe, booted with systemd and checked from
outside (issue 23).

1. HQ on the host's loopback (sinopsis/boot_hq.py): migrated, its CA, the TLS broker, an ingest worker.
2. The kit's root file system from `provisioning/image/build-image.sh --debootstrap` (Debian 12, the recipe's
   packages, the checkout and its venv in /opt/sinopsis, the units enabled), pointed at that broker, plus one
   drop-in used only here: cage on its headless backend (no display, no input devices in a container); the
   vendors' SDK libraries, which are not redistributable, are stood in for by the project's simulators of them.
3. Booted under `systemd-nspawn -b` (sinopsis/boot_kit.py), enrolled the way a technician does it (`provision
   request` on the kit as its user, `provision enrol` at HQ, `provision install` on the kit), then checked: the
   boot ends with no failed unit; the kiosk runs cage with the kiosk inside as its own user and a screenshot of
   its screen is not blank; the agent's station is online at HQ; a kiosk stopped with SIGSTOP is restarted by its
   watchdog; `systemd-analyze security` of each unit inside the booted kit is at most 4.5; the kit's user reads
   local time in WIB (the image's zone: the container keeps it, `--timezone=off`).

Then a record sealed inside the kit (sinopsis/boot_records.py) reaches HQ, and a power cut while a second one is
sealed loses and duplicates nothing; and the agent's sd_notify outlives systemd's notify socket gone for a while
(its pings go through again, no restart). Needs root, systemd-nspawn and debootstrap (installed when missing).
"""

import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from provisioning.kit_image import INDONESIA_ZONES, INSTALL_DIR, KIT_TIMEZONE
from sinopsis.boot_hq import LocalHq
from sinopsis.boot_kit import BootedKit, BootError
from sinopsis.boot_records import STATION_ID, hand_assignment, power_cut, record_reaches_hq
from sinopsis.boot_report import Check, Report, wait_for
from sinopsis.signals import run_child

PROJECT = Path(__file__).resolve().parents[1]
UNITS = ("sinopsis-kiosk.service", "sinopsis-agent.service")
INSTALLED = (*UNITS, "sinopsis-checkin.service")  # the check-in display's: installed, enabled on two-display kits
MAX_EXPOSURE = 4.5
WATCHDOG_MARGIN_S = 6.0  # beyond the unit's WatchdogSec + RestartSec: polling and the restart itself
HEADLESS = """# Only for `sinopsis image boot-check` (sinopsis/boot_check.py): a container has no display and no input
# devices, so cage draws into memory (wlroots' headless backend, pixman) and its socket lives in a runtime folder.
[Service]
Environment=WLR_BACKENDS=headless WLR_RENDERER=pixman WLR_LIBINPUT_NO_DEVICES=1 XDG_RUNTIME_DIR=/run/sinopsis-kiosk
RuntimeDirectory=sinopsis-kiosk
RuntimeDirectoryMode=0700
StandardInput=null
"""


def _check(report: Report, name: str, probe: Callable[[], tuple[bool, str]]) -> bool:
    start = time.monotonic()
    try:
        ok, detail = probe()
    except (BootError, RuntimeError, OSError, ValueError) as e:
        ok, detail = False, str(e)[-600:]
    report.checks.append(Check(name, ok, detail, time.monotonic() - start))
    return ok


def build_root(root: Path, broker_port: int, log: Path) -> None:
    """The kit's root file system by the real recipe, pointed at the host's broker."""
    with log.open("ab") as out:
        done = run_child(["bash", str(PROJECT / "provisioning/image/build-image.sh"), "--debootstrap", str(root),
                          "--station-id", STATION_ID, "--broker-host", "127.0.0.1", "--broker-port",
                          str(broker_port), "--replace-config"], stdout=out, stderr=out, timeout=1800)
    if done.returncode != 0:
        raise RuntimeError(f"build-image.sh --debootstrap exited {done.returncode}: see {log}")
    shutil.rmtree(root / "var/lib/sinopsis", ignore_errors=True)  # a kit fresh from the image, never enrolled
    for library in ("libScanAPI.so", "libIddk2000.so"):  # the vendors' SDKs are not ours to ship: the project's
        stand_in = root / "opt/sinopsis/vendor" / library  # simulators of their symbols stand where a kit has them
        stand_in.unlink(missing_ok=True)
        stand_in.symlink_to(f"/opt/sinopsis/native/sim/{library}")
    dropin = root / "etc/systemd/system/sinopsis-kiosk.service.d"
    dropin.mkdir(parents=True, exist_ok=True)
    (dropin / "boot-check.conf").write_text(HEADLESS)


def enrol(kit: BootedKit, hq: LocalHq, root: Path) -> tuple[bool, str]:
    """The technician's enrolment: request on the kit (as its user), enrol at HQ, install on the kit."""
    state = "/var/lib/sinopsis"
    cli = "/opt/sinopsis/.venv/bin/sinopsis"
    kit.run(cli, "provision", "request", "--config", "/etc/sinopsis/station.toml", "--out",
            f"{state}/enrol-request.json", user="sinopsis")
    bundle = root / state.lstrip("/") / "bundle.json"
    hq.enrol(STATION_ID, root / state.lstrip("/") / "enrol-request.json", bundle)
    owner = (root / state.lstrip("/")).stat()
    os.chown(bundle, owner.st_uid, owner.st_gid)  # handed to the kit's user, as a technician's USB copy is
    kit.run(cli, "provision", "install", f"{state}/bundle.json", "--config", "/etc/sinopsis/station.toml",
            "--ca-fingerprint", hq.ca_fingerprint, user="sinopsis")
    kit.run("systemctl", "restart", *UNITS)
    online = wait_for(lambda: hq.station(STATION_ID)[0] == "online", 90)
    return bool(online), f"HQ holds station {STATION_ID} as {hq.station(STATION_ID)[0]}"


def _kiosk_pid(kit: BootedKit) -> int:
    """The kiosk's own process (cage's child running `sinopsis station run`), or 0. Read from /proc with `cat`:
    the kit's minimal Debian has no procps (pgrep, ps)."""
    cage = kit.run("systemctl", "show", "-P", "MainPID", "sinopsis-kiosk.service").stdout.strip()
    if not cage.isdigit() or cage == "0":
        return 0
    for child in kit.run("cat", f"/proc/{cage}/task/{cage}/children", check=False).stdout.split():
        command = kit.run("cat", f"/proc/{child}/cmdline", check=False).stdout
        if child.isdigit() and "station\x00run" in command:
            return int(child)  # not (sd-pam), the session's helper, nor Xwayland
    return 0


def kiosk_runs(kit: BootedKit, root: Path, report: Report) -> tuple[bool, str]:
    """cage with the kiosk inside, as the kiosk's user; a screenshot of its screen that is not blank."""
    pid = wait_for(lambda: _kiosk_pid(kit), 90)
    if not pid:
        return False, "no kiosk process under cage: " + kit.run("journalctl", "-u", "sinopsis-kiosk", "-n", "15",
                                                                "--no-pager", check=False).stdout[-1500:]
    owner = kit.run("stat", "-c", "%U", f"/proc/{pid}").stdout.strip()
    kit.run("apt-get", "install", "-y", "-qq", "grim", timeout_s=300)  # the check's tool, not the kit's
    shot = root / "var/lib/sinopsis/boot-check-kiosk.png"
    import cv2  # only here: the host's OpenCV reads the screenshot

    def drawn() -> float:  # the welcome screen drawn: Kivy takes a few seconds to start on pixman
        kit.run("env", "XDG_RUNTIME_DIR=/run/sinopsis-kiosk", "WAYLAND_DISPLAY=wayland-0", "grim",
                "/var/lib/sinopsis/boot-check-kiosk.png", user="sinopsis", check=False)  # the kiosk user's folder
        image = cv2.imread(str(shot))
        return float(image.std()) if image is not None else 0.0

    spreads = [0.0]
    wait_for(lambda: spreads.append(drawn()) or spreads[-1] > 5, 90, 2.0)
    spread = spreads[-1]
    report.kiosk_screenshot = str(shot)
    return owner == "sinopsis" and spread > 5, (f"kiosk pid {pid} runs as {owner}; screenshot {shot} (pixel "
                                                f"spread {spread:.1f})")


def _seconds(text: str) -> float:
    """A systemd time span as `systemctl show` prints it (30s, 1min 30s, 500ms) in seconds."""
    units = {"ms": 0.001, "s": 1, "min": 60, "h": 3600}
    return sum(float(n) * units[u] for n, u in re.findall(r"(\d+(?:\.\d+)?)(ms|s|min|h)", text))


def watchdog(kit: BootedKit, report: Report) -> tuple[bool, str]:
    """SIGSTOP the kiosk: its UI stops pinging WATCHDOG=1 and systemd restarts the unit within its WatchdogSec
    (counted from the last ping, so at most that long after the stop) and RestartSec."""
    unit = "sinopsis-kiosk.service"
    bound = sum(_seconds(kit.run("systemctl", "show", "-P", p, unit).stdout) for p in ("WatchdogUSec", "RestartUSec"))
    before = kit.run("systemctl", "show", "-P", "NRestarts", unit).stdout.strip()
    pid = _kiosk_pid(kit)
    if not pid or bound <= 0:
        return False, "no kiosk process to stop" if not pid else "the kiosk unit has no WatchdogSec"
    start = time.monotonic()
    kit.run("sh", "-c", f"kill -STOP {pid}")  # the shell's kill: no procps in the kit
    restarted = wait_for(lambda: kit.run("systemctl", "show", "-P", "NRestarts", unit).stdout.strip() != before,
                         bound + WATCHDOG_MARGIN_S, 0.5)
    report.watchdog_restart_s = round(time.monotonic() - start, 1) if restarted else None
    return bool(restarted), (f"restarted after {report.watchdog_restart_s} s (WatchdogSec + RestartSec {bound:g} s)"
                             if restarted else f"not restarted within {bound + WATCHDOG_MARGIN_S:g} s")


def hardening(kit: BootedKit) -> tuple[bool, str]:
    """`systemd-analyze security` of each unit inside the booted kit."""
    levels = {}
    for unit in INSTALLED:
        text = kit.run("systemd-analyze", "security", unit, "--no-pager", check=False).stdout
        found = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", text)
        levels[unit] = float(found.group(1)) if found else 99.0
    return all(v <= MAX_EXPOSURE for v in levels.values()), ", ".join(f"{u} {v}" for u, v in levels.items())


def local_time(kit: BootedKit) -> tuple[bool, str]:
    """The kiosk's Python reads the kit's clock in the image's zone (WIB, UTC+7), that of the slips and the bar."""
    shown = kit.run(f"{INSTALL_DIR}/.venv/bin/python", "-c", "import datetime as d; "
                    "print(d.datetime.now().astimezone().strftime('%Z %z'))", user="sinopsis").stdout.strip()
    expected = INDONESIA_ZONES[KIT_TIMEZONE]
    return shown == expected, f"local time in {shown or 'nothing'}, {expected} wanted (→ {KIT_TIMEZONE})"


def notify_socket_gone(kit: BootedKit) -> tuple[bool, str]:
    """systemd's notify socket taken away for 20 s across one of the agent's pings (WatchdogSec=60s: one every
    30 s): the agent keeps trying, its ping gets through once the socket is back, and systemd never restarts it."""
    unit = "sinopsis-agent.service"

    def show(prop: str) -> str:
        return kit.run("systemctl", "show", "-P", prop, unit).stdout.strip()

    restarts, seen = show("NRestarts"), show("WatchdogTimestampMonotonic")
    if not wait_for(lambda: show("WatchdogTimestampMonotonic") != seen, 45, 0.5):
        return False, "no WATCHDOG=1 from the agent in 45 s"
    last = show("WatchdogTimestampMonotonic")
    time.sleep(15)  # the next ping is due in about 15 s: take the socket away across it
    kit.run("mv", "/run/systemd/notify", "/run/systemd/notify.boot-check")
    try:
        time.sleep(20)
        lost = show("WatchdogTimestampMonotonic") == last  # the ping due meanwhile did not reach systemd
    finally:
        kit.run("mv", "/run/systemd/notify.boot-check", "/run/systemd/notify")
    back = wait_for(lambda: show("WatchdogTimestampMonotonic") != last, 15, 0.5)  # tried again, got through
    logged = "unusable" in kit.run("journalctl", "-u", unit, "--no-pager", "-n", "80", check=False).stdout
    active = kit.run("systemctl", "is-active", unit, check=False).stdout.strip()
    return (lost and bool(back) and logged and show("NRestarts") == restarts and active == "active",
            f"notify socket away 20 s: a ping {'lost' if lost else 'NOT lost'} meanwhile, "
            f"{'the next one through after it came back' if back else 'none through after'}, agent {active}, "
            f"restarts {restarts} → {show('NRestarts')}")


def run_boot_check(keep: Path | None = None) -> Report:
    """Build, boot and check; the report (every check, passed or not). `keep`: work there and leave it."""
    root = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="sinopsis-boot-check-", dir="/var/tmp"))
    root.mkdir(parents=True, exist_ok=True)
    if shutil.which("systemd-nspawn") is None:  # Debian's systemd-container: only this check needs it
        run_child(["apt-get", "install", "-y", "-qq", "systemd-container"], timeout=600)
    report, hq = Report(), LocalHq(root)
    kit = BootedKit(root / "kit", root / "console.log")
    try:
        hq.start()
        if not _check(report, "image built", lambda: (build_root(root / "kit", hq.port, root / "build.log"),
                                                      (True, str(root / "kit")))[1]):
            return report
        state = kit.boot()
        units = kit.run("systemctl", "--failed", "--plain", "--no-legend", check=False).stdout.split("\n")
        report.failed_units = [u.split()[0] for u in units if u.strip()]
        report.booted = state in ("running", "degraded")
        _check(report, "booted, no failed unit", lambda: (report.booted and not report.failed_units,
                                                          f"system {state}; failed: {report.failed_units or 'none'}"))
        _check(report, "enrolled, agent online at HQ", lambda: enrol(kit, hq, root / "kit"))
        _check(report, "kiosk under cage, screenshot", lambda: kiosk_runs(kit, root / "kit", report))
        _check(report, "watchdog restarts a hung kiosk", lambda: watchdog(kit, report))
        _check(report, "hardening inside (≤ 4.5)", lambda: hardening(kit))
        _check(report, "local time in WIB", lambda: local_time(kit))
        people = hand_assignment(hq, root / "kit")
        if _check(report, "record sealed in the kit at HQ", lambda: record_reaches_hq(kit, hq, root / "kit", people,
                                                                                   report)):
            _check(report, "power cut while sealing", lambda: power_cut(kit, hq, root / "kit", people, report))
        _check(report, "sd_notify, socket gone a while", lambda: notify_socket_gone(kit))
    except (BootError, RuntimeError, OSError) as e:
        report.checks.append(Check("boot check", False, str(e)[-1000:]))
    finally:
        kit.stop()
        hq.stop()
        if keep is None:
            shutil.rmtree(root, ignore_errors=True)
    return report
