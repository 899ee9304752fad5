"""The simulated vendor libraries export exactly the functions our headers declare, and nothing else."""

import shutil
import subprocess

import pytest

from native.vendor import SIM_DIR
from native.vendor._loader import header_functions


@pytest.mark.parametrize(("library", "header", "drop"), [
    ("libScanAPI.so", "ftrScanAPI.h", ("FTR_PACKED",)),
    ("libIddk2000.so", "iddk2000.h", ()),
])
def test_sim_exports_exactly_the_declared_functions(library: str, header: str, drop: tuple[str, ...]) -> None:
    if shutil.which("nm") is None:
        pytest.skip("nm (binutils) not installed")
    path = SIM_DIR / library
    assert path.exists(), "simulators not built: run ./setup.sh --no-run"
    out = subprocess.run(["nm", "-D", "--defined-only", str(path)], capture_output=True, text=True, check=True)
    exported = {line.split()[-1] for line in out.stdout.splitlines() if " T " in line}
    assert exported == set(header_functions(header, drop))


def test_headers_declare_the_functions_the_issue_names() -> None:
    assert {"ftrScanOpenDevice", "ftrScanCloseDevice", "ftrScanGetImageSize", "ftrScanIsFingerPresent",
            "ftrScanGetFrame", "ftrScanGetLastError"} <= set(header_functions("ftrScanAPI.h", ("FTR_PACKED",)))
    assert {"Iddk_ScanDevices", "Iddk_OpenDevice", "Iddk_CloseDevice", "Iddk_InitCamera", "Iddk_DeinitCamera",
            "Iddk_StartCapture", "Iddk_GetCaptureStatus", "Iddk_GetResultImage",
            "Iddk_StopCapture"} <= set(header_functions("iddk2000.h"))
