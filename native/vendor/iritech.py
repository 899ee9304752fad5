"""IriTech iris cameras (IriShield class) through the vendor's IDDK 2000 (libIddk2000.so).

ABI-mode cffi binding: the cdef comes from our own native/vendor/iddk2000.h, the library path from config
([devices] iris_sdk; "sim" is our simulator in native/sim/). A capture is start → poll the status → fetch the
result image (640x480 K2, raw 8-bit) → stop; the SDK's callback is not used, so no C thread calls Python.

Loading asks the SDK its version (Iddk_GetSdkVersion) and refuses a major version that is not in
SUPPORTED_MAJORS, or a library without the version function, with VendorVersionError: later IDDKs change
Iddk_GetResultImage's arguments and the IddkImage layout under the same symbol names, which the symbol check
cannot see and which would give wrong images rather than an error (docs/devices.md, "IriTech SDK versions").

Not thread-safe: one camera object belongs to one capture thread.
"""

import contextlib
import math
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Literal

import numpy as np

from native.vendor._loader import SdkLibrary, load_sdk, resolve_sdk_path
from native.vendor.errors import DeviceNotOpenError, IrisCameraError, VendorLibraryError, VendorVersionError

HEADER = "iddk2000.h"
SIM_LIBRARY = "libIddk2000.so"
WHAT = "IriTech IDDK 2000"
VERSION_FUNCTION = "Iddk_GetSdkVersion"
# Major versions of the IDDK this binding can drive -> our header declaring that version's ABI (the cdef to load).
# Add a major only with a header for its exact Iddk_GetResultImage signature and IddkImage layout.
SUPPORTED_MAJORS: dict[int, str] = {2: HEADER}
# Why a known but unbound major is refused, for the technician's message.
_UNBOUND_REASONS = {
    3: "public IDDK headers after 2.x add an argument to Iddk_GetResultImage and liveness/eye-side fields to "
       "IddkImage, and none says which 3.x releases do, so this binding could read a 3.x SDK's images wrongly",
}
_HINT = "install IriTech's IDDK 2000 for Linux (libIddk2000.so) or set iris_sdk = \"sim\" for the simulator."
Eye = Literal["left", "right"]

_MESSAGES = {
    "IDDK_FAILED": "the camera reported a failure",
    "IDDK_DEVICE_NOT_FOUND": "no IriTech camera found; check that it is plugged in",
    "IDDK_DEVICE_OPEN_FAILED": "the camera could not be opened (simulator: see its message on stderr)",
    "IDDK_DEVICE_NOT_OPEN": "the camera is not open",
    "IDDK_DEVICE_ALREADY_OPEN": "the camera is already open (by this or another program)",
    "IDDK_DEVICE_ACCESS_DENIED": "no permission to use the camera (udev rules?)",
    "IDDK_DEVICE_IO_FAILED": "USB I/O with the camera failed (unplugged?); reconnect it and reopen",
    "IDDK_DEVICE_IO_TIMEOUT": "the camera did not answer in time",
    "IDDK_UNSUPPORTED_IMAGE_FORMAT": "the camera cannot deliver that image kind/format",
    "IDDK_INVALID_HANDLE": "stale device handle",
    "IDDK_INVALID_PARAMETER": "invalid parameter",
    "IDDK_WRONG_EYE_SUBTYPE": "this camera cannot capture that eye",
    "IDDK_DEV_BUSY": "the camera is busy; try again",
    "IDDK_SE_NOT_INIT": "the camera was not initialised (Iddk_InitCamera)",
    "IDDK_SE_NO_CAM": "no camera sensor answered",
    "IDDK_SE_STARTSTOP_CAPTURE_FAILED": "a capture could not be started or stopped",
    "IDDK_SE_NO_FRAME_AVAILABLE": "no captured image is available",
    "IDDK_SE_NO_QUALIFIED_FRAME": "no image good enough was captured; try again",
    "IDDK_SE_RIGHT_FRAME_UNQUALIFIED": "the right-eye image was not good enough",
    "IDDK_SE_LEFT_FRAME_UNQUALIFIED": "the left-eye image was not good enough",
}
_RETRYABLE = {"IDDK_DEV_BUSY", "IDDK_DEVICE_IO_TIMEOUT", "IDDK_SE_NO_FRAME_AVAILABLE", "IDDK_SE_NO_QUALIFIED_FRAME",
              "IDDK_SE_RIGHT_FRAME_UNQUALIFIED", "IDDK_SE_LEFT_FRAME_UNQUALIFIED"}
