"""The small ESC/POS subset our slips use, encoded by hand, on purpose: python-escpos 3.1 (checked on PyPI) needs
Pillow, qrcode, python-barcode, PyYAML, appdirs, argcomplete, importlib-resources, setuptools and six (pyserial /
pyusb as extras) and renders QR codes as raster images unless told `native=True`; we need eight commands.
These bytes are the Epson ESC/POS reference's own.

    ESC @          initialise            ESC a n   align (0 left, 1 centre, 2 right)
    ESC t 0        code page PC437       (so a previous job's code page cannot garble our text)
    ESC E n        bold on/off           GS ! n    character size (high nibble width-1, low nibble height-1)
    LF             print the line        GS V 66 n feed n lines and cut (partial)
    GS ( k         QR code, model 2: fn 65 model, fn 67 module size, fn 69 error level, fn 80 store, fn 81 print
Text is ASCII: anything else is transliterated (é → e) or replaced by '?', so every printer's code page works
(Indonesian needs no more: its alphabet is plain Latin).
"""

import unicodedata

ESC, GS, LF = b"\x1b", b"\x1d", b"\n"


def ascii_text(text: str) -> bytes:
    """ASCII bytes of `text`: accents dropped, other characters replaced by '?'."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).encode("ascii", "replace")


class EscPos:
    """Builds one slip's bytes."""

    def __init__(self) -> None:
        self.data = bytearray(ESC + b"@" + ESC + b"t\x00")

    def align(self, where: str) -> "EscPos":
        if where not in ("left", "centre", "right"):
            raise ValueError(f"alignment is left, centre or right, not {where!r}")
        self.data += ESC + b"a" + bytes([{"left": 0, "centre": 1, "right": 2}[where]])
        return self

    def bold(self, on: bool = True) -> "EscPos":
        self.data += ESC + b"E" + bytes([1 if on else 0])
        return self

    def size(self, width: int = 1, height: int = 1) -> "EscPos":
        if not (1 <= width <= 8 and 1 <= height <= 8):
            raise ValueError("character size is 1..8 in each direction")
        self.data += GS + b"!" + bytes([(width - 1) << 4 | (height - 1)])
        return self

    def line(self, text: str = "") -> "EscPos":
        self.data += ascii_text(text) + LF
        return self

    def qr(self, payload: str, module: int = 6) -> "EscPos":
        data = payload.encode("ascii", "replace")
        if not data or len(data) > 700 or not payload.isascii() or not payload.isprintable():
            raise ValueError(f"QR payload must be 1..700 printable ASCII characters, not {payload[:40]!r}")
        if not 1 <= module <= 16:
            raise ValueError("QR module size is 1..16 dots")
        store = len(data) + 3
        self.data += GS + b"(k" + bytes([4, 0, 49, 65, 50, 0])  # model 2
        self.data += GS + b"(k" + bytes([3, 0, 49, 67, module])  # module size
        self.data += GS + b"(k" + bytes([3, 0, 49, 69, 49])  # error correction M
        self.data += GS + b"(k" + bytes([store & 0xFF, store >> 8, 49, 80, 48]) + data
        self.data += GS + b"(k" + bytes([3, 0, 49, 81, 48])  # print it
        return self

    def cut(self, feed: int = 3) -> bytes:
        self.data += GS + b"V" + bytes([66, feed])
        return bytes(self.data)


# -- real-time status (DLE EOT n), asked by drivers.printer.ReceiptPrinter.status and answered by the simulator --
# Each query is answered at once with one byte whose bits 1 and 4 are always set and bits 0 and 7 always clear.
DLE_EOT = b"\x10\x04"
STATUS_QUERIES = DLE_EOT + b"\x01" + DLE_EOT + b"\x02" + DLE_EOT + b"\x04"  # printer, offline cause, paper roll
PRINTER_OFFLINE = 0x08  # n=1 bit 3
COVER_OPEN, STOPPED_PAPER_END, ERROR = 0x04, 0x20, 0x40  # n=2 bits 2, 5, 6
PAPER_NEAR_END, PAPER_END = 0x0C, 0x60  # n=4 bits 2-3, bits 5-6
# What printer_state can say, worst first after "unknown" (the printer did not answer as ESC/POS says).
PRINTER_STATES = ("unknown", "cover_open", "paper_out", "error", "offline", "paper_low", "ready")


def status_byte_ok(value: int) -> bool:
    """A DLE EOT reply byte has its fixed bits: 1 and 4 set, 0 and 7 clear."""
    return value & 0x93 == 0x12


def printer_state(replies: bytes) -> str:
    """The printer's state (one of PRINTER_STATES) from its three replies to STATUS_QUERIES, in order."""
    if len(replies) != 3 or not all(status_byte_ok(b) for b in replies):
        return "unknown"
    printer, cause, paper = replies
    if cause & COVER_OPEN:
        return "cover_open"
    if paper & PAPER_END or cause & STOPPED_PAPER_END:
        return "paper_out"
    if cause & ERROR:
        return "error"
    if printer & PRINTER_OFFLINE:
        return "offline"
    return "paper_low" if paper & PAPER_NEAR_END else "ready"
