"""The kit image's file tree (`sinopsis image build --root DIR`, provisioning/kit_image.py, and
provisioning/image/build-image.sh --root DIR): complete, every unit in it verifies, its station.toml passes
`sinopsis station config check`, its sysusers.d makes the user and group, and running it again changes nothing."""

import datetime as dt
import shutil
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from provisioning import kit_image
from sinopsis.cli import main
from tests.provisioning.test_systemd import render_for_checkout, verify

PROJECT = Path(__file__).resolve().parents[2]
SCRIPT = PROJECT / "provisioning" / "image" / "build-image.sh"
FILES = {
    "etc/systemd/system/sinopsis-kiosk.service", "etc/systemd/system/sinopsis-agent.service",
    "etc/systemd/system/sinopsis-checkin.service",  # installed, not enabled: kits with the second display
    "etc/udev/rules.d/99-sinopsis.rules", "etc/udev/rules.d/99-sinopsis-touchscreen.rules",
    "etc/sinopsis/station.toml", "etc/sysusers.d/sinopsis.conf", "etc/systemd/journald.conf.d/sinopsis.conf",
    "etc/systemd/logind.conf.d/sinopsis-kiosk.conf", "etc/default/grub.d/sinopsis.cfg",
    "etc/timezone",  # Asia/Jakarta: the kit's clock is read in WIB (slips, status bar)
}
LINKS = {
    "etc/systemd/system/graphical.target.wants/sinopsis-kiosk.service": "/etc/systemd/system/sinopsis-kiosk.service",
    "etc/systemd/system/multi-user.target.wants/sinopsis-agent.service": "/etc/systemd/system/sinopsis-agent.service",
    "etc/systemd/system/getty@tty1.service": "/dev/null",
    "etc/systemd/system/default.target": "/lib/systemd/system/graphical.target",
    "etc/localtime": "/usr/share/zoneinfo/Asia/Jakarta",
}


def tree(root: Path) -> dict[str, tuple[str, bytes | str, int]]:
    """Every file and symlink under root: kind, content or target, mtime."""
    found = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_symlink():
            found[rel] = ("link", str(path.readlink()), path.lstat().st_mtime_ns)
        elif path.is_file():
            found[rel] = ("file", path.read_bytes(), path.stat().st_mtime_ns)
    return found


def build(root: Path, *args: str) -> int:
    return main(["image", "build", "--root", str(root), *args])


def test_the_tree_is_complete(tmp_path, capsys):
    assert build(tmp_path, "--station-id", "st-kit-07", "--broker-host", "mqtt.example.org") == 0
    made = tree(tmp_path)
    assert {rel for rel, (kind, *_x) in made.items() if kind == "file"} == FILES
    assert {rel: target for rel, (kind, target, _m) in made.items() if kind == "link"} == LINKS
    assert "16 written, 0 unchanged" in capsys.readouterr().out
    for rel in ("etc/systemd/system/sinopsis-kiosk.service", "etc/systemd/system/sinopsis-agent.service"):
        assert (tmp_path / rel).read_bytes() == (PROJECT / "systemd" / Path(rel).name).read_bytes()
    for rules in ("99-sinopsis.rules", "99-sinopsis-touchscreen.rules"):
        installed = tmp_path / "etc/udev/rules.d" / rules
        assert installed.read_bytes() == (PROJECT / "provisioning/udev" / rules).read_bytes()
    assert Path("/lib/systemd/system/graphical.target").exists(), "the default target the image points at"
    assert oct((tmp_path / "etc/sinopsis/station.toml").stat().st_mode & 0o777) == "0o644"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="needs systemd-analyze")
def test_every_unit_in_the_tree_verifies(tmp_path):
    root = tmp_path / "root"
    build(root)
    units = sorted((root / "etc/systemd/system").glob("*.service"))
    units = [u for u in units if not u.is_symlink()]
    assert [u.name for u in units] == ["sinopsis-agent.service", "sinopsis-checkin.service", "sinopsis-kiosk.service"]
    checked = tmp_path / "checked"
    checked.mkdir()
    assert verify([render_for_checkout(u, checked) for u in units]) == ""


