"""The Topaz signature pad driver: its 5-byte reports decoded from hand-built bytes, resynchronisation after damage,
and captures against a simulated pad on a real pty speaking the same bytes (completion by the pen leaving, by the
operator's OK, timeout, Stop, unplug)."""

import json
import threading
import time

import pytest
import serial
from hypothesis import given
from hypothesis import strategies as st

from drivers.base import DeviceError, DeviceNotFoundError
from drivers.signature_pad import TOPAZ_MODELS, TopazDecoder, TopazPad, TopazReport, points_to_strokes, strokes_json
from drivers.signature_pad_sim import SimulatedPad, encode_report, signature_script

SIGLITE = TOPAZ_MODELS["SigLite1X5"]
# X = 1285 = 0b01010_0000101 → low 0x05, high 0x0A; Y = 2020 = 0b01111_1100100 → low 0x64, high 0x0F
TOUCHING = bytes((0xC1, 0x05, 0x0A, 0x64, 0x0F))
HOVERING = bytes((0xC0, 0x05, 0x0A, 0x64, 0x0F))
AWAY = bytes((0x80, 0x05, 0x0A, 0x64, 0x0F))


def test_hand_built_reports_decode_to_their_points_and_bits():
    decoder = TopazDecoder()
    assert decoder.feed(TOUCHING + HOVERING + AWAY) == [TopazReport(1285, 2020, True, True),
                                                       TopazReport(1285, 2020, True, False),
                                                       TopazReport(1285, 2020, False, False)]
    assert decoder.feed(bytes((0xC1, 0x7F, 0x1F, 0x00, 0x00))) == [TopazReport(4095, 0, True, True)]  # 12 bits
    pressure, info = bytes((0x9C, 0x10, 0x00, 0x20, 0x03)), bytes((0x88, 0x01, 0x02, 0x03, 0x04))
    assert decoder.feed(pressure + info) == [] and decoder.rejected == 0  # valid, but not pen reports
    assert encode_report(1285, 2020, touching=True) == TOUCHING  # the simulator writes the same bytes
    assert encode_report(1285, 2020) == HOVERING and encode_report(1285, 2020, near=False) == AWAY


def test_garbage_and_a_cut_report_are_skipped_and_the_next_report_is_kept():
    stream = b"\x13\x37\x00" + TOUCHING[:3] + HOVERING + b"\x7f\x7f" + TOUCHING[:1] + TOUCHING
    for size in (1, 2, 3, 7, len(stream)):  # a serial read returns whatever has arrived
        decoder = TopazDecoder()
        reports = [r for i in range(0, len(stream), size) for r in decoder.feed(stream[i:i + size])]
        assert reports == [TopazReport(1285, 2020, True, False), TopazReport(1285, 2020, True, True)]
        assert decoder.rejected == 4  # a stray run, a cut report, a stray run, a lone sync byte


def test_invalid_and_noise_reports_are_rejected_and_counted():
    decoder = TopazDecoder()
    x_bits = bytes((0xC1, 0x05, 0x2A, 0x64, 0x0F))  # bit 5 of the X high byte
    y_bits = bytes((0xC1, 0x05, 0x0A, 0x64, 0x4F))  # bit 6 of the Y high byte
    noise = bytes((0xC1, 0x7F, 0x1F, 0x7F, 0x1F))  # X = Y = 4095
    assert decoder.feed(x_bits + y_bits + noise + TOUCHING) == [TopazReport(1285, 2020, True, True)]
    assert decoder.rejected == 3


@given(st.lists(st.tuples(st.binary(max_size=12).map(lambda b: bytes(c & 0x7F for c in b)),
                          st.integers(0, 4), st.integers(0, 4094), st.integers(0, 4094), st.booleans()),
                max_size=12),
       st.lists(st.integers(1, 16), min_size=1, max_size=6))
