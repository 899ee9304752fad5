"""The e-KTP ID-photo crop around a detected face (3:4, the face box half its height), cut from the frame the
face gate passed; the capture engine keeps it as the record's portrait.
"""

import numpy as np

from native.face import FaceBox, colour_frame_pointer

ID_PHOTO_ASPECT = 3 / 4  # e-KTP photo, width : height
FACE_SHARE_OF_PHOTO = 0.5  # the detector's face box is about half the photo's height (hair above, shoulders below)


def id_photo_box(box: FaceBox, width: int, height: int) -> FaceBox:
    """The ID-photo crop around a face box: 3:4, the face box half its height, centred on the face, a little
    more room above (hair) than below; shifted to stay inside the frame, shrunk (same aspect) if it cannot."""
    crop_h = min(round(box.height / FACE_SHARE_OF_PHOTO), height, round(width / ID_PHOTO_ASPECT))
    crop_w = round(crop_h * ID_PHOTO_ASPECT)
    x = round(box.x + box.width / 2 - crop_w / 2)
    y = round(box.y - (crop_h - box.height) * 0.55)
    x = min(max(0, x), width - crop_w)
    y = min(max(0, y), height - crop_h)
    return FaceBox(x, y, crop_w, crop_h)


def crop_id_photo(frame: np.ndarray, box: FaceBox) -> np.ndarray:
    """A copy of the ID-photo region of a BGR frame around a face box (see id_photo_box)."""
    colour_frame_pointer(frame)
    crop = id_photo_box(box, frame.shape[1], frame.shape[0])
    return frame[crop.y:crop.y + crop.height, crop.x:crop.x + crop.width].copy()
