"""native.vendor: the biometric devices' vendor SDKs, bound in cffi ABI mode from headers we wrote.

- `FutronicScanner` (Futronic ftrScanAPI, libScanAPI.so) — fingerprint frames into a preallocated buffer;
- `IriTechCamera` (IriTech IDDK 2000 2.x, libIddk2000.so) — left/right iris images; another IDDK major version
  is refused at load with `VendorVersionError`.

Library paths come from config ([devices]); "sim" loads our simulators from native/sim/ (built at install),
which export the same functions, so tests and the demo exercise the very code a real device uses. Their
behaviour is scripted with $SINOPSIS_SIM_SCRIPT (docs/devices.md).
"""

import os
from pathlib import Path

from native.vendor._loader import SIM, SIM_DIR, resolve_sdk_path
from native.vendor.errors import (
    DeviceNotOpenError,
    FingerprintScannerError,
    IrisCameraError,
    VendorError,
    VendorLibraryError,
    VendorSdkError,
    VendorVersionError,
)
from native.vendor.futronic import FutronicScanner
from native.vendor.iritech import IriTechCamera

ENV_SIM_SCRIPT = "SINOPSIS_SIM_SCRIPT"

__all__ = [
    "ENV_SIM_SCRIPT",
    "SIM",
    "SIM_DIR",
    "DeviceNotOpenError",
    "FingerprintScannerError",
    "FutronicScanner",
    "IriTechCamera",
    "IrisCameraError",
    "VendorError",
    "VendorLibraryError",
    "VendorSdkError",
    "VendorVersionError",
    "apply_sim_script",
    "resolve_sdk_path",
]


def apply_sim_script(script: Path | None) -> None:
    """Point the simulators at `script` ([devices] sim_script), or back to their default behaviour (None).

    The simulators read $SINOPSIS_SIM_SCRIPT when a device is opened, so call this before open(). Real SDKs
    ignore the variable.
    """
    if script is None:
        os.environ.pop(ENV_SIM_SCRIPT, None)
    else:
        os.environ[ENV_SIM_SCRIPT] = str(script)