def test_no_good_report_is_lost_to_the_damage_before_it(reports, sizes):
    stream = b"".join(junk + encode_report(x, y, touching=t)[:cut] + encode_report(x, y, touching=t)
                      for junk, cut, x, y, t in reports)
    decoder, decoded, i, k = TopazDecoder(), [], 0, 0
    while i < len(stream):  # chunks of the drawn sizes, over and over
        decoded += decoder.feed(stream[i:i + sizes[k % len(sizes)]])
        i, k = i + sizes[k % len(sizes)], k + 1
    assert decoded == [TopazReport(x, y, True, t) for _j, _c, x, y, t in reports]


def test_models_and_line_settings_are_checked():
    assert SIGLITE.baudrate == 19200 and (SIGLITE.width, SIGLITE.height) == (2150, 1400)
    assert SIGLITE.area_point(1285, 2020) == (785, 1320) and SIGLITE.area_point(100, 4000) == (0, 1400)
    assert TopazPad("/dev/x", "SigLiteLCD4X5").baudrate == 38400 and TopazPad("/dev/x", baudrate=9600).baudrate == 9600
    with pytest.raises(ValueError, match="unknown Topaz pad model"):
        TopazPad("/dev/x", "SignatureGemLCD1X5")  # 7O1: not supported
    with pytest.raises(ValueError, match="not a serial line speed"):
        TopazPad("/dev/x", baudrate=12345)
    with pytest.raises(ValueError, match="quiet time"):
        TopazPad("/dev/x", quiet_s=0)


@pytest.fixture
def pad_with():
    sims = []

    def make(script, **pad_options):
        sim = SimulatedPad(script)
        sims.append(sim)
        return TopazPad(sim.path, usb_serial=sim.usb_serial, **pad_options), sim

    yield make
    for sim in sims:
        sim.close()


def test_a_signature_ends_when_the_pen_leaves_the_pad(pad_with):
    pad, _sim = pad_with(signature_script(strokes=2, points=30), quiet_s=0.5)
    with pad:
        started = time.monotonic()
        data = json.loads(pad.capture(timeout_s=20))
        took = time.monotonic() - started
    assert pad.device_id == "Topaz SigLite1X5 SIM00001" and pad.rejected == 0
    assert data["format"] == "strokes/1" and [len(s) for s in data["strokes"]] == [30, 30]
    x, y, p = data["strokes"][0][0]
    assert p == 1.0 and 0 <= x <= SIGLITE.width and 0 <= y <= SIGLITE.height
    assert (x, y) == SIGLITE.area_point(*signature_script()[5][:2])
    # 80 reports at ~150 a second, the pen picked up after 0.3 s, then 0.5 s out of proximity
    assert 0.3 + 80 / 200 + 0.5 <= took < 8


def test_the_report_rate_is_a_real_pads(pad_with):
    pad, _sim = pad_with([(600, 900, True)] * 150)
    with pad:  # a read returns what arrived within the port timeout (0.05 s): the rate is measured over ~1 s
        arrived = []
        while len(arrived) < 150:
            arrived += [time.monotonic()] * len(pad.poll())
    rate = 149 / (arrived[-1] - arrived[0])
    assert 100 <= rate <= 200, rate


def test_the_operators_ok_ends_the_signature(pad_with):
    script = [*signature_script(strokes=1, points=10)[:-1], *[(900, 1000, False)] * 600]  # hovers on and on
    pad, _sim = pad_with(script, quiet_s=30)

    def ok_once_signed():
        while not (pad.strokes and len(pad.strokes[0]) == 10):
            time.sleep(0.01)
        pad.finish()

    with pad:
        threading.Thread(target=ok_once_signed, daemon=True).start()
        started = time.monotonic()
        data = json.loads(pad.capture(timeout_s=20))
    assert [len(s) for s in data["strokes"]] == [10] and time.monotonic() - started < 5


