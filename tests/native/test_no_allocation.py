"""No allocation per frame: the C kernels import no allocator, and the Python wrappers allocate nothing frame-sized.

tracemalloc sees only Python's allocator, so the C side is checked where it would show: the kernels' object
files must not reference malloc and friends at all (buffers are preallocated by the caller or are on the stack).
"""

import subprocess
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from native.image_stats import ExposureMeter
from native.sharpness import SharpnessMeter

FRAME = np.random.default_rng(3).integers(0, 256, (480, 640), dtype=np.uint8)


@pytest.mark.parametrize("measure", [SharpnessMeter().laplacian_var, SharpnessMeter().measure,
                                     ExposureMeter().measure], ids=["laplacian_var", "sharpness", "exposure"])
def test_thousand_frames_allocate_nothing_frame_sized(measure):
    for _ in range(10):
        measure(FRAME)  # warm up: caches, first-call allocations
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        tracemalloc.reset_peak()
        for _ in range(1000):
            measure(FRAME)
        _, peak = tracemalloc.get_traced_memory()
        growth = sum(s.size_diff for s in tracemalloc.take_snapshot().compare_to(before, "filename"))
    finally:
        tracemalloc.stop()
    # A per-frame buffer would be >= FRAME.nbytes (300 KB); a leak would grow with the 1,000 frames.
    assert peak < 64 * 1024, f"peak {peak} bytes while measuring"
    assert growth < 16 * 1024, f"memory grew by {growth} bytes over 1,000 frames"


ALLOCATORS = {"malloc", "calloc", "realloc", "free", "posix_memalign", "aligned_alloc", "memalign"}
NATIVE = Path(__file__).resolve().parents[2] / "native"
KERNELS = sorted(NATIVE.glob("*.c"))


def test_kernels_found():
    assert {p.stem for p in KERNELS} >= {"image_stats", "sharpness"}


@pytest.mark.parametrize("source", KERNELS, ids=lambda p: p.name)
def test_kernel_object_references_no_allocator(source, tmp_path):
    obj = tmp_path / f"{source.stem}.o"
    subprocess.run(["gcc", "-O3", "-std=c11", "-fPIC", f"-I{NATIVE}", "-c", str(source), "-o", str(obj)], check=True)
    undefined = subprocess.run(["nm", "-u", str(obj)], capture_output=True, text=True, check=True).stdout.split()
    assert not ALLOCATORS & set(undefined), f"{source} calls {ALLOCATORS & set(undefined)}"
