"""The live-loop benchmark runs camera → analysis → events on threads and reports latency and drops."""

import threading

from drivers.bench_live import run_live_loop
from sinopsis.cli.bench_cmd import format_rows, live_rows


def test_frames_flow_and_the_report_is_consistent():
    report = run_live_loop(320, 240, seconds=1.0)
    assert report.frames > 0 and 0 < report.analysed <= report.frames
    assert report.p99_ms >= report.p50_ms > 0
    assert report.frame == "320x240" and report.budget_share > 0
    assert report.detector_own_waits >= 1  # the stream's first frame waits for its own detection, no more is known
    assert not [t for t in threading.enumerate() if t.name == "face-detector"], "the detector thread was joined"


def test_bench_rows_for_720p_and_1080p():
    rows = live_rows(0.3)
    assert [r["frame"] for r in rows] == ["1280x720", "1920x1080"]
    assert all(r["kernel"] == "live loop" and "p99" in r["note"] for r in rows)
    assert "live loop" in format_rows(rows)
