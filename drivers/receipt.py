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
ACK_LABELS = {"title": "TANDA TERIMA PEREKAMAN KTP-el", "receipt": "No. tanda terima", "name": "Nama",
              "nik": "NIK", "time": "Waktu", "face": "Foto wajah", "signature": "Tanda tangan",
              "fingers": "Sidik jari", "irises": "Iris", "exception": "pengecualian", "below": "di bawah ambang",
              "help": "Bantuan", "keep": "Simpan tanda terima ini sampai KTP-el Anda jadi.",
              # capture positions and exception codes, as the slip names them
              "right_iris": "iris kanan", "left_iris": "iris kiri", "face_pos": "wajah",
              "amputated": "amputasi", "injured": "luka/diperban", "unable_to_print": "tidak dapat direkam",
              "other": "lainnya"}
FINGER_NAMES = {"thumb": "ibu jari", "index": "telunjuk", "middle": "tengah", "ring": "manis", "little": "kelingking"}
HANDS = {"right": "kanan", "left": "kiri"}
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


def acknowledgement(ack: Acknowledgement, columns: int = 32, labels: dict[str, str] | None = None) -> bytes:
    """ESC/POS bytes of the acknowledgement: what was recorded, exceptions, flags, help desk, QR of the record.
    `columns` is 32, 42 or 48; `labels` overrides any of ACK_LABELS. Raises ValueError on bad input."""
    text = _checked(columns, labels, ACK_LABELS)
    fingers = _summary(ack.fingers_captured, 10, ack.finger_exceptions, text)
    irises = _summary(ack.irises_captured, 2, ack.iris_exceptions, text)
    out = EscPos().align("centre").bold()
    for chunk in textwrap.wrap(text["title"], columns):
        out.line(chunk)
    out.bold(False).align("left").line("-" * columns)
    for key, value in (("receipt", ack.receipt_number), ("name", ack.display_name), ("nik", ack.masked_nik),
                       ("time", ack.time)):
        _wrapped(out, text[key], value, columns)
    out.line("-" * columns)
    for key, value in (("face", "OK"), ("signature", "OK"), ("fingers", fingers),
                       ("irises", irises)):
        _wrapped(out, text[key], value, columns)
    if ack.below_threshold:
        _wrapped(out, text["below"], ", ".join(position_name(p, text) for p in ack.below_threshold), columns)
    out.line("-" * columns)
    for chunk in textwrap.wrap(text["keep"], columns):
        out.line(chunk)
    for contact in ack.helpdesk:
        _wrapped(out, text["help"], contact, columns)
    out.align("centre").qr(ack.record_id)
    return out.cut()
