"""PNG encoding of what the station stores: lossless round trip, clear errors."""

import cv2
import numpy as np
import pytest

from native.imaging import encode_png


@pytest.mark.parametrize("shape", [(1, 1), (480, 640), (7, 5, 3)])
def test_lossless_round_trip(shape):
    image = np.random.default_rng(0).integers(0, 256, shape, dtype=np.uint8)
    flag = cv2.IMREAD_UNCHANGED
    assert np.array_equal(cv2.imdecode(np.frombuffer(encode_png(image), np.uint8), flag), image)


@pytest.mark.parametrize("bad", [np.zeros((4, 4), np.float32), np.zeros((0, 4), np.uint8),
                                 np.zeros((4, 4, 4), np.uint8), "not an image"])
def test_bad_images_are_refused(bad):
    with pytest.raises(ValueError, match="expected"):
        encode_png(bad)
