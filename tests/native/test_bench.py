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
    finger = next(r for r in rows if r["kernel"] == "finger")
    assert finger["nfiq2_ms"] is not None and finger["speedup_vs_nfiq2"] > 0
    table = format_rows(rows)
    assert "vs NFIQ2" in table and table.count("\n") == len(rows) + 1
