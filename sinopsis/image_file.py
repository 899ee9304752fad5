"""Reading one image file a person names (`sinopsis quality IMAGE`): every way a file can be wrong gets its own
coded ImageFileError that says what is wrong and what to do, and nothing is decoded that could exhaust memory.

Checked in order: the path exists and is a regular file (not a directory, FIFO, device or socket; a symlink is
followed, so one to /dev/zero is a device), it is at most MAX_FILE_BYTES (contract/files.py reads it, in bounded
chunks), it decodes (PNG, PGM, JPEG, BMP, TIFF), its pixel count is at most MAX_PIXELS (OpenCV refuses larger
ones before allocating them), it is 8-bit, and it has 1, 3 or 4 channels (4: an alpha channel, accepted only when
fully opaque).
"""

import os
from pathlib import Path
from typing import TYPE_CHECKING

from contract.errors import ImageFileError
from contract.files import KINDS, read_bounded

MAX_FILE_BYTES = KINDS["image"].limit  # a 1080p PNG is a few MB; a slap TIFF at 500 ppi about 2.5 MB
MAX_PIXELS = 40_000_000  # 40 MP: far above any capture device of the kit (1080p is 2 MP, a slap 2.4 MP)
# OpenCV reads this once, when it loads: a decode larger than this is refused before its pixels are allocated (a
# small compressed file can hold a huge image). Set here, before anything in the `sinopsis` process imports cv2.
os.environ.setdefault("OPENCV_IO_MAX_IMAGE_PIXELS", str(MAX_PIXELS))

if TYPE_CHECKING:  # numpy and cv2 load when an image is read: every `sinopsis` command imports this module
    import numpy as np


def _read_bytes(path: Path) -> bytes:
    data = read_bounded(path, "image", error=ImageFileError)  # regular file, at most MAX_FILE_BYTES, chunked
    if not data:
        raise ImageFileError(f"{path}: the file is empty; check it was copied completely", "image.empty")
    return data


def _decode(path: Path, data: bytes) -> "np.ndarray":
    import cv2
    import numpy as np

    level = cv2.utils.logging.getLogLevel()
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)  # our message says it; not OpenCV's chatter
    try:
        image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    except cv2.error:
        image = None
    finally:
        cv2.utils.logging.setLogLevel(level)
    if image is None or image.size == 0:
        raise ImageFileError(f"{path}: not an image that can be decoded (PNG, PGM, JPEG, BMP, TIFF up to "
                             f"{MAX_PIXELS // 1_000_000} megapixels); check the file is complete", "image.undecodable")
    return image


def read_image(path: Path, colour: bool) -> "np.ndarray":
    """The image in `path` as uint8, BGR (H, W, 3) when `colour`, else grey (H, W); ImageFileError otherwise."""
    import cv2
    import numpy as np

    path = Path(path)
    image = _decode(path, _read_bytes(path))
    if image.shape[0] * image.shape[1] > MAX_PIXELS:
        raise ImageFileError(f"{path}: {image.shape[1]}x{image.shape[0]} pixels is too large (at most "
                             f"{MAX_PIXELS // 1_000_000} megapixels); export a smaller copy", "image.too_large")
    if image.dtype != np.uint8:
        bits = image.dtype.itemsize * 8
        raise ImageFileError(f"{path}: a {bits}-bit image ({image.dtype}); the quality checks take 8-bit images, "
                             "as the capture devices give them: export it as 8-bit", "image.depth")
    channels = 1 if image.ndim == 2 else image.shape[2]
    if channels == 4:
        if int(image[:, :, 3].min()) < 255:
            raise ImageFileError(f"{path}: has transparent pixels (an alpha channel); a capture has none: export "
                                 "it without transparency", "image.alpha")
        image = cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    elif channels not in (1, 3):
        raise ImageFileError(f"{path}: {channels} channels; give a grey or colour image", "image.channels")
    if colour:
        return image if image.ndim == 3 else cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    return image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
