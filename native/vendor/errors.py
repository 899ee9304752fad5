"""Exceptions of the vendor-SDK bindings: what went wrong, with the vendor's own code where there is one.

A station must survive a missing driver, a wrong library or a scanner pulled out mid-capture, so every failure
of a vendor call becomes one of these (never a crash): the kiosk shows the message and the operator acts.
"""


class VendorError(Exception):
    """Base of every error raised by `native.vendor`."""


class VendorLibraryError(VendorError):
    """The vendor's shared library cannot be used: missing file, not loadable, or lacking required symbols.

    `path` is the library path tried; `missing` lists the required functions the library does not export
    (empty when the file itself could not be loaded).
    """

    def __init__(self, message: str, path: str, missing: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.path = path
        self.missing = missing


class VendorVersionError(VendorLibraryError):
    """The library is the vendor's SDK, but not a version our binding was written for, or it does not say which.

    Symbol checks cannot see a changed signature or struct layout, so a binding that reads the SDK's version and
    refuses the ones it does not bind turns a silently wrong capture into a clear error at start. Coded like
    `VendorSdkError`: `code` is None (the binding found the problem, the SDK returned no error) and `name` says
    which problem: "IDDK_VERSION_UNSUPPORTED" (it reported a major version we do not bind) or
    "IDDK_VERSION_UNKNOWN" (it lacks the version function). `reported` is the version it reported
    ((major, minor, build); None when unknown) and `supported` the major versions the binding accepts.
    """

    def __init__(self, message: str, path: str, name: str, reported: tuple[int, int, int] | None,
                 supported: tuple[int, ...], missing: tuple[str, ...] = ()) -> None:
        super().__init__(message, path, missing)
        self.code: int | None = None
        self.name = name
        self.reported = reported
        self.supported = supported


class DeviceNotOpenError(VendorError, RuntimeError):
    """A device call before open() or after close(): refused in Python, the SDK never sees a stale handle."""


class VendorSdkError(VendorError):
    """A vendor call failed. `code` is the vendor's number (None when we found the problem ourselves, e.g. a
    capture that never completed), `name` its symbolic name (e.g. "FTR_ERROR_EMPTY_FRAME"), `call` the SDK
    function. `retryable`: trying again soon may work (no finger yet, busy, timeout); `disconnected`: the
    device is gone (unplugged, not found) and must be reopened.
    """

    vendor = "vendor SDK"

    def __init__(self, code: int | None, name: str, detail: str, call: str,
                 retryable: bool = False, disconnected: bool = False) -> None:
        super().__init__(f"{self.vendor}: {call} failed: {_code_text(code, name)}: {detail}")
        self.code = code
        self.name = name
        self.detail = detail
        self.call = call
        self.retryable = retryable
        self.disconnected = disconnected


def _code_text(code: int | None, name: str) -> str:
    """ "NAME (code)" as the vendor documents it: decimal, hex for flag-style codes; just NAME without code."""
    if code is None:
        return name
    return f"{name} ({code:#x})" if code > 0xFFFF else f"{name} ({code})"


class FingerprintScannerError(VendorSdkError):
    """A fingerprint-scanner SDK call failed (Futronic ftrScanAPI codes)."""

    vendor = "fingerprint scanner"


class IrisCameraError(VendorSdkError):
    """An iris-camera SDK call failed (IriTech IDDK 2000 codes)."""

    vendor = "iris camera"
