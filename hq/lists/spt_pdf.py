"""The SPT (surat perintah tugas) as an official letter (tata naskah dinas), A4 PDF in Indonesian: the letterhead
(letter.py), title and number, "Dasar" (the law, the SOP, the approved list), "MEMERINTAHKAN" the team (name,
NIP, pangkat/golongan, jabatan, role in the team), "Untuk" (the school, its address, the day, the number of
students), the signature block "a.n. Kepala Dinas …" with the signer copied onto the SPT when it was issued, a QR
that opens the public check /verify/spt/<token>, and the Lampiran: the students by name with their full NIK,
application number and birth data, signed again. Never the PINs.

Full NIKs on the Lampiran: the team must tell the students apart at the school, and the letter goes only to the
team (the PDF is behind the lists permission); the public verification page shows no student at all.
"""

import io

import segno
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from fpdf.fonts import FontFace

from hq.lists.letter import BODY, LINE, OfficialLetter, Signer, latin1, tanggal
from hq.lists.models import Spt, SptMember
from hq.lists.spt import SIGNER_POSITION, member_name
from hq.lists.spt_token import spt_token

__all__ = ["latin1", "render_spt_pdf", "verify_url"]

SOP_NUMBER = "060/Dukcapil-PDIP/1246/2021"
LAW = ("Undang-Undang Nomor 24 Tahun 2013 tentang Perubahan atas Undang-Undang Nomor 23 Tahun 2006 tentang "
       "Administrasi Kependudukan")
ROLES = {SptMember.Role.LEAD: "Ketua Tim", SptMember.Role.OPERATOR: "Operator"}
SEX = {"L": "L", "P": "P", "M": "L", "F": "P"}
HEADINGS = FontFace(emphasis="BOLD", fill_color=(235, 235, 235))
LABEL = 24  # mm: the "Dasar", "Kepada", "Untuk" column


def verify_url(spt: Spt, site_url: str = "") -> str:
    """The public address the letter's QR opens: SINOPSIS_HQ_PUBLIC_URL, else `site_url` (the request's)."""
    base = settings.HQ_PUBLIC_URL or site_url.rstrip("/") or "http://localhost:8000"
    return base + reverse("spt_verify", args=[spt_token(spt)])


def signer_of(spt: Spt) -> Signer:
    """The signer as copied at issue (an SPT issued before the copy existed: the issuing login, no NIP)."""
    return Signer(name=spt.signer_name or member_name(spt.issued_by), nip=spt.signer_nip, rank=spt.signer_rank,
                  position=spt.signer_position or SIGNER_POSITION)


def _numbered(pdf: OfficialLetter, label: str, items: list[str]) -> None:
    """`label` : 1. … 2. … with hanging indents (the letter's "Dasar" and "Untuk")."""
    pdf.set_font("Helvetica", "", BODY)
    for i, text in enumerate(items, 1):
        pdf.text_cell(LABEL, LINE, label if i == 1 else "")
        pdf.text_cell(4, LINE, ":" if i == 1 else "")
        pdf.text_cell(7, LINE, f"{i}." if len(items) > 1 else "")
        pdf.set_x(pdf.l_margin + LABEL + 11)
        pdf.paragraph(pdf.width - LABEL - 11, text, align="L")
        pdf.ln(0.5)


def _team(pdf: OfficialLetter, members: list[SptMember]) -> None:
    pdf.set_font("Helvetica", "", BODY)
    pdf.text_cell(LABEL, LINE, "Kepada")
    pdf.text_cell(4, LINE, ":", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1.5)
    pdf.set_font("Helvetica", "", 10)
    with pdf.table(col_widths=(9, 58, 32, 38, 28), text_align=("CENTER", "LEFT", "LEFT", "LEFT", "LEFT"),
                   line_height=4.8, padding=1.2, headings_style=HEADINGS, first_row_as_headings=True) as table:
        heading = table.row()
        for title in ("No.", "Nama / NIP", "Pangkat/Gol.", "Jabatan", "Peran dalam Tim"):
            heading.cell(title)
        for i, m in enumerate(members, 1):
            row = table.row()
            for text in (f"{i}.", f"{m.name}\nNIP. {m.nip or '-'}", m.rank or "-", m.position or "-",
                         ROLES.get(m.role, m.role)):
                row.cell(latin1(text))
    pdf.ln(3)


def _qr(pdf: OfficialLetter, url: str, y: float) -> None:
    """The verification QR at the left of the signature block, with what it is for."""
    png = io.BytesIO()
    segno.make(url, error="m").save(png, kind="png", scale=8, border=0)
    pdf.image(png, x=pdf.l_margin, y=y, w=26, h=26)
    pdf.set_xy(pdf.l_margin, y + 27)
    pdf.set_font("Helvetica", "", 7.5)
    pdf.multi_cell(pdf.width * 0.45, 3.4, latin1("Pindai kode QR ini untuk memeriksa keaslian surat di laman "
                                                 "SINOPSIS Disdukcapil."), align="L")