def test_the_station_toml_passes_config_check_and_names_the_stable_devices(tmp_path, capsys):
    build(tmp_path, "--station-id", "st-kit-07", "--broker-host", "mqtt.example.org", "--broker-port", "8884")
    toml = tmp_path / "etc/sinopsis/station.toml"
    assert main(["station", "config", "check", str(toml)]) == 0
    assert "valid (station st-kit-07, data in /var/lib/sinopsis)" in capsys.readouterr().out
    from station.config import load_config

    config = load_config(toml)
    assert config.broker.tls is True and config.broker.host == "mqtt.example.org" and config.broker.port == 8884
    d = config.devices
    assert (d.camera, d.signature_pad, d.qr_scanner, d.printer) == (
        "/dev/sinopsis/camera", "/dev/sinopsis/signature-pad", "/dev/sinopsis/qr-scanner", "/dev/sinopsis/printer")


def test_a_bad_station_id_writes_nothing(tmp_path, capsys):
    assert build(tmp_path, "--station-id", "Not An Id") == 2
    assert "station.id" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_running_it_twice_changes_nothing_and_keeps_an_edited_config(tmp_path, capsys):
    build(tmp_path)
    first = tree(tmp_path)
    build(tmp_path)
    assert tree(tmp_path) == first, "same bytes, same links, not even rewritten (same mtimes)"
    assert "0 written, 16 unchanged, 0 kept" in capsys.readouterr().out
    toml = tmp_path / "etc/sinopsis/station.toml"
    edited = toml.read_text().replace("st-kit-unenrolled", "st-kit-42")
    toml.write_text(edited)  # enrolment set the real id
    build(tmp_path)
    assert toml.read_text() == edited and "kept     /etc/sinopsis/station.toml" in capsys.readouterr().out
    build(tmp_path, "--replace-config")
    assert "st-kit-unenrolled" in toml.read_text()


def test_the_kits_clock_is_read_in_its_provinces_zone(tmp_path, capsys):
    build(tmp_path)
    assert (tmp_path / "etc/timezone").read_text() == "Asia/Jakarta\n"
    zone = Path(str((tmp_path / "etc/localtime").readlink()))
    assert zone.is_file() and zone.read_bytes().startswith(b"TZif"), "the host's tzdata has the zone the kit names"
    for name, reads in kit_image.INDONESIA_ZONES.items():  # what the boot check expects a kit's clock to read
        assert dt.datetime.now(ZoneInfo(name)).strftime("%Z %z") == reads, name
    assert build(tmp_path, "--timezone", "Asia/Makassar") == 0  # a kit for a WITA province
    assert str((tmp_path / "etc/localtime").readlink()) == "/usr/share/zoneinfo/Asia/Makassar"
    capsys.readouterr()
    before = tree(tmp_path)
    with pytest.raises(SystemExit) as refused:
        build(tmp_path, "--timezone", "UTC")
    assert refused.value.code == 2 and "--timezone" in capsys.readouterr().err and tree(tmp_path) == before
    with pytest.raises(ValueError, match="Indonesia"):
        kit_image.build_tree(tmp_path, timezone="Europe/Amsterdam")
    assert tree(tmp_path) == before, "nothing written for a refused zone"


def test_a_changed_or_wrong_file_is_put_right(tmp_path):
    build(tmp_path)
    unit = tmp_path / "etc/systemd/system/sinopsis-agent.service"
    unit.write_text("edited\n")
    link = tmp_path / "etc/systemd/system/getty@tty1.service"
    link.unlink()
    link.symlink_to("/lib/systemd/system/getty@.service")
    report = kit_image.build_tree(tmp_path)
    assert sorted(report.written) == ["etc/systemd/system/getty@tty1.service",
                                      "etc/systemd/system/sinopsis-agent.service"]
    assert unit.read_bytes() == (PROJECT / "systemd/sinopsis-agent.service").read_bytes()
    assert str(link.readlink()) == "/dev/null"


