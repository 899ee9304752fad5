"""The simulated serial devices' far end: a stable name that goes away with the device, like udev's links."""

import gc
from pathlib import Path

import pytest
import serial

from drivers.pty_device import PtyDevice


def test_the_name_leads_to_the_pty_until_unplugged_then_nothing_can_open_it():
    device = PtyDevice("signature-pad")
    name = Path(device.path)
    assert name.is_symlink() and str(name.readlink()) == device.pts and name.name == "signature-pad"
    with serial.Serial(device.path, timeout=1) as port:
        device.write(b"hello\n")
        assert port.readline() == b"hello\n"
    device.unplug()
    assert not name.exists() and not name.parent.exists()
    with pytest.raises(serial.SerialException, match="No such file"):  # a driver reopening it meets this
        serial.Serial(device.path, timeout=1)


def test_a_simulator_dropped_without_unplug_takes_its_name_with_it():
    device = PtyDevice()
    name = Path(device.path)
    assert name.is_symlink()
    del device
    gc.collect()
    assert not name.exists() and not name.parent.exists()