def _attachment(pdf: OfficialLetter, spt: Spt, issued: str) -> None:
    """The Lampiran: every student on the list, by name, with the full NIK (for the team only)."""
    application_list = spt.application_list
    pdf.add_page()
    block_x = pdf.l_margin + pdf.width * 0.5
    pdf.set_font("Helvetica", "", 10)
    for key, value in (("Lampiran", "Surat Perintah Tugas"), ("Nomor", spt.number), ("Tanggal", issued)):
        pdf.set_x(block_x)
        pdf.text_cell(18, 5, key)
        pdf.text_cell(pdf.width * 0.5 - 18, 5, f": {value}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("Helvetica", "B", 12)
    pdf.text_cell(pdf.width, 6, "DAFTAR SISWA PEREKAMAN KTP ELEKTRONIK", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", BODY)
    school = application_list.school
    pdf.paragraph(pdf.width, f"{school.name} (NPSN {school.npsn}) - {tanggal(spt.recording_date, weekday=True)}",
                  align="C")
    pdf.paragraph(pdf.width, f"Daftar Permohonan Nomor {application_list.number}", align="C")
    pdf.ln(3)
    pdf.set_font("Helvetica", "", 9.5)
    students = application_list.applications.order_by("name", "number")
    with pdf.table(col_widths=(9, 49, 33, 29, 36, 9), text_align=("CENTER", "LEFT", "LEFT", "LEFT", "LEFT", "CENTER"),
                   line_height=4.6, padding=1.0, headings_style=HEADINGS, first_row_as_headings=True) as table:
        heading = table.row()
        for title in ("No.", "Nama", "NIK", "No. Permohonan", "Tempat, Tgl. Lahir", "L/P"):
            heading.cell(title)
        for i, a in enumerate(students, 1):
            row = table.row()
            for text in (f"{i}.", a.name, a.nik, a.number, f"{a.birth_place}, {a.birth_date:%d-%m-%Y}",
                         SEX.get(a.sex, a.sex)):
                row.cell(latin1(text))
    pdf.ln(2)
    pdf.set_font("Helvetica", "I", 9)
    pdf.paragraph(pdf.width, "Lampiran ini memuat NIK lengkap dan hanya diberikan kepada tim yang ditugaskan; "
                             "jangan digandakan atau disebarkan.", align="L", height=4.6)
    pdf.ln(4)
    pdf.signature(signer_of(spt))


def render_spt_pdf(spt: Spt, site_url: str = "") -> bytes:
    """The SPT as PDF bytes (A4, portrait): the letter, then the Lampiran of students. `site_url` is HQ's
    address as the request reached it, for the QR when SINOPSIS_HQ_PUBLIC_URL is not set."""
    application_list = spt.application_list
    school = application_list.school
    members = list(spt.members.order_by("role", "name"))  # "lead" sorts before "operator"
    issued = tanggal(timezone.localtime(spt.issued_at).date())
    pdf = OfficialLetter(footer_text=f"SPT Nomor {spt.number}")
    pdf.set_title(latin1(f"Surat Perintah Tugas {spt.number}"))
    pdf.set_author(latin1(f"{settings.HQ_LETTER['office']} {settings.HQ_LETTER['city']}"))
    pdf.add_page()
    pdf.letterhead()

    pdf.set_font("Helvetica", "BU", 13)
    pdf.text_cell(pdf.width, 6.5, "SURAT PERINTAH TUGAS", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", BODY)
    pdf.text_cell(pdf.width, 6, f"Nomor: {spt.number}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    approved = application_list.events.filter(action="approved").order_by("-at").first()
    approved_on = f" tanggal {tanggal(timezone.localtime(approved.at).date())}" if approved else ""
    _numbered(pdf, "Dasar", [
        f"{LAW};",
        f"Standar Operasional Prosedur Pelayanan SINOPSIS (perekaman KTP elektronik bagi siswa di sekolah) "
        f"Nomor {SOP_NUMBER};",
        f"Daftar Permohonan Nomor {application_list.number} yang telah disetujui Kepala Bidang Pelayanan "
        f"Pendaftaran Penduduk{approved_on}."])
    pdf.ln(2)
    pdf.set_font("Helvetica", "B", BODY)
    pdf.text_cell(pdf.width, 7, "MEMERINTAHKAN:", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    _team(pdf, members)
    count = application_list.applications.count()
    _numbered(pdf, "Untuk", [
        f"Melaksanakan perekaman KTP elektronik bagi {count} orang siswa {school.name} (NPSN {school.npsn}), "
        f"{school.address or 'alamat sekolah'}, pada hari {tanggal(spt.recording_date, weekday=True)}, sesuai "
        f"daftar siswa pada Lampiran surat ini;",
        "Membawa stasiun perekaman yang ditugaskan, masuk dengan ID operator dan PIN masing-masing, dan "
        "melaporkan hasil perekaman melalui SINOPSIS;",
        "Melaksanakan perintah ini dengan penuh tanggung jawab."])
    pdf.ln(3)
    pdf.set_font("Helvetica", "", BODY)
    pdf.paragraph(pdf.width, "Demikian Surat Perintah Tugas ini dibuat untuk dilaksanakan sebagaimana mestinya.")
    pdf.ln(3)
    top = pdf.signature(signer_of(spt), (f"Ditetapkan di {settings.HQ_LETTER['city']}", f"pada tanggal {issued}"))
    _qr(pdf, verify_url(spt, site_url), top + 16)
    _attachment(pdf, spt, issued)
    return bytes(pdf.output())
