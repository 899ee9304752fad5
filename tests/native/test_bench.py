"""`sinopsis bench` runs every row in one process and reports ratios (never asserted: the machine is noisy)."""

from native.bench import run_all
from sinopsis.cli.bench_cmd import format_rows


def test_every_modality_and_frame_size_is_measured_with_its_baselines():
    rows = run_all(repeat=1, nfiq2_repeat=1)
    seen = {(r["kernel"], r["frame"]) for r in rows}
    for kernel in ("sharpness", "exposure", "motion"):
        assert {(kernel, f) for f in ("640x480", "1920x1080", "finger 416x560", "slap 1600x1500")} <= seen
    assert {("face metrics", "640x480"), ("face metrics", "1920x1080"), ("face pipeline", "1920x1080"),
            ("finger", "finger 416x560"), ("slap", "slap 1600x1500"), ("iris", "640x480")} <= seen
    for r in rows:
        assert r["c_ms"] > 0
        if r["opencv_idiomatic_ms"] is not None:
            assert r["speedup_vs_idiomatic"] == r["opencv_idiomatic_ms"] / r["c_ms"]
        ways = [w for w in (r["opencv_idiomatic_ms"], r["opencv_prealloc_ms"]) if w is not None]
        if ways:  # the table leads with the best straightforward way, never only the wasteful one
            assert r["best_ms"] == min(ways) and r["speedup_vs_best"] == min(ways) / r["c_ms"]
    for kernel in ("sharpness", "exposure", "motion", "face metrics", "finger", "slap"):
        for r in (r for r in rows if r["kernel"] == kernel):  # each kernel's distance to one read of its frame
            assert r["read_ms"] > 0 and r["read_passes"] == r["c_ms"] / r["read_ms"]
    finger = next(r for r in rows if r["kernel"] == "finger")
    assert finger["nfiq2_ms"] is not None and finger["speedup_vs_nfiq2"] > 0
    table = format_rows(rows)
    assert "vs NFIQ2" in table and "vs best" in table and "reads" in table and "vs idiom" not in table
    assert table.count("\n") == len(rows) + 1
