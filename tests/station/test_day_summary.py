"""The end-of-day summary over a real day: check-ins, a record with exceptions, a withdrawal, a correction, a
student passed over; and `sinopsis station summary`."""

import dataclasses
import json

from sinopsis.cli import main
from sinopsis.demo import demo_captures
from station.capture.policy import CaptureResult
from station.checkin import check_in_by_application
from station.day_summary import day_summary
from station.identity_check import request_correction, withdraw
from station.queue import call_next, not_here


def captures_with_exceptions() -> list[CaptureResult]:
    """A complete record: left ring finger injured, right iris not capturable, right thumb kept below threshold."""
    captures = demo_captures(exception_finger="left_ring")
    photo = next(c.image for c in captures if c.position == "face")
    out = []
    for c in captures:
        if c.position == "right_iris":
            c = CaptureResult("right_iris", "exception", 1, photo, "png", exception_code="other", reason="eye closed")
        elif c.position == "right_thumb":
            c = dataclasses.replace(c, score=20, below_threshold=True, reason="worn ridges, three attempts")
        out.append(c)
    return out


def a_day(store, applicants, sealer) -> None:
    """Five check-ins; #1 recorded by OP-02, #2 withdrawn (refused) by OP-01, #3 sent for correction by OP-02,
    #4 passed over by OP-01, #5 still waiting."""
    for a in applicants[:5]:
        check_in_by_application(store, a["application_id"], a["phone"])
    first = call_next(store, "OP-02")
    sealer.seal_and_commit(first.record_id, captures_with_exceptions(), operator_id="OP-02")
    withdraw(store, call_next(store, "OP-01").record_id, "OP-01", "refused")
    request_correction(store, call_next(store, "OP-02").record_id, "OP-02", "kk_mismatch", "KK shows another name")
    not_here(store, call_next(store, "OP-01").record_id, "OP-01")


def test_the_numbers_of_a_day(imported, applicants, sealer):
    assert day_summary(imported).checked_in == 0
    a_day(imported, applicants, sealer)
    s = day_summary(imported)
    assert (s.on_list, s.checked_in, s.not_checked_in, s.recorded, s.waiting, s.being_served) == (24, 5, 19, 1, 2, 0)
    assert s.recorded_by_state == {"captured": 1}
    assert s.withdrawn == {"refused": 1} and s.corrections == {"kk_mismatch": 1}
    assert s.exceptions == {"finger": {"injured": 1}, "iris": {"other": 1}}
    assert s.below_threshold == 1 and s.unsent == 1 and s.oldest_unsent_s is not None
    ops = {o.operator_id: (o.called, o.recorded, o.withdrawn, o.corrections) for o in s.operators}
    assert ops == {"OP-01": (2, 0, 1, 0), "OP-02": (2, 1, 0, 1)}
    assert s.school_name and s.recording_date == "2026-11-25"


def test_no_assignment_no_summary(store):
    assert day_summary(store) is None


def test_the_command(imported, applicants, sealer, tmp_path, capsys):
    a_day(imported, applicants, sealer)
    cfg = ["--config", str(tmp_path / "station.toml")]
    assert main(["station", "summary", "--json", *cfg]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["checked_in"], data["recorded"], data["withdrawn"], data["unsent"]) == (5, 1, {"refused": 1}, 1)
    assert main(["station", "summary", *cfg]) == 0
    text = capsys.readouterr().out
    assert "checked in 5" in text and "withdrawn: refused 1" in text and "not yet confirmed by HQ: 1" in text
    assert "OP-02 " in text and "recorded 1" in text
