"""An official letter of the Dinas (tata naskah dinas) on A4 with fpdf2: the letterhead (kop surat) with the logo,
the government and office names, address, phone, e-mail and website from `settings.HQ_LETTER`, the double rule
under it, a signature block "a.n. Kepala Dinas …", and a page footer. The SPT (spt_pdf.py) is written on it.

fpdf2's core Helvetica font knows only latin-1, so every text goes through `latin1` (accents outside latin-1 lose
their mark, anything else becomes "?") rather than failing on a name.
"""

import unicodedata
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from fpdf import FPDF

MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
          "November", "Desember")
DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
PLAIN = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "..."})
PLACEHOLDER_LOGO = Path(__file__).resolve().parent / "static" / "lists" / "emblem.svg"
LOGO_KINDS = (".png", ".jpg", ".jpeg", ".svg")
BODY = 11  # pt: the letter's text
LINE = 5.3  # mm: one line of body text


def latin1(text: str) -> str:
    """`text` in characters Helvetica can print: latin-1 kept, other letters without their accents, else '?'."""
    out = []
    for char in str(text).translate(PLAIN):
        if ord(char) < 256:
            out.append(char)
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if ord(c) < 256 and not unicodedata.combining(c))
        out.append(base or "?")
    return "".join(out)


def tanggal(day: object, weekday: bool = False) -> str:
    """A date the Indonesian way: 25 November 2026 (with `weekday`: Rabu, 25 November 2026)."""
    text = f"{day.day} {MONTHS[day.month - 1]} {day.year}"  # type: ignore[attr-defined]
    return f"{DAYS[day.weekday()]}, {text}" if weekday else text  # type: ignore[attr-defined]


def logo_path() -> Path:
    """The letterhead's logo: SINOPSIS_HQ_LETTER_LOGO, else the placeholder emblem shipped with HQ.
    ImproperlyConfigured (for the technician) when the configured file is missing or not PNG, JPEG or SVG."""
    configured = settings.HQ_LETTER.get("logo", "")
    if not configured:
        return PLACEHOLDER_LOGO
    path = Path(configured).expanduser()
    if path.suffix.lower() not in LOGO_KINDS or not path.is_file():
        raise ImproperlyConfigured(
            f"SINOPSIS_HQ_LETTER_LOGO={configured}: not a readable PNG, JPEG or SVG file; put the office's logo "
            f"there, or unset the key to print the placeholder emblem")
    return path


@dataclass(frozen=True)
class Signer:
    """Who signs "a.n." the head of the Dinas: name, NIP, pangkat/golongan and jabatan (as printed)."""

    name: str
    nip: str
    rank: str
    position: str


class OfficialLetter(FPDF):
    """A4 portrait with the Dinas's margins (top 20, left 25, right 20, bottom 20 mm) and a numbered footer."""

    def __init__(self, footer_text: str) -> None:
        super().__init__(format="A4")
        self.footer_text = footer_text
        self.set_margins(25, 20, 20)
        self.set_auto_page_break(True, 20)
        self.alias_nb_pages()

    @property
    def width(self) -> float:
        """The writable width between the margins."""
        return self.w - self.l_margin - self.r_margin

    def text_cell(self, width: float, height: float, text: str, **kw: object) -> None:
        self.cell(width, height, latin1(text), **kw)  # type: ignore[arg-type]

    def paragraph(self, width: float, text: str, align: str = "J", height: float = LINE) -> None:
        self.multi_cell(width, height, latin1(text), align=align, new_x="LMARGIN", new_y="NEXT")

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font("Helvetica", "", 8)
        self.set_text_color(90, 90, 90)
        self.text_cell(self.width, 4, f"{self.footer_text} - halaman {self.page_no()} dari {{nb}}", align="R")
        self.set_text_color(0, 0, 0)

    def letterhead(self) -> None:
        """The kop surat: the logo left, the names and address centred, a thick and a thin rule under them."""
        head = settings.HQ_LETTER
        top = self.t_margin - 6
        self.image(str(logo_path()), x=self.l_margin, y=top, h=27)
        text_x, text_w = self.l_margin + 22, self.width - 22
        self.set_xy(text_x, top)
        for text, style, size, height in ((head["government"], "B", 14, 7), (head["office"], "B", 15, 7.5)):
            self.set_font("Helvetica", style, size)
            self.set_x(text_x)
            self.text_cell(text_w, height, text.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
        self.set_font("Helvetica", "", 9.5)
        contact = "   ".join(part for part in (f"Telepon {head['phone']}" if head["phone"] else "",
                                              f"Pos-el {head['email']}" if head["email"] else "") if part)
        for text in (head["address"], contact, f"Laman {head['website']}" if head["website"] else ""):
            if text:
                self.set_x(text_x)
                self.text_cell(text_w, 4.6, text, align="C", new_x="LMARGIN", new_y="NEXT")
        y = max(self.get_y(), top + 27) + 2
        self.set_line_width(1.0)
        self.line(self.l_margin, y, self.w - self.r_margin, y)
        self.set_line_width(0.3)
        self.line(self.l_margin, y + 1.3, self.w - self.r_margin, y + 1.3)
        self.set_line_width(0.2)
        self.set_y(y + 6)

    def signature(self, signer: Signer, place_date: tuple[str, str] | None = None) -> float:
        """The signature block at the right: where and when, "a.n. Kepala Dinas …", the signer's post, space to
        sign, the name (bold, underlined), pangkat/golongan and NIP. Kept on one page; returns where it starts."""
        head = settings.HQ_LETTER["head"]
        block_x, block_w = self.l_margin + self.width * 0.47, self.width * 0.53
        lines: list[tuple[str, str]] = []
        if place_date:
            lines += [("", place_date[0]), ("U", place_date[1])]
        lines += [("", f"a.n. {head}"), ("", f"{signer.position},")]
        needed = LINE * (len(lines) + 4) + 18
        if self.get_y() + needed > self.page_break_trigger:
            self.add_page()
        top = self.get_y()
        for style, text in lines:
            self.set_x(block_x)
            self.set_font("Helvetica", style, BODY)
            self.multi_cell(block_w, LINE, latin1(text), align="L", new_x="LMARGIN", new_y="NEXT")
        self.ln(18)
        self.set_x(block_x)
        self.set_font("Helvetica", "BU", BODY)
        self.text_cell(block_w, LINE, signer.name, new_x="LMARGIN", new_y="NEXT")
        self.set_font("Helvetica", "", BODY)
        for text in (signer.rank, f"NIP. {signer.nip}" if signer.nip else "NIP. -"):
            if text:
                self.set_x(block_x)
                self.text_cell(block_w, LINE, text, new_x="LMARGIN", new_y="NEXT")
        return top
