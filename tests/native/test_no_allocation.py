"""No allocation per frame: the C kernels import no allocator, and the Python wrappers allocate nothing frame-sized.

tracemalloc sees only Python's allocator, so the C side is checked where it would show: the kernels' object
files must not reference malloc and friends at all (buffers are preallocated by the caller or are on the stack).
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

# Measured in a fresh interpreter: in the pytest process, other tests' threads and garbage show up in the peak.
PROBE = """
import json, sys, tracemalloc
import cv2
import numpy as np
from native.fingerprint import FingerQuality, SlapSegmenter
from native.image_stats import ExposureMeter
from native.motion import StillnessGate
from native.sharpness import SharpnessMeter
from native import samples
from native.face import FaceQuality
from native.iris import IrisQuality
FRAMES = int(sys.argv[2])
frame = np.random.default_rng(3).integers(0, 256, (480, 640), dtype=np.uint8)
if sys.argv[1] in ("finger", "slap"):  # a 416x560 single-finger frame; a 1600x1500 slap platen around it
    from native import samples as fingerprint_samples
    frame = cv2.imread(str(fingerprint_samples.FINGERPRINTS[0]), cv2.IMREAD_GRAYSCALE)
    if sys.argv[1] == "slap":
        frame = np.pad(frame, ((470, 470), (100, 1084)), constant_values=255)
if sys.argv[1] == "face":
    frame = samples.portrait("red")
if sys.argv[1] == "iris":
    frame = cv2.imread(str(samples.IRIS), cv2.IMREAD_GRAYSCALE)
measure = {"laplacian_var": SharpnessMeter().laplacian_var, "sharpness": SharpnessMeter().measure,
           "exposure": ExposureMeter().measure, "stillness": StillnessGate().update,
           "face": FaceQuality().measure, "iris": IrisQuality().measure,
           "finger": FingerQuality().measure, "slap": SlapSegmenter().segment}[sys.argv[1]]
for _ in range(10):
    measure(frame)
tracemalloc.start()
before = tracemalloc.take_snapshot()
tracemalloc.reset_peak()
for _ in range(FRAMES):
    measure(frame)
_, peak = tracemalloc.get_traced_memory()
after = tracemalloc.take_snapshot()
growth = sum(s.size_diff for s in after.compare_to(before, "filename"))
print(json.dumps({"peak": peak, "growth": growth, "frame": frame.nbytes}))
"""


FRAMES = 150  # under tracemalloc the face pipeline takes ~15-30 ms a frame; a 16 KB growth bound still catches a
# leak of ~110 bytes a frame


@pytest.mark.parametrize("kernel", ["laplacian_var", "sharpness", "exposure", "stillness", "face", "iris", "finger",
                                    "slap"])
def test_repeated_frames_allocate_nothing_frame_sized(kernel):
    result = json.loads(subprocess.run([sys.executable, "-c", PROBE, kernel, str(FRAMES)], capture_output=True,
                                       text=True,
                                       check=True, timeout=120).stdout)
    # A per-frame buffer would be >= one frame (300 KB); a leak would grow with the frames (16 KB over 150: any
    # leak of 110 bytes a frame or more).
    assert result["peak"] < 64 * 1024, result
    assert result["growth"] < 16 * 1024, result


ALLOCATORS = {"malloc", "calloc", "realloc", "free", "posix_memalign", "aligned_alloc", "memalign"}
NATIVE = Path(__file__).resolve().parents[2] / "native"
KERNELS = sorted(NATIVE.glob("*.c"))


def test_kernels_found():
    assert {p.stem for p in KERNELS} >= {"image_stats", "sharpness", "fingerprint"}


@pytest.mark.parametrize("source", KERNELS, ids=lambda p: p.name)
def test_kernel_object_references_no_allocator(source, tmp_path):
    obj = tmp_path / f"{source.stem}.o"
    subprocess.run(["gcc", "-O3", "-std=c11", "-fPIC", f"-I{NATIVE}", "-c", str(source), "-o", str(obj)], check=True)
    undefined = subprocess.run(["nm", "-u", str(obj)], capture_output=True, text=True, check=True).stdout.split()
    assert not ALLOCATORS & set(undefined), f"{source} calls {ALLOCATORS & set(undefined)}"
