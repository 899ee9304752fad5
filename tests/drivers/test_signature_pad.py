"""The signature pad driver against a simulated pad on a real pty: strokes, buttons, garbage, unplug."""

import json

import pytest

from drivers.base import DeviceError, DeviceNotFoundError
from drivers.signature_pad import SignaturePad, points_to_strokes, strokes_json
from drivers.signature_pad_sim import SimulatedPad, signature_script


@pytest.fixture
def pad_with():
    sims = []

    def make(script):
        sim = SimulatedPad(script)
        sims.append(sim)
        return SignaturePad(sim.path)

    yield make
    for sim in sims:
        sim.close()


def test_a_signature_is_captured_as_strokes(pad_with):
    pad = pad_with(signature_script(strokes=2, points=30))
    with pad:
        assert pad.identity.model == "SIMPAD-1" and pad.identity.width == 640
        data = json.loads(pad.capture(timeout_s=20))
    assert data["format"] == "strokes/1" and len(data["strokes"]) == 2
    assert all(len(s) == 30 for s in data["strokes"])
    x, y, p = data["strokes"][0][0]
    assert 0 <= p <= 1 and (x, y) == (40, 100)


def test_garbage_partial_and_out_of_range_lines_are_skipped_not_fatal(pad_with):
    script = ["D 10 10 100", "GARBAGE", "M 11 11 100", "PARTIAL M 12 12 100", "M 9999 5 100", "M 13 13 5000",
              "LONG", "Z what", "U", "B OK"]
    pad = pad_with(script)
    with pad:
        data = json.loads(pad.capture(timeout_s=20))
        assert pad.rejected >= 4
    assert [p[:2] for p in data["strokes"][0]] == [[10, 10], [11, 11], [12, 12]]


def test_clear_starts_over_and_cancel_gives_nothing(pad_with):
    pad = pad_with(["D 1 1 1", "M 2 2 1", "U", "B CLEAR", "D 5 5 1", "U", "B OK"])
    with pad:
        assert json.loads(pad.capture(timeout_s=20))["strokes"] == [[[5, 5, 0.001]]]
    pad2 = pad_with(["D 1 1 1", "U", "B CANCEL"])
    with pad2:
        assert pad2.capture(timeout_s=20) is None


def test_unplugged_mid_signature_keeps_the_strokes_so_far(pad_with):
    pad = pad_with(["D 1 1 100", "M 2 2 100", "M 3 3 100", "UNPLUG"])
    pad.open()
    with pytest.raises(DeviceError) as gone:
        pad.capture(timeout_s=20)
    assert gone.value.disconnected
    assert pad.strokes == [[(1, 1, 100 / 1023), (2, 2, 100 / 1023), (3, 3, 100 / 1023)]]
    pad.close()


def test_a_port_that_is_not_a_pad_or_does_not_exist(pad_with, tmp_path):
    with pytest.raises(DeviceNotFoundError, match="check the USB cable"):
        SignaturePad(str(tmp_path / "ttyACM9")).open()
    import os
    import tty

    master, slave = os.openpty()  # something on a serial line that never answers `?`
    tty.setraw(slave)
    try:
        with pytest.raises(DeviceError, match="not a signature pad"):
            SignaturePad(os.ttyname(slave)).open(identify_timeout_s=0.3)
    finally:
        os.close(master)
        os.close(slave)


def test_touchscreen_fallback_gives_the_same_format():
    points = [(1, 1, True), (2, 2, True), (3, 3, False), (9, 9, True), (10, 10, True)]
    data = json.loads(strokes_json(points_to_strokes(points)))
    assert data == {"format": "strokes/1", "strokes": [[[1, 1, 0.5], [2, 2, 0.5]], [[9, 9, 0.5], [10, 10, 0.5]]]}
    assert json.loads(strokes_json([[], [(1, 2, 7.0)]]))["strokes"] == [[[1, 2, 1.0]]]