_DISCONNECTED = {"IDDK_DEVICE_NOT_FOUND", "IDDK_DEVICE_IO_FAILED", "IDDK_DEV_IO_FAILED", "IDDK_SE_NO_CAM"}


def decode_sdk_version(raw: int) -> tuple[int, int, int]:
    """(major, minor, build) from Iddk_GetSdkVersion's packed value: major in bits 31-24, minor in bits 23-16,
    build in bits 7-0, as IriTech's samples decode it (bits 15-8 are not part of the version)."""
    return (raw >> 24) & 0xFF, (raw >> 16) & 0xFF, raw & 0xFF


def _supported_text() -> str:
    """The supported majors as a technician reads them: "2.x"."""
    return ", ".join(f"{major}.x" for major in sorted(SUPPORTED_MAJORS))


def load_iddk(lib_path: str | Path) -> tuple[SdkLibrary, tuple[int, int, int]]:
    """Load the IDDK at `lib_path` with the header of the major version it reports; return it and its version.

    Raises VendorLibraryError for a missing, unloadable or foreign library (as every binding does), and
    VendorVersionError when the library lacks Iddk_GetSdkVersion (IDDK_VERSION_UNKNOWN) or reports a major version
    not in SUPPORTED_MAJORS (IDDK_VERSION_UNSUPPORTED): names the library, the version it reports, the versions
    supported and what to do.
    """
    path = resolve_sdk_path(lib_path, SIM_LIBRARY)
    supported = tuple(sorted(SUPPORTED_MAJORS))
    what_to_do = (f"Install IriTech's IDDK 2000 {_supported_text()} for Linux and point [devices] iris_sdk in "
                  f"station.toml at its libIddk2000.so (or set iris_sdk = \"sim\" for the simulator); another IDDK "
                  f"version needs a SINOPSIS update that binds its API. See docs/devices.md, \"IriTech SDK versions\".")
    try:
        sdk = load_sdk(HEADER, path, WHAT, _HINT)
    except VendorLibraryError as e:
        if e.missing != (VERSION_FUNCTION,):
            raise
        raise VendorVersionError(
            f"{e.path} has the {WHAT} functions but not {VERSION_FUNCTION}, so it cannot say which IDDK version it "
            f"is; this station supports IDDK {_supported_text()} only and will not guess, since another version "
            f"would return wrong iris images. {what_to_do}", e.path, "IDDK_VERSION_UNKNOWN", None, supported,
            e.missing) from None
    raw = int(getattr(sdk.lib, VERSION_FUNCTION)())
    version = decode_sdk_version(raw)
    major = version[0]
    if major not in SUPPORTED_MAJORS:
        reason = _UNBOUND_REASONS.get(major, "this binding was not written for that version's API")
        raise VendorVersionError(
            f"{sdk.path} is {WHAT} version {'.'.join(map(str, version))} ({VERSION_FUNCTION}() = {raw:#010x}), but "
            f"this station supports IDDK {_supported_text()} only: {reason}. {what_to_do}", str(sdk.path),
            "IDDK_VERSION_UNSUPPORTED", version, supported)
    if SUPPORTED_MAJORS[major] != HEADER:  # another major's ABI: load its declarations instead
        sdk = load_sdk(SUPPORTED_MAJORS[major], path, WHAT, _HINT)
    return sdk, version


