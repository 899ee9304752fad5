"""Discovery and hotplug: devices found with stable ids; added/removed events by polling (udev where it runs)."""

import queue

import pytest

from drivers.discovery import HotplugMonitor, PresentDevice, diff, scan, udev_running
from drivers.signature_pad_sim import SimulatedPad


def fake_usb(root, name, vid, pid, serial=None):
    dev = root / name
    dev.mkdir(parents=True)
    (dev / "idVendor").write_text(vid + "\n")
    (dev / "idProduct").write_text(pid + "\n")
    if serial:
        (dev / "serial").write_text(serial + "\n")


def test_usb_scanner_and_camera_nodes_are_found_with_stable_ids(tmp_path):
    sysfs, dev = tmp_path / "sys", tmp_path / "dev"
    fake_usb(sysfs, "1-1.2", "1491", "0020", "FS88-0042")  # sysfs as the kernel lays it out
    fake_usb(sysfs, "1-1.3", "046d", "0825")  # a device we do not know: ignored
    (dev / "usb").mkdir(parents=True)
    (dev / "video0").write_text("")
    (dev / "usb" / "lp0").write_text("")
    found = scan(sysfs_usb=sysfs, dev=dev)
    assert found["usb:1491:0020:FS88-0042"].kind == "fingerprint"
    assert found[str(dev / "video0")].kind == "camera" and found[str(dev / "usb" / "lp0")].kind == "printer"
    assert not any("046d" in k for k in found)
    (sysfs / "1-1.2").rename(sysfs / "2-1")  # the same scanner moved to another USB port keeps its id
    assert "usb:1491:0020:FS88-0042" in scan(sysfs_usb=sysfs, dev=dev)
    fake_usb(sysfs, "3-4", "2808", "f001")  # no serial number: the port names the unit
    assert scan(sysfs_usb=sysfs, dev=dev)["usb:2808:f001:3-4"].kind == "iris"
    with pytest.raises(ValueError, match="interval"):
        HotplugMonitor(lambda e: None, interval_s=0, use_udev=False)


def test_diff_reports_removals_then_additions():
    a, b = PresentDevice("x", "camera", "/dev/video0"), PresentDevice("y", "printer")
    assert [(e.action, e.device_id) for e in diff({"x": a}, {"y": b})] == [("removed", "x"), ("added", "y")]
    assert diff({"x": a}, {"x": a}) == []


def test_polling_sees_a_pad_plugged_and_unplugged(tmp_path):
    events: queue.Queue = queue.Queue()
    link = tmp_path / "ttyPAD"
    monitor = HotplugMonitor(events.put, watch_paths={str(link): "signature_pad"}, interval_s=0.05,
                             use_udev=False, sysfs_usb=tmp_path / "nosys", dev=tmp_path / "nodev").start()
    try:
        pad = SimulatedPad([])
        link.symlink_to(pad.path)
        added = events.get(timeout=10)
        assert (added.action, added.device_id, added.kind) == ("added", str(link), "signature_pad")
        pad.close()
        link.unlink()
        removed = events.get(timeout=10)
        assert (removed.action, removed.device_id) == ("removed", str(link))
    finally:
        monitor.stop()


def test_a_failing_listener_does_not_stop_the_monitor(tmp_path):
    seen = []

    def listener(event):
        seen.append(event)
        raise RuntimeError("screen crashed")

    target = tmp_path / "dev0"
    monitor = HotplugMonitor(listener, watch_paths={str(target): "printer"}, interval_s=0.05, use_udev=False,
                             sysfs_usb=tmp_path / "nosys", dev=tmp_path / "nodev").start()
    try:
        target.write_text("")
        for _ in range(200):
            if seen:
                break
            monitor._stop.wait(0.05)
        target.unlink()
        for _ in range(200):
            if len(seen) >= 2:
                break
            monitor._stop.wait(0.05)
    finally:
        monitor.stop()
    assert [e.action for e in seen] == ["added", "removed"]


def test_the_udev_path_runs_its_observer_and_still_polls(tmp_path):
    """Without a udev daemon nothing arrives on the netlink socket, but the observer thread starts and stops with
    the monitor, and the safety-net poll still reports changes."""
    events: queue.Queue = queue.Queue()
    target = tmp_path / "lp0"
    monitor = HotplugMonitor(events.put, watch_paths={str(target): "printer"}, interval_s=0.05, use_udev=True,
                             sysfs_usb=tmp_path / "nosys", dev=tmp_path / "nodev").start()
    try:
        target.write_text("")
        assert events.get(timeout=10).action == "added"
    finally:
        monitor.stop()
    if monitor.use_udev:  # False only where the netlink socket is refused (then polling alone ran)
        assert not monitor._observer.is_alive()


@pytest.mark.skipif(not udev_running(), reason="no udev daemon here (/run/udev/control missing): the polling "
                                               "fallback above is what runs")
def test_udev_monitor_starts_and_stops():
    monitor = HotplugMonitor(lambda e: None, use_udev=True).start()
    monitor.stop()
