"""Sample images shipped with the project (licences in README.md beside this file)."""

from pathlib import Path

SAMPLES_DIR = Path(__file__).resolve().parent

FACE = SAMPLES_DIR / "face" / "astronaut.png"
FINGERPRINTS = tuple(sorted((SAMPLES_DIR / "fingerprint").glob("SFinGe_Test0*.pgm")))
IRIS = SAMPLES_DIR / "iris" / "open-iris-anonymized.png"

# The sample portrait's face box, as OpenCV's frontal-face cascade finds it, in the sample's own pixels.
FACE_BOX = (174, 64, 99, 99)

BACKDROPS_BGR = {"red": (36, 28, 200), "blue": (190, 110, 20), "grey": (200, 200, 200)}


def portrait(backdrop: str = "red", width: int = 640, height: int = 480, face_share: float = 0.25):
    """A synthetic e-KTP portrait: the sample's head cut out with an ellipse, over a dark uniform and a plain
    backdrop, the face box `face_share` of the frame width, centred. Returns an H x W x 3 uint8 BGR array.

    For tests, the demo and the camera simulator. Imports OpenCV lazily (the package itself needs only numpy).
    """
    import cv2
    import numpy as np

    image = cv2.imread(str(FACE))
    fx, fy, fw, fh = FACE_BOX
    scale = face_share * width / fw
    centre_x, centre_y = width / 2, height * 0.5  # where the face box centre goes
    # sample -> frame: x' = (x - (fx + fw/2)) * scale + centre_x
    matrix = np.array([[scale, 0, centre_x - (fx + fw / 2) * scale], [0, scale, centre_y - (fy + fh / 2) * scale]])
    head = cv2.warpAffine(image, matrix, (width, height), flags=cv2.INTER_CUBIC)
    mask = np.zeros((height, width), np.uint8)
    axes = (round(fw * 0.78 * scale), round(fh * 0.98 * scale))
    cv2.ellipse(mask, (round(centre_x), round(centre_y - fh * 0.22 * scale)), axes, 0, 0, 360, 255, -1)
    frame = np.empty((height, width, 3), np.uint8)
    frame[:] = BACKDROPS_BGR[backdrop]
    shoulders = (round(centre_x), round(centre_y + fh * 1.45 * scale))
    cv2.ellipse(frame, shoulders, (round(fw * 1.6 * scale), round(fh * 0.8 * scale)), 0, 0, 360, (60, 50, 45), -1)
    np.copyto(frame, head, where=mask[:, :, None] > 0)
    return frame


BENCH_PORTRAIT = "B000490_red"  # a real person of the face development set (faces/LICENSES.md), frontal, red


def real_portrait(width: int = 1920, height: int = 1080, name: str = BENCH_PORTRAIT, share: float = 0.9):
    """A real portrait of the face development set (`faces/<name>.jpg`) as a capture frame of width x height: scaled
    so it fills `share` of the frame height, standing on the bottom edge, centred, the rest filled with its own
    backdrop colour (the median of its top corners). For the benches and the live loop, which must run the whole
    face pipeline (detector, landmarks, metrics) on a real face at the camera's size. Returns H x W x 3 uint8 BGR.
    """
    import cv2
    import numpy as np

    image = cv2.imread(str(SAMPLES_DIR / "faces" / f"{name}.jpg"))
    if image is None:
        raise FileNotFoundError(f"no portrait {name!r} in {SAMPLES_DIR / 'faces'}")
    scale = min(share * height / image.shape[0], width / image.shape[1])
    image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    side = max(2, image.shape[1] // 10)
    corners = np.concatenate([image[:side, :side].reshape(-1, 3), image[:side, -side:].reshape(-1, 3)])
    frame = np.empty((height, width, 3), np.uint8)
    frame[:] = np.median(corners, axis=0).astype(np.uint8)
    top, left = height - image.shape[0], (width - image.shape[1]) // 2
    frame[top:, left:left + image.shape[1]] = image
    return frame


def with_reflections(eye, region, fraction: float, seed: int = 0, radii: tuple[int, int] = (6, 22)):
    """Saturated reflections on a grey eye image, as glasses or a lamp put them: discs at 255 (radius in `radii`,
    centred in `region`, a boolean mask) with a soft 1.5 px rim, added until they cover `fraction` of `region`.
    Returns the image and the discs' mask. For the iris tests and the glare screenshot; OpenCV imported lazily."""
    import cv2
    import numpy as np

    rng = np.random.default_rng(seed)
    ys, xs = np.nonzero(region)
    hard = np.zeros(eye.shape, np.uint8)
    while (hard.astype(bool) & region).sum() < fraction * region.sum():
        i = rng.integers(len(xs))
        cv2.circle(hard, (int(xs[i]), int(ys[i])), int(rng.integers(*radii)), 1, -1)
    alpha = np.clip(cv2.GaussianBlur(hard.astype(np.float32), (0, 0), 1.5) + hard, 0, 1)
    return (eye * (1 - alpha) + 255 * alpha).round().astype(np.uint8), hard.astype(bool)