class IriTechCamera:
    """One IriTech camera: open() → capture("left") / capture("right") … → close(); or use `with`.

    `lib_path` is the SDK library ("sim" for our simulator). Loading checks every function we declare and the
    SDK's version: VendorLibraryError for a missing or wrong library, its subclass VendorVersionError for an IDDK
    version we do not bind; SDK failures raise IrisCameraError.
    """

    def __init__(self, lib_path: str | Path = "sim") -> None:
        self._sdk, self._version = load_iddk(lib_path)
        self._names = dict(self._sdk.ffi.typeof("IddkResult").elements)  # value -> name
        self._handle = None
        self._size: tuple[int, int] | None = None
        self._ok = self._sdk.lib.IDDK_OK

    @property
    def lib_path(self) -> Path:
        """The library actually loaded."""
        return self._sdk.path

    @property
    def sdk_version(self) -> tuple[int, int, int]:
        """(major, minor, build) the SDK reported at load (Iddk_GetSdkVersion), e.g. for the station's log."""
        return self._version

    def _error(self, code: int, call: str) -> IrisCameraError:
        """The exception for IddkResult `code` returned by `call`."""
        name = self._names.get(code, f"IDDK_UNKNOWN_{code:#x}")
        detail = _MESSAGES.get(name, "see the IDDK 2000 documentation for this code")
        return IrisCameraError(code, name, detail, call, name in _RETRYABLE, name in _DISCONNECTED)

    def _check(self, code: int, call: str) -> None:
        if code != self._ok:
            raise self._error(int(code), call)

    def devices(self) -> list[str]:
        """Names of the cameras the SDK finds (empty list when none)."""
        ffi = self._sdk.ffi
        names, count = ffi.new("const char ***"), ffi.new("int *")
        code = self._sdk.lib.Iddk_ScanDevices(names, count)
        if code == self._sdk.lib.IDDK_DEVICE_NOT_FOUND:
            return []
        self._check(code, "Iddk_ScanDevices")
        if count[0] < 0 or (count[0] > 0 and names[0] == ffi.NULL):
            raise IrisCameraError(None, "BAD_DEVICE_LIST", f"the SDK reported {count[0]} devices without names",
                                  "Iddk_ScanDevices")
        entries = (names[0][i] for i in range(count[0]))
        return [ffi.string(e).decode("utf-8", "replace") for e in entries if e != ffi.NULL]

    def open(self, device: str | None = None) -> None:
        """Open `device` (default: the first camera found) and initialise its sensor."""
        if self._handle is not None:
            return
        found = self.devices()
        if device is None:
            if not found:
                raise self._error(int(self._sdk.lib.IDDK_DEVICE_NOT_FOUND), "Iddk_ScanDevices")
            device = found[0]
        lib, ffi = self._sdk.lib, self._sdk.ffi
        handle = ffi.new("HIRICAMM *")
        self._check(lib.Iddk_OpenDevice(device.encode(), handle), "Iddk_OpenDevice")
        width, height = ffi.new("int *"), ffi.new("int *")
        code = lib.Iddk_InitCamera(handle[0], width, height)
        if code != self._ok:
            lib.Iddk_CloseDevice(handle[0])
            raise self._error(int(code), "Iddk_InitCamera")
        self._handle, self._size = handle[0], (int(width[0]), int(height[0]))

    def close(self) -> None:
        """Stop the sensor and close the camera (safe to call twice; errors while closing are ignored, the
        device may already be gone)."""
        if self._handle is not None:
            handle, self._handle = self._handle, None
            self._sdk.lib.Iddk_DeinitCamera(handle)
            self._sdk.lib.Iddk_CloseDevice(handle)

    def __del__(self) -> None:
        """A device object that is dropped while open releases the device (the SDK allows one open handle)."""
        with contextlib.suppress(Exception):  # never raise from a finalizer (interpreter shutdown, library gone)
            self.close()

    def __enter__(self) -> "IriTechCamera":
        self.open()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    @property
    def is_open(self) -> bool:
        """True between a successful open() and close()."""
        return self._handle is not None

    def _require_open(self) -> object:
        if self._handle is None:
            raise DeviceNotOpenError("iris camera is not open: call open() first (or it was closed)")
        return self._handle

    @property
    def image_size(self) -> tuple[int, int]:
        """(width, height) of the sensor, from Iddk_InitCamera."""
        self._require_open()
        return self._size

    def capture(self, eye: Eye, *, max_polls: int = 200, poll_interval_s: float = 0.05,
                on_preview: Callable[[np.ndarray], None] | None = None) -> np.ndarray:
        """Capture one eye and return its image: a new (height, width) uint8 array (a copy: the SDK's image
        memory is only valid until its next call). Polls the status at most `max_polls` times, sleeping
        `poll_interval_s` between polls; a capture that does not complete raises IrisCameraError
        CAPTURE_TIMEOUT (retryable). With `on_preview`, each poll while the camera is still looking also fetches
        its live frame (Iddk_GetStreamImage) and hands a copy of that eye's frame to `on_preview`, on this
        thread — the operator's live view; a poll without a frame is skipped. The capture is always stopped
        before returning or raising."""
        if eye not in ("left", "right"):
            raise ValueError(f"eye must be 'left' or 'right', not {eye!r}")
        if max_polls < 1 or poll_interval_s < 0:
            raise ValueError("max_polls must be >= 1 and poll_interval_s >= 0")
        handle = self._require_open()
        lib, ffi = self._sdk.lib, self._sdk.ffi
        subtype = lib.IDDK_LEFT_EYE if eye == "left" else lib.IDDK_RIGHT_EYE
        seconds = max(1, math.ceil(max_polls * poll_interval_s))
        self._check(lib.Iddk_StartCapture(handle, lib.IDDK_TIMEBASED, seconds, lib.IDDK_QUALITY_NORMAL,
                                          lib.IDDK_AUTO_CAPTURE, subtype, 1, ffi.NULL, ffi.NULL),
                    "Iddk_StartCapture")
        try:
            self._wait_complete(handle, max_polls, poll_interval_s, eye, on_preview)
            return self._result_image(handle, eye)
        finally:
            lib.Iddk_StopCapture(handle)

    def _wait_complete(self, handle: object, max_polls: int, poll_interval_s: float, eye: Eye,
                       on_preview: Callable[[np.ndarray], None] | None) -> None:
        lib, status = self._sdk.lib, self._sdk.ffi.new("IddkCaptureStatus *")
        for poll in range(max_polls):
            if poll and poll_interval_s:
                time.sleep(poll_interval_s)
            self._check(lib.Iddk_GetCaptureStatus(handle, status), "Iddk_GetCaptureStatus")
            if status[0] == lib.IDDK_COMPLETE:
                return
            if on_preview is not None and status[0] == lib.IDDK_CAPTURING:
                frame = self._stream_image(handle, eye)
                if frame is not None:
                    on_preview(frame)
            if status[0] == lib.IDDK_ABORT:
                raise IrisCameraError(None, "IDDK_ABORT", "the camera aborted the capture", "Iddk_GetCaptureStatus",
                                      retryable=True)
        raise IrisCameraError(None, "CAPTURE_TIMEOUT", f"no good eye image after {max_polls} status polls",
                              "Iddk_GetCaptureStatus", retryable=True)

    def _stream_image(self, handle: object, eye: Eye) -> np.ndarray | None:
        """The camera's current live frame of `eye` (a copy), or None when it has none to give right now."""
        lib, ffi = self._sdk.lib, self._sdk.ffi
        images, count, status = ffi.new("IddkImage **"), ffi.new("int *"), ffi.new("IddkCaptureStatus *")
        if lib.Iddk_GetStreamImage(handle, images, count, status) != lib.IDDK_OK:
            return None
        try:
            return self._copy_image(images, count, eye, "Iddk_GetStreamImage")
        except IrisCameraError:
            return None  # a damaged live frame is skipped: only the result image must be right

    def _result_image(self, handle: object, eye: Eye) -> np.ndarray:
        lib, ffi = self._sdk.lib, self._sdk.ffi
        images, count = ffi.new("IddkImage **"), ffi.new("int *")
        self._check(lib.Iddk_GetResultImage(handle, lib.IDDK_IKIND_K2, lib.IDDK_IFORMAT_MONO_RAW, 0, images, count),
                    "Iddk_GetResultImage")
        return self._copy_image(images, count, eye, "Iddk_GetResultImage")

    def _copy_image(self, images: object, count: object, eye: Eye, call: str) -> np.ndarray:
        """A copy of `eye`'s image among the SDK's images (binocular: [0] right, [1] left), checked."""
        lib, ffi = self._sdk.lib, self._sdk.ffi
        if images[0] == ffi.NULL or count[0] < 1:
            raise IrisCameraError(None, "NO_IMAGE", "the SDK returned no image", call)
        index = (0 if eye == "right" else 1) if count[0] >= 2 else 0  # binocular: [0] right, [1] left
        image = images[0][index]
        width, height = image.imageWidth, image.imageHeight
        if (image.imageData == ffi.NULL or not (0 < width <= 4096 and 0 < height <= 4096)
                or image.imageDataLen < width * height or image.imageFormat != lib.IDDK_IFORMAT_MONO_RAW):
            raise IrisCameraError(None, "BAD_IMAGE", f"the SDK returned an unusable {eye}-eye image ({width}x{height},"
                                  f" {image.imageDataLen} bytes)", call)
        raw = ffi.buffer(image.imageData, width * height)
        return np.frombuffer(raw, dtype=np.uint8).reshape(height, width).copy()