def test_build_image_script_dry_run_writes_the_same_tree_twice(tmp_path):
    script_root, cli_root = tmp_path / "script", tmp_path / "cli"
    for expected in ("16 written", "0 written, 16 unchanged"):
        run = subprocess.run(["bash", str(SCRIPT), "--root", str(script_root), "--station-id", "st-kit-07"],
                             capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stdout + run.stderr
        assert expected in run.stdout
    build(cli_root, "--station-id", "st-kit-07")
    assert {k: v[:2] for k, v in tree(script_root).items()} == {k: v[:2] for k, v in tree(cli_root).items()}
    bad = subprocess.run(["bash", str(SCRIPT), "--bogus"], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "unknown option" in bad.stderr


@pytest.mark.skipif(shutil.which("systemd-sysusers") is None, reason="needs systemd-sysusers")
def test_sysusers_makes_the_kiosk_user_and_the_device_group(tmp_path):
    build(tmp_path)
    run = subprocess.run(["systemd-sysusers", f"--root={tmp_path}", "--dry-run"], capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 0, run.stderr
    assert "Creating group 'sinopsis-kit'" in run.stdout + run.stderr
    assert "Creating user 'sinopsis' (SINOPSIS kiosk and agent)" in run.stdout + run.stderr
    assert not (tmp_path / "etc/passwd").exists(), "a dry run writes nothing"


def test_screen_never_blanks_and_logs_are_bounded(tmp_path):
    build(tmp_path)
    grub = tmp_path / "etc/default/grub.d/sinopsis.cfg"
    source = 'GRUB_CMDLINE_LINUX_DEFAULT="splash"; . "$1"; echo "$GRUB_CMDLINE_LINUX_DEFAULT"'
    run = subprocess.run(["bash", "-c", source, "bash", str(grub)], capture_output=True, text=True, timeout=30)
    assert run.stdout.split() == ["splash", "quiet", "consoleblank=0"], "appends to what /etc/default/grub set"
    journald = (tmp_path / "etc/systemd/journald.conf.d/sinopsis.conf").read_text()
    assert "[Journal]" in journald and "SystemMaxUse=" in journald and "Storage=persistent" in journald
    logind = (tmp_path / "etc/systemd/logind.conf.d/sinopsis-kiosk.conf").read_text()
    assert "NAutoVTs=0" in logind and "IdleAction=ignore" in logind


def test_the_kits_user_can_read_the_tree_even_when_built_under_a_private_umask(tmp_path):
    """Booting the image showed the agent refused its config: /etc/sinopsis was made 0700 under the CLI's umask
    0077, so the sinopsis user could not reach station.toml. Folders the tree makes are 0755, files 0644."""
    import os

    old = os.umask(0o077)
    try:
        kit_image.build_tree(tmp_path)
    finally:
        os.umask(old)
    made = [p for p in tmp_path.rglob("*") if not p.is_symlink()]
    assert {oct(p.stat().st_mode & 0o777) for p in made if p.is_dir()} == {oct(0o755)}
    assert {oct(p.stat().st_mode & 0o777) for p in made if p.is_file()} == {oct(0o644)}


def test_build_image_script_makes_a_readable_tree_under_a_private_umask(tmp_path):
    """The recipe sets umask 022 itself: run from the sinopsis CLI (umask 0077) it made /opt/sinopsis's venv
    unreadable to the units' user (found by booting the image, `sinopsis image boot-check`)."""
    done = subprocess.run(["bash", "-c", f"umask 077; bash {SCRIPT} --root {tmp_path / 'kit'}"], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "\numask 022\n" in SCRIPT.read_text()  # before anything is made, the venv included
    made = list((tmp_path / "kit").rglob("*"))
    assert {oct(p.stat().st_mode & 0o777) for p in made if p.is_dir() and not p.is_symlink()} == {oct(0o755)}
