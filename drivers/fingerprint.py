"""Fingerprint scanners: the vendor SDK behind a name in config, through the bindings in native.vendor.

The interface is the one `native.vendor.FutronicScanner` has (open, close, image_size, finger_present,
read_frame, with `.retryable` / `.disconnected` on its errors); a real scanner and the simulator are the same
class with another library path ("sim" loads native/sim/libScanAPI.so). Another vendor (e.g. SecuGen FDx Pro)
becomes one more entry in VENDORS with its own binding of the same surface.
"""

from collections.abc import Callable
from pathlib import Path

from native.vendor import FutronicScanner

VENDORS: dict[str, Callable[[str | Path], object]] = {"futronic": FutronicScanner}


def open_scanner(sdk: str | Path = "sim", vendor: str = "futronic") -> object:
    """A scanner object for `vendor` loading the SDK library `sdk` (not yet opened: call open() or use `with`).

    Raises ValueError for an unknown vendor, and native.vendor.VendorLibraryError for a missing or wrong library.
    """
    if vendor not in VENDORS:
        raise ValueError(f"unknown fingerprint scanner vendor {vendor!r}; known: {', '.join(sorted(VENDORS))}")
    return VENDORS[vendor](sdk)
