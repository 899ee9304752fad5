"""What every driver shares: the device error contract and hotplug events.

The capture engine (station/) never imports drivers; it talks to any device object through duck typing, so the
contract is attributes, not a class: an exception from a device call carries `.retryable` (try again, e.g. no
finger yet, busy, a partial line) and `.disconnected` (the device is gone: pause, wait for it to come back,
reopen). `DeviceError` is that contract for drivers; the vendor SDK errors in native.vendor follow it too.
"""

from dataclasses import dataclass
from typing import Literal


class DeviceError(Exception):
    """A device call that failed, with what the caller should do about it."""

    def __init__(self, message: str, *, device: str, code: str = "error", retryable: bool = False,
                 disconnected: bool = False) -> None:
        super().__init__(f"{device}: {message}")
        self.device = device
        self.code = code
        self.retryable = retryable
        self.disconnected = disconnected


class DeviceNotFoundError(DeviceError):
    """No such device (not plugged in, wrong path in config); the message says what to check."""

    def __init__(self, message: str, *, device: str, code: str = "not_found") -> None:
        super().__init__(message, device=device, code=code, disconnected=True)


@dataclass(frozen=True)
class DeviceEvent:
    """A device appeared or went away. `device_id` is stable across replugs of the same unit (serial number or
    USB path), `kind` is camera / fingerprint / iris / signature_pad / qr_scanner / printer / other."""

    action: Literal["added", "removed"]
    device_id: str
    kind: str
    path: str | None = None  # /dev node when there is one
