"""The slips the kiosk prints: the queue slip at check-in and the acknowledgement after "Tersimpan".

Labels are Bahasa Indonesia by default; the kiosk passes its gettext translations in `labels` (English on the
toggle). Widths: 32 columns on 58 mm paper, 42 (font B) or 48 on 80 mm. A layout refuses bad input with a
ValueError that names it (unknown label key, wrong width, impossible counts) before any byte is built, so a slip
is either whole or not printed at all.
"""

import textwrap
from dataclasses import dataclass, field

from drivers.escpos import EscPos

QUEUE_LABELS = {"title": "NOMOR ANTREAN", "school": "Sekolah", "name": "Nama", "time": "Waktu",
                "wait": "Harap menunggu panggilan petugas.", "scan": "Pindai untuk status perekaman"}
FINGER_NAMES = {"thumb": "ibu jari", "index": "telunjuk", "middle": "tengah", "ring": "manis", "little": "kelingking"}
HANDS = {"right": "kanan", "left": "kiri"}
ACK_LABELS = {"title": "TANDA TERIMA PEREKAMAN KTP-el", "receipt": "No. tanda terima", "name": "Nama",
              "nik": "NIK", "time": "Waktu", "station": "Stasiun", "operator": "Petugas",
              "recorded": "direkam", "face": "Foto wajah", "signature": "Tanda tangan",
              "fingers": "Sidik jari", "irises": "Iris", "exception": "pengecualian",
              "exceptions": "Pengecualian", "below": "Diterima di bawah ambang",
              "help": "Bantuan", "keep": "Simpan tanda terima ini sampai KTP-el Anda jadi.",
              "verify": "Pindai untuk memeriksa keaslian",
              # capture positions and exception codes, as the slip names them
              "right_iris": "iris kanan", "left_iris": "iris kiri", "face_pos": "wajah",
              **{f"{hand}_{finger}": f"{name} {hand_name}" for hand, hand_name in HANDS.items()
                 for finger, name in FINGER_NAMES.items()},
              "amputated": "amputasi", "injured": "luka/diperban", "unable_to_print": "tidak dapat direkam",
              "unable_to_sign": "tidak dapat tanda tangan", "other": "lainnya"}
COLUMNS = (32, 42, 48)


@dataclass(frozen=True)
class QueueSlip:
    school: str
    queue_number: int
    display_name: str  # already masked, e.g. "Siti K."
    time: str
    record_id: str


@dataclass(frozen=True)
class Acknowledgement:
    """One saved record's acknowledgement (station/acknowledgement.py fills it). Exceptions map a position to its
    reason code; `verify_qr` is the signed QR (contract/slip_qr.py), the bare record id when empty."""

    receipt_number: str
    display_name: str
    masked_nik: str
    time: str
    record_id: str
    fingers_captured: int
    finger_exceptions: dict[str, str] = field(default_factory=dict)  # position → reason code
    irises_captured: int = 2
    iris_exceptions: dict[str, str] = field(default_factory=dict)  # right_iris / left_iris → reason code
    below_threshold: tuple[str, ...] = ()
    helpdesk: tuple[str, ...] = ()
    signature_exception: str = ""  # reason code when the student could not sign
    agency: tuple[str, ...] = ()  # the header: the agency's name, then its address
    station_id: str = ""
    operator: str = ""  # who recorded it, e.g. "Rina Lestari (OP-02)"
    verify_qr: str = ""


def position_name(position: str, text: dict[str, str]) -> str:
    """A capture position as the slip says it (e.g. right_ring → "manis kanan")."""
    if position in text:
        return text[position]
    hand, _, finger = position.partition("_")
    return f"{FINGER_NAMES.get(finger, finger)} {HANDS.get(hand, hand)}"


def _checked(columns: int, labels: dict[str, str] | None, defaults: dict[str, str]) -> dict[str, str]:
    if columns not in COLUMNS:
        raise ValueError(f"slip width is {', '.join(map(str, COLUMNS))} columns, not {columns}")
    unknown = sorted(set(labels or {}) - set(defaults))
    if unknown:
        raise ValueError(f"unknown slip label(s) {', '.join(unknown)}; known: {', '.join(sorted(defaults))}")
    return {**defaults, **(labels or {})}


def _summary(captured: int, total: int, exceptions: dict[str, str], text: dict[str, str]) -> str:
    if not 0 <= captured <= total or captured + len(exceptions) > total:
        raise ValueError(f"{captured} captured and {len(exceptions)} exceptions do not fit {total} positions")
    summary = f"{captured}/{total}"
    if exceptions:
        codes = ", ".join(sorted({text.get(code, code) for code in exceptions.values()}))
        summary += f" ({len(exceptions)} {text['exception']}: {codes})"
    return summary


