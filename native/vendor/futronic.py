"""Futronic fingerprint scanners (FS80/FS88 class) through the vendor's ftrScanAPI (libScanAPI.so).

ABI-mode cffi binding: the cdef comes from our own native/vendor/ftrScanAPI.h, the library path from config
([devices] fingerprint_sdk; "sim" is our simulator in native/sim/). Per DESIGN §5 frames are read into one
buffer allocated at open(), so the live loop allocates nothing frame-sized.

Not thread-safe: one scanner object belongs to one capture thread (the SDK's last error is per thread too).
"""

import contextlib
from pathlib import Path
from types import TracebackType

import numpy as np

from native.vendor._loader import SdkLibrary, load_sdk, resolve_sdk_path
from native.vendor.errors import DeviceNotOpenError, FingerprintScannerError

HEADER = "ftrScanAPI.h"
SIM_LIBRARY = "libScanAPI.so"
_DROP = ("FTR_PACKED",)
_HINT = "install Futronic's Linux SDK (libScanAPI.so) or set fingerprint_sdk = \"sim\" for the simulator."
_MAX_SIDE = 4096  # no Futronic sensor comes near; a bigger size means a confused library

# Readable text for the codes (our words; names and numbers are the SDK's).
_MESSAGES = {
    "FTR_ERROR_NO_ERROR": "the SDK reported failure without a reason",
    "FTR_ERROR_EMPTY_FRAME": "no finger on the scanner",
    "FTR_ERROR_MOVABLE_FINGER": "the finger moved during the scan; hold it still",
    "FTR_ERROR_NO_FRAME": "no usable frame (the live-finger check refused it)",
    "FTR_ERROR_USER_CANCELED": "the operation was cancelled",
    "FTR_ERROR_HARDWARE_INCOMPATIBLE": "this scanner model is not supported by the installed SDK",
    "FTR_ERROR_FIRMWARE_INCOMPATIBLE": "the scanner's firmware is not supported by the installed SDK",
    "FTR_ERROR_INVALID_AUTHORIZATION_CODE": "the scanner refused the authorization code",
    "FTR_ERROR_NULL_PARAMETER": "the SDK was given a null pointer",
    "FTR_ERROR_LIBUSB_ERROR": "USB error talking to the scanner (unplugged?); reconnect it and reopen",
    "FTR_ERROR_NOT_ENOUGH_MEMORY": "the SDK ran out of memory",
    "FTR_ERROR_WRITE_PROTECT": "the scanner memory is write-protected",
    "FTR_ERROR_NOT_READY": "the scanner is busy or not ready; try again",
    "FTR_ERROR_NOT_SUPPORTED": "not supported by this scanner",
    "FTR_ERROR_INVALID_PARAMETER": "invalid parameter (or a stale device handle)",
    "FTR_ERROR_CALL_NOT_IMPLEMENTED": "not implemented by this SDK",
    "FTR_ERROR_NO_MORE_ITEMS": "no Futronic scanner found; check that it is plugged in",
    "FTR_ERROR_NO_SYSTEM_RESOURCES": "not enough system resources",
    "FTR_ERROR_TIMEOUT": "the scanner did not answer in time",
    "FTR_ERROR_BAD_CONFIGURATION": "bad SDK or device configuration (simulator: see its message on stderr)",
}
_RETRYABLE = {"FTR_ERROR_EMPTY_FRAME", "FTR_ERROR_MOVABLE_FINGER", "FTR_ERROR_NO_FRAME", "FTR_ERROR_NOT_READY",
              "FTR_ERROR_TIMEOUT"}
_DISCONNECTED = {"FTR_ERROR_LIBUSB_ERROR", "FTR_ERROR_NO_MORE_ITEMS"}