def test_nothing_signed_ends_empty_on_timeout_stop_or_ok(pad_with):
    pad, _sim = pad_with([(900, 1000, False)] * 20 + ["leave"])  # the pen comes near, never touches, leaves
    with pad:
        assert pad.capture(timeout_s=1.0) is None
        assert pad.capture(timeout_s=20, should_stop=lambda: True) is None
        threading.Timer(0.2, pad.finish).start()
        assert pad.capture(timeout_s=20) is None and pad.strokes == []


def test_garbage_cut_and_invalid_reports_on_the_line_cost_no_points(pad_with):
    script = [(600, 900, True), "garbage", (610, 905, True), "cut", (620, 910, True), "invalid",
              (630, 915, True), (630, 915, False), "leave"]
    pad, _sim = pad_with(script, quiet_s=0.3)
    with pad:
        data = json.loads(pad.capture(timeout_s=20))
        assert pad.rejected == 3
    assert [p[:2] for p in data["strokes"][0]] == [[100, 200], [110, 205], [120, 210], [130, 215]]


def test_unplugged_mid_signature_keeps_the_strokes_so_far(pad_with):
    pad, _sim = pad_with([(600, 900, True), (601, 901, True), (602, 902, True), "unplug"])
    pad.open()
    with pytest.raises(DeviceError) as gone:
        pad.capture(timeout_s=20)
    assert gone.value.disconnected
    assert pad.strokes == [[(100, 200, 1.0), (101, 201, 1.0), (102, 202, 1.0)]]
    pad.close()


def test_a_pad_opened_without_its_line_settings_says_nothing(pad_with):
    pad, sim = pad_with(signature_script(), baudrate=9600)  # a SigLite 1x5 talks at 19200
    with pad:
        assert pad.capture(timeout_s=0.8) is None
    assert not sim.opened.is_set()
    with serial.Serial(sim.path, 19200, parity=serial.PARITY_ODD, timeout=0.05):
        assert sim.opened.wait(2)


def test_a_port_that_does_not_exist(tmp_path):
    with pytest.raises(DeviceNotFoundError, match="check the USB cable"):
        TopazPad(str(tmp_path / "ttyUSB9")).open()
    with pytest.raises(DeviceError, match="not open"):
        TopazPad(str(tmp_path / "ttyUSB9")).capture(timeout_s=0.1)


def test_touchscreen_fallback_gives_the_same_format():
    points = [(1, 1, True), (2, 2, True), (3, 3, False), (9, 9, True), (10, 10, True)]
    data = json.loads(strokes_json(points_to_strokes(points)))
    assert data == {"format": "strokes/1", "strokes": [[[1, 1, 0.5], [2, 2, 0.5]], [[9, 9, 0.5], [10, 10, 0.5]]]}
    assert json.loads(strokes_json([[], [(1, 2, 7.0)]]))["strokes"] == [[[1, 2, 1.0]]]


def test_the_configured_model_and_quiet_time_reach_the_kit(tmp_path):
    """[devices] signature_pad_model / signature_pad_quiet_s (station.toml) → the kit's pad and its simulator; the
    config's model names are exactly the driver's models, and an unknown one is refused with the key."""
    import typing

    import pytest

    from contract.errors import ConfigError
    from drivers.kit import build_kit
    from drivers.signature_pad import TOPAZ_MODELS
    from sinopsis.kit import kit_settings
    from station.config import DevicesSection, load_config

    assert set(typing.get_args(DevicesSection.model_fields["signature_pad_model"].annotation)) == set(TOPAZ_MODELS)
    path = tmp_path / "station.toml"
    path.write_text('[devices]\nsignature_pad_model = "ClipGem"\nsignature_pad_quiet_s = 1.5\n')
    kit = build_kit(kit_settings(load_config(path)))
    try:
        assert kit.signature_pad.model == "ClipGem" and kit.signature_pad.quiet_s == 1.5
        assert kit.signature_pad.baudrate == TOPAZ_MODELS["ClipGem"].baudrate
    finally:
        kit.close()
    path.write_text('[devices]\nsignature_pad_model = "Wacom"\n')
    with pytest.raises(ConfigError, match="signature_pad_model"):
        load_config(path)
