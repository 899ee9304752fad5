"""Cameras: a V4L2 webcam through OpenCV, and a replay camera (files or in-memory frames) paced to real time.

Both have the same surface: `open()`, `close()`, context manager, `size`, `fps`, `read() -> Frame`, `dropped`.
`Frame.image` is an H x W x 3 uint8 BGR array owned by the frame (safe to keep). Faults follow drivers/base.py:
a missing device is DeviceNotFoundError; a device that stops delivering is DeviceError(disconnected=True); a
frozen stream (the same picture again and again) is DeviceError(code="frozen", retryable=True).
"""

import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from drivers.base import DeviceError, DeviceNotFoundError

FOURCCS = {"YUYV": "YUYV", "MJPG": "MJPG", "GREY": "GREY"}
FROZEN_AFTER = 15  # identical frames in a row (half a second at 30 fps) before the stream counts as frozen


@dataclass(frozen=True)
class Frame:
    """One camera frame: BGR pixels, its number, when it was captured (time.monotonic) and the camera's id."""

    image: np.ndarray
    index: int
    timestamp: float
    device_id: str


class FrozenDetector:
    """Notices a stream that repeats the same picture: a hash of a 16x16 subsampled grid per frame."""

    def __init__(self, limit: int = FROZEN_AFTER) -> None:
        self.limit, self._last, self._repeats = limit, b"", 0

    def check(self, image: np.ndarray, device_id: str) -> None:
        """Raise DeviceError(code="frozen", retryable=True) after `limit` identical frames in a row."""
        h, w = image.shape[:2]
        grid = np.ascontiguousarray(image[:: max(1, h // 16), :: max(1, w // 16)])
        digest = hashlib.blake2b(grid.tobytes(), digest_size=8).digest()
        self._repeats = self._repeats + 1 if digest == self._last else 0
        self._last = digest
        if self._repeats >= self.limit:
            raise DeviceError(f"the picture has not changed for {self._repeats} frames (frozen stream); "
                              "check the cable, or unplug and replug the camera", device=device_id, code="frozen",
                              retryable=True)


class V4L2Camera:
    """A UVC webcam through OpenCV's V4L2 backend, asking for a pixel format, size and rate."""

    def __init__(self, device: str = "/dev/video0", width: int = 1280, height: int = 720, fps: int = 30,
                 pixel_format: str = "MJPG") -> None:
        if pixel_format not in FOURCCS:
            raise ValueError(f"pixel_format must be one of {sorted(FOURCCS)}, not {pixel_format!r}")
        self.device, self.requested = device, (width, height, fps, pixel_format)
        self.size, self.fps, self.mode = (width, height), fps, ""
        self.dropped, self._cap, self._index, self._frozen = 0, None, 0, FrozenDetector()

    def open(self) -> None:
        """Open the device and read back the mode it agreed to; DeviceNotFoundError/DeviceError if unusable."""
        if not Path(self.device).exists():
            raise DeviceNotFoundError("no such camera device; check the USB cable and `ls /dev/video*`, or the "
                                      "camera path in station.toml", device=self.device)
        width, height, fps, fmt = self.requested
        cap = cv2.VideoCapture(self.device, cv2.CAP_V4L2)
        if not cap.isOpened():
            raise DeviceError("the camera would not open (in use by another program, or no permission: is the "
                              "service user in the 'video' group?)", device=self.device, code="open_failed")
        cap.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter_fourcc(*FOURCCS[fmt]))
        cap.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        cap.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        cap.set(cv2.CAP_PROP_FPS, fps)
        got = (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)),
               cap.get(cv2.CAP_PROP_FPS))
        problem = check_mode(got[0], got[1], got[2])
        if problem:
            cap.release()
            raise DeviceError(problem, device=self.device, code="bad_mode")
        self.size, self.fps = (got[0], got[1]), got[2]
        self.mode = f"{got[0]}x{got[1]} @ {got[2]:g} fps ({fmt} requested)"
        self._cap = cap

    def close(self) -> None:
        """Release the device (safe twice)."""
        if self._cap is not None:
            self._cap.release()
            self._cap = None

    def __enter__(self) -> "V4L2Camera":
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def read(self) -> Frame:
        """The next frame; a failed grab means the camera is gone (unplugged)."""
        if self._cap is None:
            raise DeviceError("camera is not open", device=self.device, code="not_open")
        ok, image = self._cap.read()
        if not ok or image is None:
            raise DeviceError("the camera stopped delivering frames (unplugged?)", device=self.device,
                              code="read_failed", disconnected=True)
        self._index += 1
        self._frozen.check(image, self.device)
        return Frame(image, self._index, time.monotonic(), self.device)


def check_mode(width: int, height: int, fps: float, min_width: int = 640, min_height: int = 480) -> str | None:
    """Why a negotiated camera mode is unusable for the e-KTP portrait, or None if it is fine."""
    if width < min_width or height < min_height:
        return (f"the camera gives {width}x{height}; the portrait needs at least {min_width}x{min_height} "
                "(pick another camera or pixel format in station.toml)")
    if not fps or fps < 5:
        return f"the camera gives {fps:g} fps; live feedback needs at least 5"
    return None


FAULTS = ("black", "white", "freeze", "unplug")


NOISE_BANK = 7  # noise planes per frame shape; prime, so the cycle never lines up with a detector's every-Nth frame