class FutronicScanner:
    """One Futronic scanner: open() → finger_present() / read_frame() … → close(); or use `with`.

    `lib_path` is the SDK library ("sim" for our simulator). Loading checks every function we declare and
    raises VendorLibraryError for a missing or wrong library; SDK failures raise FingerprintScannerError.
    """

    def __init__(self, lib_path: str | Path = "sim") -> None:
        self._sdk: SdkLibrary = load_sdk(HEADER, resolve_sdk_path(lib_path, SIM_LIBRARY), "Futronic ftrScanAPI",
                                         _HINT, packed=True, drop_tokens=_DROP)
        self._names = {v: k for k, v in self._sdk.defines.items() if k.startswith("FTR_ERROR_")}
        self._handle = None
        self._buffer: np.ndarray | None = None
        self._frame: np.ndarray | None = None
        self._buffer_ptr = None
        self._params = self._sdk.ffi.new("FTRSCAN_FRAME_PARAMETERS *")

    @property
    def lib_path(self) -> Path:
        """The library actually loaded."""
        return self._sdk.path

    def _error(self, call: str) -> FingerprintScannerError:
        """The exception for a failed `call`, from ftrScanGetLastError (read right after the failure)."""
        code = int(self._sdk.lib.ftrScanGetLastError())
        name = self._names.get(code, f"FTR_ERROR_UNKNOWN_{code:#x}")
        detail = _MESSAGES.get(name, "an error code this binding does not know")
        return FingerprintScannerError(code, name, detail, call, name in _RETRYABLE, name in _DISCONNECTED)

    def open(self) -> None:
        """Open the first scanner and allocate the frame buffer for its image size (once per open)."""
        if self._handle is not None:
            return
        lib, ffi = self._sdk.lib, self._sdk.ffi
        handle = lib.ftrScanOpenDevice()
        if handle == ffi.NULL:
            raise self._error("ftrScanOpenDevice")
        size = ffi.new("FTRSCAN_IMAGE_SIZE *")
        if not lib.ftrScanGetImageSize(handle, size):
            err = self._error("ftrScanGetImageSize")
            lib.ftrScanCloseDevice(handle)
            raise err
        width, height = size.nWidth, size.nHeight
        if not (0 < width <= _MAX_SIDE and 0 < height <= _MAX_SIDE) or size.nImageSize != width * height:
            lib.ftrScanCloseDevice(handle)
            raise FingerprintScannerError(None, "BAD_IMAGE_SIZE", f"the SDK reported {width}x{height} with "
                                          f"{size.nImageSize} bytes; expected 8-bit frames", "ftrScanGetImageSize")
        self._buffer = np.zeros((height, width), dtype=np.uint8)
        self._buffer_ptr = ffi.from_buffer(self._buffer)
        self._frame = self._buffer.view()
        self._frame.flags.writeable = False
        self._handle = handle

    def close(self) -> None:
        """Close the scanner (safe to call twice). The frame buffer stays readable but is no longer filled."""
        if self._handle is not None:
            handle, self._handle = self._handle, None
            self._sdk.lib.ftrScanCloseDevice(handle)
            self._buffer_ptr = None

    def __del__(self) -> None:
        """A device object that is dropped while open releases the device (the SDK allows one open handle)."""
        with contextlib.suppress(Exception):  # never raise from a finalizer (interpreter shutdown, library gone)
            self.close()

    def __enter__(self) -> "FutronicScanner":
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
            raise DeviceNotOpenError("fingerprint scanner is not open: call open() first (or it was closed)")
        return self._handle

    @property
    def image_size(self) -> tuple[int, int]:
        """(width, height) of the frames, as the SDK reports them."""
        self._require_open()
        height, width = self._buffer.shape
        return width, height

    def finger_present(self) -> bool:
        """True when a finger lies on the platen. "No finger" is False, not an error; busy, timeout or an
        unplugged scanner raise FingerprintScannerError (see .retryable / .disconnected)."""
        handle = self._require_open()
        self._sdk.lib.ftrScanSetLastError(0)  # so FALSE without a reason reads as "no finger", not a stale error
        if self._sdk.lib.ftrScanIsFingerPresent(handle, self._params):
            return True
        err = self._error("ftrScanIsFingerPresent")
        if err.name in ("FTR_ERROR_EMPTY_FRAME", "FTR_ERROR_NO_ERROR"):
            return False
        raise err

    def read_frame(self) -> np.ndarray:
        """Read one frame into the buffer allocated at open() and return it: a read-only (height, width)
        uint8 view of that buffer, the same object every time, overwritten by the next read_frame — copy it
        to keep it. No finger / a moving finger raise FingerprintScannerError with retryable=True."""
        handle = self._require_open()
        if not self._sdk.lib.ftrScanGetFrame(handle, self._buffer_ptr, self._params):
            raise self._error("ftrScanGetFrame")
        return self._frame

    @property
    def frame_dose(self) -> int:
        """Exposure dose the scanner reported with the last frame or presence check."""
        return int(self._params.nDose)
