"""`sinopsis image boot-check`'s report (sinopsis/boot_check.py): what it prints and the figures the issue names in
its JSON; a failed check fails the command, one not checked yet is listed as such. The boot itself (debootstrap,
systemd-nspawn, minutes) is not a unit test: `.ci/run` runs the command as its own step after the unit suite
(docs/kiosk-image.md, "The boot check")."""

import json

from sinopsis.boot_check import HEADLESS
from sinopsis.boot_report import Check, Report


def test_the_report_names_each_check_and_fails_only_on_a_failure():
    report = Report(checks=[Check("booted, no failed unit", True, "system running", 1.0),
                            Check("watchdog restarts a hung kiosk", False, "not restarted", 90.0),
                            Check("power cut while sealing", None, "not built yet")])
    assert report.failed == ["watchdog restarts a hung kiosk"]
    lines = report.lines()
    assert lines[0].startswith("PASS") and lines[1].startswith("FAIL") and lines[2].startswith("NOT CHECKED")
    data = json.loads(report.as_json())
    assert {"booted", "failed_units", "kiosk_screenshot", "record_reached_hq", "watchdog_restart_s",
            "power_cut_lost", "power_cut_duplicated", "failed"} <= set(data)
    assert data["failed"] == ["watchdog restarts a hung kiosk"]


def test_the_check_only_drop_in_puts_cage_on_its_headless_backend():
    assert "WLR_BACKENDS=headless" in HEADLESS and "WLR_RENDERER=pixman" in HEADLESS
    assert HEADLESS.splitlines()[0].startswith("# Only for `sinopsis image boot-check`")


def test_systemd_time_spans_are_read_as_seconds():
    from sinopsis.boot_check import _seconds

    assert (_seconds("30s"), _seconds("1min 30s"), _seconds("500ms"), _seconds("0")) == (30, 90, 0.5, 0)
