"""What the capture engine needs from each device, as protocols: station/ never imports drivers/.

Any object with these methods works (drivers/, native.vendor, a test double made of real parts). A device call
that fails raises an exception carrying `.retryable` (try again: no finger yet, busy, a frozen frame) or
`.disconnected` (the device is gone: the engine pauses that capture and reopens the device when asked again).
"""

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np


class Camera(Protocol):
    """A colour camera; `read()` returns a frame object whose `.image` is an H x W x 3 uint8 BGR array."""

    def open(self) -> None: ...
    def close(self) -> None: ...
    def read(self) -> Any: ...


class FingerScanner(Protocol):
    """A fingerprint scanner (single finger or 4-4-2 slap platen), e.g. native.vendor.FutronicScanner."""

    def open(self) -> None: ...
    def close(self) -> None: ...
    def finger_present(self) -> bool: ...
    def read_frame(self) -> np.ndarray: ...


class IrisCamera(Protocol):
    """An iris camera, e.g. native.vendor.IriTechCamera: `capture(eye)` blocks until an eye image or an error."""

    def open(self) -> None: ...
    def close(self) -> None: ...
    def capture(self, eye: str, *, max_polls: int = 200, poll_interval_s: float = 0.05,
                on_preview: Any = None) -> np.ndarray: ...


class SignaturePadDevice(Protocol):
    """A serial signature pad, e.g. drivers.signature_pad.TopazPad: `capture()` blocks until the signature is done
    (strokes JSON: the operator's `finish()`, or the pen out of range after a stroke) or it is stopped or times out
    (None)."""

    def open(self) -> None: ...
    def close(self) -> None: ...
    def capture(self, timeout_s: float = 60.0, should_stop: Any = None) -> bytes | None: ...


@dataclass
class Devices:
    """The devices a capture uses; None where the kit has none (that modality then waits for a device)."""

    camera: Camera | None = None
    finger_scanner: FingerScanner | None = None
    iris_camera: IrisCamera | None = None
    finger_mode: str = "single"  # "single" (one finger at a time) or "slap" (4-4-2 slaps on a slap platen)
    signature_pad: SignaturePadDevice | None = None  # None: the student signs on the touchscreen


def is_disconnect(error: BaseException) -> bool:
    """True for a device error that means the device is gone."""
    return bool(getattr(error, "disconnected", False))


def is_retryable(error: BaseException) -> bool:
    """True for a device error worth simply trying again."""
    return bool(getattr(error, "retryable", False))


def device_label(device: object) -> str:
    """Something to tell the operator and store in metadata: serial number, else SDK library, else class name."""
    for attribute in ("serial", "device_id", "lib_path"):
        value = getattr(device, attribute, None)
        if value:
            return str(value)
    return type(device).__name__
