"""`sinopsis bench` runs every row in one process and reports ratios (never asserted: the machine is noisy)."""

import dataclasses

import cv2
import numpy as np
import pytest

from native import samples
from native.bench import run_all
from native.bench_modalities import _band_mask, band_rects, opencv_face_metrics
from native.face import FaceQuality
from sinopsis.cli.bench_cmd import format_rows


def test_every_modality_and_frame_size_is_measured_with_its_baselines():
    rows = run_all(repeat=1, nfiq2_repeat=1)
    seen = {(r["kernel"], r["frame"]) for r in rows}
    for kernel in ("sharpness", "exposure", "motion"):
        assert {(kernel, f) for f in ("640x480", "1920x1080", "finger 416x560", "slap 1600x1500")} <= seen
    assert {("face metrics", "640x480"), ("face metrics", "1920x1080"), ("face pipeline", "1280x720"),
            ("face pipeline", "1920x1080"),
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
    for r in (r for r in rows if r["kernel"] == "sharpness"):  # and on fresh frames, as a camera's come
        assert r["read_passes_fresh"] == r["c_ms_fresh"] / r["read_ms_fresh"] and r["vectors"] in r["note"]
    finger = next(r for r in rows if r["kernel"] == "finger")
    assert finger["nfiq2_ms"] is not None and finger["speedup_vs_nfiq2"] > 0
    table = format_rows(rows)
    assert "vs NFIQ2" in table and "vs best" in table and "reads" in table and "vs idiom" not in table
    assert table.count("\n") == len(rows) + 1
    pipeline = next(r for r in rows if r["kernel"] == "face pipeline" and r["frame"] == "1920x1080")
    assert "real portrait (score 100)" in pipeline["note"]  # the whole pipeline ran on a face that passes


@pytest.mark.parametrize(("frame", "size"), [("real", (1920, 1080)), ("real", (640, 480)), ("synthetic", (640, 480))])
def test_the_face_metrics_baseline_computes_what_the_kernel_does(frame, size):
    """The bench's OpenCV baseline is a reference, not a stand-in: the same numbers as face.c on the same box."""
    width, height = size
    image = samples.real_portrait(width, height) if frame == "real" else samples.portrait("blue", width, height)
    quality = FaceQuality()
    box = quality.detect(image)[0]
    border = max(1, round(min(width, height) * quality.border_fraction))
    cv2.cvtColor(image, cv2.COLOR_BGR2GRAY, dst=quality._grey)
    ours = dataclasses.astuple(quality.metrics(image, box))
    theirs = opencv_face_metrics(image, np.empty((height, width), np.uint8), box, border)
    for mine, reference in zip(ours, theirs, strict=True):
        assert np.allclose(mine, reference, rtol=1e-6, atol=1e-6)
    mask = _band_mask(np.zeros((height, width), np.uint8), box, border)
    assert sum((y1 - y0) * (x1 - x0) for y0, y1, x0, x1 in band_rects(width, box, border)) == mask.sum() == ours[5]
