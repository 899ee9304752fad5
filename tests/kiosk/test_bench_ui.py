"""The kiosk rows of `sinopsis bench`: run with tiny counts, their shape and that every number is a real,
positive time (never a wall-clock limit: the numbers are reported, not judged, here)."""

import math

from sinopsis.bench_ui import BUDGET_MS, percentile, run_ui_bench
from sinopsis.cli.bench_cmd import format_rows


def test_percentiles_interpolate_between_ranks():
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0
    assert percentile([10.0, 20.0], 99) == 10.0 + 10.0 * 0.99
    assert percentile([5.0], 99) == 5.0
    assert math.isnan(percentile([], 50))


def test_ui_bench_rows_with_tiny_counts():
    rows = run_ui_bench(frames=8, students=2)
    assert [r["kernel"] for r in rows] == ["kiosk frames", "kiosk UI work", "check-in"]
    frames, work, check_in = rows
    assert frames["samples"] == work["samples"] == 8 and check_in["samples"] == 2
    for r in rows:
        for key in ("c_ms", "p50_ms", "p99_ms"):
            assert math.isfinite(r[key]) and r[key] > 0, (r["kernel"], key, r[key])
        assert r["p99_ms"] >= r["p50_ms"] == r["c_ms"]
        assert r["renderer"]
    assert frames["budget_ms"] == work["budget_ms"] == BUDGET_MS and check_in["budget_ms"] is None
    assert isinstance(frames["within_budget"], bool) and check_in["within_budget"] is None
    assert "previews shown" in frames["note"] and "budget" in frames["note"]
    # each frame's interval holds its own work (plus the clock's sleep), so its percentiles are never smaller
    assert frames["p50_ms"] >= work["p50_ms"] and frames["p99_ms"] >= work["p99_ms"]
    table = format_rows(rows)
    assert "kiosk frames" in table and "check-in" in table and "OK → number" in table
