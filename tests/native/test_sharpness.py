"""Sharpness kernel (C through cffi) agrees with OpenCV's Laplacian and Sobel, on crops too; bad frames refused."""

import cv2
import numpy as np
import pytest
from hypothesis import given
from hypothesis.extra import numpy as hnp

from native import samples
from native.sharpness import VECTOR_LEVELS, SharpnessMeter, opencv_laplacian_var, use_vectors

METER = SharpnessMeter()


def reference(frame: np.ndarray) -> tuple[float, float]:
    """The OpenCV way over the same interior the kernel measures."""
    lap = cv2.Laplacian(frame, cv2.CV_64F)[1:-1, 1:-1]
    gx = cv2.Sobel(frame, cv2.CV_64F, 1, 0, ksize=3)[1:-1, 1:-1]
    gy = cv2.Sobel(frame, cv2.CV_64F, 0, 1, ksize=3)[1:-1, 1:-1]
    return float(lap.var()), float((gx * gx + gy * gy).mean())


def agree(frame: np.ndarray) -> None:
    s = METER.measure(frame)
    lap_var, tenengrad = reference(np.ascontiguousarray(frame))
    assert s.laplacian_var == pytest.approx(lap_var, rel=1e-9, abs=1e-6)
    assert s.tenengrad == pytest.approx(tenengrad, rel=1e-9, abs=1e-6)


@pytest.mark.parametrize("shape", [(3, 3), (3, 9), (9, 3), (5, 7), (479, 641), (1080, 1920)])
def test_random_frames(shape):
    agree(np.random.default_rng(sum(shape)).integers(0, 256, shape, dtype=np.uint8))


@pytest.mark.parametrize("path", [samples.FACE, *samples.FINGERPRINTS, samples.IRIS], ids=lambda p: p.name)
def test_samples_and_their_crops(path):
    image = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    agree(image)
    agree(image[17:301, 29:333])


def test_blur_lowers_sharpness():
    image = cv2.imread(str(samples.FINGERPRINTS[0]), cv2.IMREAD_GRAYSCALE)
    values = [METER.measure(cv2.GaussianBlur(image, (0, 0), s) if s else image).laplacian_var for s in (0, 1, 2, 4)]
    assert values == sorted(values, reverse=True) and values[-1] < values[0] / 10


def test_flat_frame_is_zero():
    s = METER.measure(np.full((20, 30), 77, np.uint8))
    assert (s.laplacian_var, s.tenengrad) == (0.0, 0.0)


@pytest.mark.parametrize("frame", [np.zeros((2, 9), np.uint8), np.zeros((9, 2), np.uint8),
                                   np.zeros((9, 9), np.float64), np.zeros((9, 9, 3), np.uint8),
                                   np.zeros((9, 18), np.uint8)[:, ::2]],
                         ids=["2-rows", "2-cols", "float", "colour", "strided"])
def test_bad_frames(frame):
    with pytest.raises(ValueError):
        METER.measure(frame)


@given(hnp.arrays(np.uint8, hnp.array_shapes(min_dims=2, max_dims=2, min_side=3, max_side=48)))
def test_property_agrees_with_opencv(frame):
    agree(frame)


def vector_levels() -> list[str]:
    """Every kernel level this CPU runs (plain C first), each made the active one in turn; the widest again after."""
    names = list(dict.fromkeys(use_vectors(cap) for cap in range(len(VECTOR_LEVELS))))
    use_vectors()
    return names


def each_level(check) -> None:
    """Run `check()` with each kernel level active (plain C, AVX2, AVX-512BW with VNNI, as far as the CPU goes)."""
    try:
        for cap in range(len(VECTOR_LEVELS)):
            use_vectors(cap)
            check()
    finally:
        use_vectors()


def test_the_default_is_the_widest_level():
    assert vector_levels()[-1] == use_vectors() and vector_levels()[0] == "plain C"


# widths around one vector (32 or 64 pixels: the masked last vector takes 1..63 pixels already counted), two,
# the 2048-pixel chunk, and the frame sizes a camera gives
@pytest.mark.parametrize("width", [3, 4, 15, 16, 17, 18, 19, 33, 34, 35, 36, 65, 66, 67, 97, 98, 130, 641, 642,
                                   1025, 1026, 1027, 1920, 1921, 2049, 2050, 2051, 2113])
def test_fast_path_agrees_at_simd_and_chunk_edges(width):
    frame = np.random.default_rng(width).integers(0, 256, (7, width), dtype=np.uint8)
    each_level(lambda: approx_reference(frame))



# heights around the vector levels' bands of 16 rows (a band of one row, a band cut short by the frame's end) and
# the prefetch of the band after, which stops at the frame's last row
@pytest.mark.parametrize("height", [3, 4, 17, 18, 19, 20, 33, 34, 35, 50])
@pytest.mark.parametrize("width", [35, 66, 130])
def test_fast_path_agrees_at_band_edges(height, width):
    frame = np.random.default_rng(height * 1000 + width).integers(0, 256, (height, width), dtype=np.uint8)
    each_level(lambda: approx_reference(frame))

def approx_reference(frame: np.ndarray) -> None:
    assert METER.laplacian_var(frame) == pytest.approx(reference(frame)[0], rel=1e-9, abs=1e-6)


def test_fast_path_extremes_and_crops():
    checker = (np.indices((64, 2100)).sum(axis=0) % 2 * 255).astype(np.uint8)  # |Laplacian| = 1020 everywhere
    image = cv2.imread(str(samples.FACE), cv2.IMREAD_GRAYSCALE)
    crop = image[5:400, 3:250]  # rows that start at any address: the vector loads are unaligned

    def check() -> None:
        assert METER.laplacian_var(checker) == pytest.approx(reference(checker)[0], rel=1e-12)
        assert METER.laplacian_var(crop) == pytest.approx(reference(np.ascontiguousarray(crop))[0], rel=1e-9)
        assert METER.laplacian_var(image) == pytest.approx(METER.measure(image).laplacian_var, rel=1e-12)
    each_level(check)


@given(hnp.arrays(np.uint8, hnp.array_shapes(min_dims=2, max_dims=2, min_side=3, max_side=150)))
def test_property_fast_path_agrees(frame):
    each_level(lambda: approx_reference(frame))


@pytest.mark.parametrize("shape", [(3, 3), (7, 2051), (1080, 1920)])
def test_opencv_reference_agrees_with_the_single_pass_kernel(shape):
    """The bench's baseline (16-bit Laplacian + meanStdDev) computes the kernel's number; a crop keeps its stride."""
    frame = np.random.default_rng(shape[1]).integers(0, 256, shape, dtype=np.uint8)
    assert METER.laplacian_var(frame) == pytest.approx(opencv_laplacian_var(frame), rel=1e-12, abs=1e-9)
    crop = frame[:, 1:-1] if shape[1] > 3 else frame
    assert METER.laplacian_var(crop) == pytest.approx(opencv_laplacian_var(np.ascontiguousarray(crop)), rel=1e-12)