class ReplayCamera:
    """Frames from images, videos or arrays, paced to `fps` in real time, looping; for the simulator and tests.

    `sources` are paths (images or videos) and/or BGR arrays. `noise` adds 0..noise grey levels of sensor
    noise per frame (a still picture from a live sensor is never bit-identical; without it a still image looks
    frozen). `faults` maps a frame index (1-based) to "black" or "white" (that frame is all black / blown out),
    "freeze" (from there the same frame repeats until `thaw()`), or "unplug" (from there read() fails as an
    unplugged camera until `replug()`). If the consumer is late, frames that were due meanwhile are skipped and
    counted in `dropped`.
    """

    def __init__(self, sources: Sequence[str | Path | np.ndarray], fps: float = 30.0, loop: bool = True,
                 size: tuple[int, int] | None = None, faults: dict[int, str] | None = None,
                 device_id: str = "replay", noise: int = 0) -> None:
        if fps <= 0:
            raise ValueError(f"fps must be positive (got {fps})")
        for index, fault in (faults or {}).items():
            if fault not in FAULTS:
                raise ValueError(f"fault at frame {index} must be one of {FAULTS}, not {fault!r}")
        self.frames = [_load(s, size) for s in sources]
        if not self.frames:
            raise ValueError("a replay camera needs at least one frame")
        self.fps, self.loop, self.faults, self.device_id = fps, loop, dict(faults or {}), device_id
        self.size = (self.frames[0].shape[1], self.frames[0].shape[0])
        self.dropped, self._index, self._start, self._frozen_frame, self._unplugged = 0, 0, 0.0, None, False
        self._frozen = FrozenDetector()
        self.noise, self._rng = noise, np.random.default_rng(0)
        self._noise_bank: dict[tuple[int, ...], list[np.ndarray]] = {}

    def open(self) -> None:
        """Start the clock (and fail while unplugged). The noise is drawn first, so that the first frames come at
        the camera's pace like a real sensor's, not late by the drawing (a 1080p bank takes tens of ms)."""
        if self._unplugged:
            raise DeviceNotFoundError("replay camera is unplugged", device=self.device_id)
        for frame in self.frames if self.noise else ():
            self._bank(frame.shape)
        self._start = time.monotonic() - self._index / self.fps

    def close(self) -> None:
        """Nothing to release."""

    def __enter__(self) -> "ReplayCamera":
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def set_frames(self, sources: Sequence[str | Path | np.ndarray]) -> None:
        """Show other pictures from the next frame on (the simulator's next student)."""
        frames = [_load(s, None) for s in sources]
        if not frames:
            raise ValueError("a replay camera needs at least one frame")
        self.frames = frames

    def replug(self) -> None:
        """The camera is back."""
        self._unplugged = False

    def thaw(self) -> None:
        """The frozen stream moves again (its frames are counted afresh: the next one may look like the frozen
        one when the loop comes round to it)."""
        self._frozen_frame = None
        self._frozen = FrozenDetector()

    def read(self) -> Frame:
        """The next due frame, after waiting for its time."""
        if self._unplugged:
            raise DeviceError("replay camera unplugged", device=self.device_id, code="read_failed", disconnected=True)
        due = self._start + self._index / self.fps
        now = time.monotonic()
        previous = self._index
        if now < due:
            time.sleep(due - now)
        else:
            late = int((now - due) * self.fps)
            self.dropped += late
            self._index += late
        self._index += 1
        fault = self.faults.get(self._index)
        skipped = {self.faults.get(i) for i in range(previous + 1, self._index)}
        fault = next((f for f in ("unplug", "freeze") if f in skipped), fault)  # lasting faults are not skipped
        if fault == "unplug":
            self._unplugged = True
            raise DeviceError("replay camera unplugged", device=self.device_id, code="read_failed", disconnected=True)
        if fault == "freeze":
            self._frozen_frame = self._pick(self._index)
        image = self._frozen_frame if self._frozen_frame is not None else self._pick(self._index)
        if fault in ("black", "white"):
            image = np.full_like(image, 0 if fault == "black" else 255)
        image = image.copy()
        if self.noise and self._frozen_frame is None and fault is None:  # a live sensor is never bit-identical
            cv2.add(image, self._noise_for(image.shape), dst=image)  # saturates
        self._frozen.check(image, self.device_id)
        return Frame(image, self._index, time.monotonic(), self.device_id)

    def _noise_for(self, shape: tuple[int, ...]) -> np.ndarray:
        """This frame's sensor noise, from a bank of NOISE_BANK planes drawn once per frame shape: drawing 6 M
        random numbers for every 1080p frame would cost the simulated camera more than the analysis it feeds."""
        return self._bank(shape)[self._index % NOISE_BANK]

    def _bank(self, shape: tuple[int, ...]) -> list[np.ndarray]:
        bank = self._noise_bank.get(shape)
        if bank is None:
            bank = self._noise_bank[shape] = [self._rng.integers(0, self.noise + 1, shape, dtype=np.uint8)
                                              for _ in range(NOISE_BANK)]
        return bank

    def _pick(self, index: int) -> np.ndarray:
        position = index - 1
        if self.loop:
            return self.frames[position % len(self.frames)]
        return self.frames[min(position, len(self.frames) - 1)]


def _load(source: str | Path | np.ndarray, size: tuple[int, int] | None) -> np.ndarray:
    if isinstance(source, np.ndarray):
        image = source
    else:
        path = Path(source)
        if not path.is_file():
            raise ValueError(f"{path}: no such image or video file")
        image = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if image is None:
            capture = cv2.VideoCapture(str(path))
            ok, image = capture.read()
            capture.release()
            if not ok or image is None:
                raise ValueError(f"{path}: neither an image nor a video OpenCV can decode")
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        raise ValueError("replay frames must be H x W x 3 uint8 BGR")
    return cv2.resize(image, size) if size else np.ascontiguousarray(image)