def _wrapped(out: EscPos, label: str, value: str, columns: int) -> None:
    # continuation lines are indented so a wrapped value still reads as belonging to its label
    for chunk in textwrap.wrap(f"{label}: {value}", columns, subsequent_indent="  ", break_on_hyphens=False) or [""]:
        out.line(chunk)


def queue_slip(slip: QueueSlip, columns: int = 32, labels: dict[str, str] | None = None) -> bytes:
    """ESC/POS bytes of a queue slip: big queue number, school, masked name, time, QR of the record id.
    `columns` is 32, 42 or 48; `labels` overrides any of QUEUE_LABELS. Raises ValueError on bad input."""
    text = _checked(columns, labels, QUEUE_LABELS)
    if not 0 <= slip.queue_number <= 9999:
        raise ValueError(f"queue number {slip.queue_number} is outside 0..9999")
    out = EscPos().align("centre").bold().line(text["title"]).size(4, 4).line(f"{slip.queue_number:03d}")
    out.size().bold(False).align("left")
    for key, value in (("school", slip.school), ("name", slip.display_name), ("time", slip.time)):
        _wrapped(out, text[key], value, columns)
    out.line()
    for chunk in textwrap.wrap(text["wait"], columns):
        out.line(chunk)
    out.align("centre").qr(slip.record_id).line(text["scan"])
    return out.cut()


def _centred(out: EscPos, text: str, columns: int) -> None:
    for chunk in textwrap.wrap(text, columns, break_on_hyphens=False):
        out.line(chunk)


def acknowledgement(ack: Acknowledgement, columns: int = 32, labels: dict[str, str] | None = None) -> bytes:
    """ESC/POS bytes of the acknowledgement, laid out as a government receipt: the agency's header, the title, the
    record number, who and when (masked name and NIK, time, station, operator), what was captured with every
    exception's position and coded reason and the positions accepted below their threshold, the help desk, and
    the QR HQ verifies. `columns` is 32, 42 or 48; `labels` overrides any of ACK_LABELS (the kiosk's language).
    Raises ValueError on bad input."""
    text = _checked(columns, labels, ACK_LABELS)
    fingers = _summary(ack.fingers_captured, 10, ack.finger_exceptions, text)
    irises = _summary(ack.irises_captured, 2, ack.iris_exceptions, text)
    qr = ack.verify_qr or ack.record_id
    out = EscPos().align("centre")
    if ack.agency:
        out.bold()
        _centred(out, ack.agency[0].upper(), columns)
        out.bold(False)
        for line in ack.agency[1:]:
            _centred(out, line, columns)
        out.line("=" * columns)
    out.bold()
    _centred(out, text["title"], columns)
    out.align("left").line("-" * columns)
    _wrapped(out, text["receipt"], ack.receipt_number, columns)
    out.bold(False)
    for key, value in (("name", ack.display_name), ("nik", ack.masked_nik), ("time", ack.time),
                       ("station", ack.station_id), ("operator", ack.operator)):
        if value:
            _wrapped(out, text[key], value, columns)
    out.line("-" * columns)
    signature = (f"{text['exception']}: {text.get(ack.signature_exception, ack.signature_exception)}"
                 if ack.signature_exception else text["recorded"])
    for key, value in (("face", text["recorded"]), ("signature", signature), ("fingers", fingers),
                       ("irises", irises)):
        _wrapped(out, text[key], value, columns)
    exceptions = {**ack.finger_exceptions, **ack.iris_exceptions}
    if exceptions:
        out.line(f"{text['exceptions']}:")
        for position, code in exceptions.items():
            for chunk in textwrap.wrap(f"{position_name(position, text)}: {text.get(code, code)}", columns,
                                       initial_indent="- ", subsequent_indent="  ", break_on_hyphens=False):
                out.line(chunk)
    if ack.below_threshold:
        _wrapped(out, text["below"], ", ".join(position_name(p, text) for p in ack.below_threshold), columns)
    out.line("-" * columns)
    for chunk in textwrap.wrap(text["keep"], columns):
        out.line(chunk)
    for contact in ack.helpdesk:
        _wrapped(out, text["help"], contact, columns)
    # 5-dot modules keep a long signed payload (a version 10-11 QR) well inside 58 mm paper's 384 dots
    out.align("centre").qr(qr, module=6 if columns > 32 or len(qr) <= 100 else 5)
    if ack.verify_qr:
        _centred(out, text["verify"], columns)
    return out.cut()
