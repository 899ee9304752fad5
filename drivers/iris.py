"""Iris cameras: the vendor SDK behind a name in config, through the bindings in native.vendor.

The interface is the one `native.vendor.IriTechCamera` has (open, close, image_size, capture(eye) with
`.retryable` / `.disconnected` on its errors); "sim" loads the simulator native/sim/libIddk2000.so. Opening checks
the SDK's version: an IDDK major version the binding does not bind raises native.vendor.VendorVersionError (a
VendorLibraryError, so it is reported like any wrong [devices] iris_sdk).
"""

from collections.abc import Callable
from pathlib import Path

from native.vendor import IriTechCamera

VENDORS: dict[str, Callable[[str | Path], object]] = {"iritech": IriTechCamera}


def open_iris_camera(sdk: str | Path = "sim", vendor: str = "iritech") -> object:
    """An iris camera object for `vendor` loading the SDK library `sdk` (not yet opened).

    Raises ValueError for an unknown vendor, VendorLibraryError for a missing or wrong library and its subclass
    VendorVersionError for an SDK version the binding refuses (e.g. IriTech IDDK 3.x).
    """
    if vendor not in VENDORS:
        raise ValueError(f"unknown iris camera vendor {vendor!r}; known: {', '.join(sorted(VENDORS))}")
    return VENDORS[vendor](sdk)
