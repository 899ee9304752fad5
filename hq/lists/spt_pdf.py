"""The SPT (surat perintah tugas) as a printable A4 PDF, in Indonesian as an official letter is: letterhead,
title, number, the SOP it rests on, the team (name, operator id, role), the school, the recording date, the
number of students, and the Kasubbag Umum's place, date and name. Never the PINs.

fpdf2's core Helvetica font knows only latin-1, so every text is passed through `latin1` (accents outside
latin-1 lose their mark, anything else becomes "?") rather than failing on a name.
"""

import unicodedata

from django.utils import timezone
from fpdf import FPDF

from hq.lists.models import Spt, SptMember

SOP_NUMBER = "060/Dukcapil-PDIP/1246/2021"
CITY = "Pekanbaru"
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
          "November", "Desember")
ROLES = {SptMember.Role.LEAD: "Ketua Tim", SptMember.Role.OPERATOR: "Operator"}
PLAIN = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "..."})


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


def tanggal(day: object) -> str:
    """A date the Indonesian way: 25 November 2026."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"  # type: ignore[attr-defined]


class _Letter(FPDF):
    def cell_text(self, width: float, height: float, text: str, **kw: object) -> None:
        self.cell(width, height, latin1(text), **kw)  # type: ignore[arg-type]


def render_spt_pdf(spt: Spt) -> bytes:
    """The SPT as PDF bytes (A4, portrait)."""
    application_list = spt.application_list
    school = application_list.school
    members = list(spt.members.order_by("role", "name"))  # "lead" sorts before "operator"
    pdf = _Letter(format="A4")
    pdf.set_title(latin1(f"SPT {spt.number}"))
    pdf.set_author("Disdukcapil Kota Pekanbaru")
    pdf.set_margins(22, 18, 22)
    pdf.set_auto_page_break(True, 20)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    pdf.set_font("Helvetica", "B", 13)
    pdf.cell_text(width, 7, "PEMERINTAH KOTA PEKANBARU", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell_text(width, 7, "DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    pdf.cell_text(width, 5, "Layanan SINOPSIS - perekaman KTP elektronik bagi siswa di sekolah", align="C",
                  new_x="LMARGIN", new_y="NEXT")
    y = pdf.get_y() + 2
    pdf.set_line_width(0.8)
    pdf.line(pdf.l_margin, y, pdf.w - pdf.r_margin, y)
    pdf.set_line_width(0.2)
    pdf.line(pdf.l_margin, y + 1.2, pdf.w - pdf.r_margin, y + 1.2)
    pdf.set_y(y + 7)

    pdf.set_font("Helvetica", "BU", 13)
    pdf.cell_text(width, 7, "SURAT PERINTAH TUGAS", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    pdf.cell_text(width, 6, f"Nomor: {spt.number}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(5)

    label = 28
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell_text(label, 6, "Dasar")
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(width - label, 6, latin1(
        f": Standar Operasional Prosedur Pelayanan SINOPSIS Nomor {SOP_NUMBER} dan Daftar Permohonan "
        f"Nomor {application_list.number} yang telah disetujui."), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell_text(width, 7, "MEMERINTAHKAN", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.cell_text(label, 6, "Kepada", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)

    columns = (("No.", 12), ("Nama", width - 12 - 42 - 34), ("ID Operator", 42), ("Peran", 34))
    pdf.set_fill_color(230, 236, 244)
    for title, w in columns:
        pdf.cell_text(w, 7, title, border=1, fill=True)
    pdf.ln()
    pdf.set_font("Helvetica", "", 11)
    for i, m in enumerate(members, 1):
        for text, (_title, w) in zip((f"{i}.", m.name, m.operator_id, ROLES.get(m.role, m.role)), columns,
                                     strict=True):
            pdf.cell_text(w, 7, text, border=1)
        pdf.ln()
    pdf.ln(4)

    pdf.set_font("Helvetica", "B", 11)
    pdf.cell_text(label, 6, "Untuk")
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(width - label, 6, latin1(
        ": Melaksanakan perekaman KTP elektronik bagi siswa sesuai daftar permohonan yang disetujui, di:"),
        align="L", new_x="LMARGIN", new_y="NEXT")
    count = application_list.applications.count()
    for key, value in (("Sekolah", f"{school.name} (NPSN {school.npsn})"),
                       ("Alamat", school.address or "-"),
                       ("Tanggal perekaman", tanggal(spt.recording_date)),
                       ("Jumlah siswa", f"{count} orang")):
        pdf.set_x(pdf.l_margin + label)
        pdf.cell_text(44, 6, key)
        pdf.multi_cell(width - label - 44, 6, latin1(f": {value}"), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.multi_cell(width, 6, latin1(
        "Tim membawa stasiun perekaman yang ditugaskan, masuk dengan ID operator dan PIN masing-masing, dan "
        "melaporkan hasil perekaman melalui SINOPSIS. Demikian surat perintah tugas ini dibuat untuk "
        "dilaksanakan dengan penuh tanggung jawab."), align="L", new_x="LMARGIN", new_y="NEXT")

    pdf.ln(8)
    signer = spt.issued_by.get_full_name() or spt.issued_by.get_username()
    block_x, block_w = pdf.l_margin + width * 0.55, width * 0.45
    for text, style, gap in ((f"Ditetapkan di {CITY}", "", 6),
                             (f"pada tanggal {tanggal(timezone.localtime(spt.issued_at).date())}", "", 6),
                             ("Kepala Sub Bagian Umum", "B", 24), (signer, "BU", 6)):
        pdf.set_x(block_x)
        pdf.set_font("Helvetica", style, 11)
        pdf.cell_text(block_w, gap if gap < 20 else 6, text, new_x="LMARGIN", new_y="NEXT")
        if gap >= 20:
            pdf.ln(gap - 6)
    return bytes(pdf.output())
