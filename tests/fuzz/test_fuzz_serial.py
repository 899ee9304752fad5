"""Bytes read from serial devices (drivers/): the QR line scanner (`LineScanner.read_scan` and its line splitting) and
the Topaz signature pad's 5-byte reports (`TopazPad.poll`, `TopazDecoder.feed`, docs/devices.md) fed random bytes,
random reports among random bytes and good reports after garbage, in chunks split anywhere. The parsers run for
real; only the port is a stand-in (`ChunkPort`, which hands out the chunks and then fails like an unplugged cable),
so no pty is needed. Properties: nothing escapes but DeviceError (the unplug at the end, disconnected=True); a scan
is always printable text of at most 512 bytes without CR/LF; a good scan or pen stroke after a line end is never
lost to the garbage before it; pad reports are always 12-bit positions that are not the all-ones noise report, and
damage is counted in `rejected`. The printer simulator's ESC/POS reader (drivers/printer_sim.py `EscPosInterpreter`,
what the tests read slips back with) takes random and damaged streams in any chunks without raising, and reads the
same slips whatever the chunking."""

from collections.abc import Iterable

import pytest
import serial
from hypothesis import given
from hypothesis import strategies as st

from drivers.base import DeviceError
from drivers.escpos import EscPos
from drivers.printer_sim import EscPosInterpreter
from drivers.qr_scanner import MAX_SCAN, LineScanner
from drivers.signature_pad import TopazDecoder, TopazPad, TopazReport
from drivers.signature_pad_sim import encode_report
from tests.fuzz.profiles import fuzz
from tests.fuzz.strategies import mutated


class ChunkPort:
    """Stands in for pyserial's Serial: `read` returns the given chunks in order, then raises SerialException as
    an unplugged USB-CDC device does. `write` is recorded."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self.chunks, self.written = list(chunks), b""

    def read(self, size: int = 1) -> bytes:
        if not self.chunks:
            raise serial.SerialException("device reports readiness to read but returned no data")
        return self.chunks.pop(0)

    def write(self, data: bytes) -> int:
        self.written += data
        return len(data)

    def close(self) -> None:
        self.chunks = []


@st.composite
def chunked(draw: st.DrawFn, data: bytes) -> list[bytes]:
    """`data` split into chunks at random places (a serial read returns whatever has arrived)."""
    cuts = sorted(draw(st.lists(st.integers(0, len(data)), max_size=8)))
    return [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True)]


garbage = st.binary(max_size=120) | st.sampled_from([b"x" * 700, b"\xff\xfe\x00", b"\x1b[2J", b"\r\r\n\n"])
good_scans = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7e), min_size=1, max_size=60)


def all_scans(scanner: LineScanner) -> list[str]:
    """Every scan until the stand-in port reports the unplug (DeviceError, disconnected)."""
    scans = []
    while True:
        try:
            scan = scanner.read_scan(timeout_s=3600)
        except DeviceError as e:
            assert e.disconnected and str(e)
            return scans
        assert scan is not None  # the port never runs dry before it "unplugs", so no timeout
        scans.append(scan)


@fuzz(300)
@given(st.data())
def test_scanner_lines_are_clean_text_and_good_scans_survive_garbage(data: st.DataObject) -> None:
    parts = data.draw(st.lists(st.tuples(garbage, st.sampled_from([b"\r", b"\n", b"\r\n"]), good_scans,
                                         st.sampled_from([b"\r", b"\n", b"\r\n"])), max_size=4))
    stream = b"".join(g + end1 + s.encode() + end2 for g, end1, s, end2 in parts)
    scanner = LineScanner("/dev/fuzz")
    scanner._serial = ChunkPort(data.draw(chunked(stream)))
    scans = all_scans(scanner)
    for scan in scans:
        assert isinstance(scan, str) and scan.isprintable() and len(scan.encode()) <= MAX_SCAN
        assert "\r" not in scan and "\n" not in scan
    for _garbage, _end, good, _end2 in parts:
        assert good in scans, f"the good scan {good!r} was lost"


@fuzz(200)
@given(st.binary(max_size=2000).flatmap(chunked))
def test_scanner_random_bytes_only_end_in_the_unplug(chunks: list[bytes]) -> None:
    scanner = LineScanner("/dev/fuzz", prefix="]Q1", suffix="#")
    scanner._serial = ChunkPort(chunks)
    for scan in all_scans(scanner):
        assert scan.isprintable() and len(scan.encode()) <= MAX_SCAN


REPORT = st.builds(lambda x, y, near, touch, kind: encode_report(x, y, near=near, touching=touch, kind=kind),
                   st.integers(0, 4094), st.integers(0, 4094), st.booleans(), st.booleans(), st.sampled_from([0, 1, 4]))
pad_bytes = st.binary(max_size=200) | st.lists(REPORT | st.binary(max_size=7), max_size=12).map(b"".join)


def pad_reports(chunks: list[bytes]) -> tuple[list[TopazReport], TopazPad]:
    """Every pen report a TopazPad reads from the stand-in port until its unplug (DeviceError, disconnected)."""
    pad = TopazPad("/dev/fuzz")
    pad._serial = ChunkPort(chunks)
    reports: list[TopazReport] = []
    with pytest.raises(DeviceError) as gone:
        while True:
            reports += pad.poll()
    assert gone.value.disconnected
    return reports, pad


@fuzz(300)
@given(pad_bytes, st.data())
def test_pad_bytes_only_give_valid_reports(stream: bytes, data: st.DataObject) -> None:
    reports, pad = pad_reports(data.draw(chunked(stream)))
    for report in reports:
        assert 0 <= report.x < 4096 and 0 <= report.y < 4096 and not (report.x == report.y == 4095)
        assert isinstance(report.near, bool) and isinstance(report.touching, bool)
    assert pad.rejected >= 0


@fuzz(200)
@given(st.lists(st.tuples(garbage, st.integers(0, 4094), st.integers(0, 4094)), max_size=5), st.data())
def test_pad_reports_survive_the_garbage_before_them(strokes: list[tuple[bytes, int, int]],
                                                     data: st.DataObject) -> None:
    stream = b"".join(g + encode_report(x, y, touching=True) for g, x, y in strokes)
    reports, _pad = pad_reports(data.draw(chunked(stream)))
    touched = [(r.x, r.y) for r in reports if r.touching]
    for _g, x, y in strokes:
        assert (x, y) in touched, f"pen report at {(x, y)} lost to the garbage before it"


@fuzz(300)
@given(st.binary(min_size=1, max_size=40))
def test_pad_decoder_on_any_bytes_gives_reports_or_counts_them(data: bytes) -> None:
    decoder = TopazDecoder()
    reports = decoder.feed(data)
    syncs = sum(1 for byte in data if byte & 0x80)
    assert len(reports) <= syncs and all(isinstance(r, TopazReport) for r in reports)
    assert decoder.rejected <= len(data)


SLIP = EscPos().align("centre").bold().size(2, 2).line("SMA Negeri 1").bold(False).size().line("Antrean 007") \
    .qr("SINOPSIS1:APL-2026-00042:abc").cut()


# GS ( k blocks of any small length, for any function (65 model, 67 module size, 69 level, 80 store, 81 print)
qr_blocks = st.builds(lambda n, fn, rest: b"\x1d(k" + bytes([n, 0]) + b"1" + bytes([fn]) + rest,
                      st.integers(0, 8), st.sampled_from([65, 67, 69, 80, 81]) | st.integers(0, 255),
                      st.binary(max_size=8))


def interpreted(chunks: list[bytes]) -> tuple[str, list[str], bytes]:
    reader = EscPosInterpreter()
    for chunk in chunks:
        reader.feed(chunk)
    return repr(reader.slips), reader.unknown, bytes(reader.replies)


@fuzz(300)
@given(st.binary(max_size=300) | mutated(SLIP) | qr_blocks, st.data())
def test_escpos_reader_takes_any_stream_in_any_chunks(stream: bytes, data: st.DataObject) -> None:
    assert interpreted(data.draw(chunked(stream))) == interpreted([stream])


@pytest.mark.parametrize("stream", [b"\x1d(k\x02\x001C", b"\x1d(k\x02\x001C\x05"], ids=["end", "more"])
def test_regression_a_two_byte_qr_module_command_is_not_a_crash(stream: bytes) -> None:
    """Found by fuzzing: GS ( k with length 2 and fn 67 (module size) read the size byte past the block, an
    IndexError out of feed(); the block is too short to hold a size, so it is skipped."""
    reader = EscPosInterpreter()
    reader.feed(stream)
    assert reader._module == 6
