"""The report as a PDF (fpdf2, its core Helvetica font, so text is made Latin-1 safe): the title and period,
a table per section, and each step's share within its standard as a bar drawn with rectangles."""

from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace

from hq.reports.formatting import format_share
from hq.reports.report import ServiceReport
from hq.reports.tables import Cell, period_words, tables

PDF_TYPE = "application/pdf"
_REPLACE = {"→": "->", "–": "-", "—": "-", "…": "...", "‘": "'", "’": "'", "“": '"', "”": '"', "≈": "~",
            "\u00a0": " ", "•": "-"}
BRAND, GREY = (23, 78, 166), (225, 229, 236)
BAR_MM = 120
WIDTHS = {"period": (60, 110), "counts": (90, 30), "steps": (18, 54, 24, 16, 22, 24, 22, 30, 30, 26),
          "days": (40, 30), "schools": (30, 110, 36, 30), "stations": (36, 44, 44, 110, 24)}  # mm


def latin1(text: str) -> str:
    """Text the core fonts can draw: common typography replaced, anything else outside Latin-1 as '?'."""
    for old, new in _REPLACE.items():
        text = text.replace(old, new)
    return text.encode("latin-1", "replace").decode("latin-1")


def _cell(value: Cell) -> str:
    return "" if value is None else latin1(str(value))


class _Pdf(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", size=8)
        self.set_text_color(110, 110, 110)
        self.cell(0, 6, f"{self.footer_text}  -  {self.page_no()}/{{nb}}", align="C")


def _bars(pdf: FPDF, report: ServiceReport) -> None:
    """Each step's share within the standard as a grey track with a blue bar; the percent beside it."""
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 9, latin1(_("Share within the time standard")), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)
    for result in report.steps:
        if pdf.get_y() > pdf.h - 25:
            pdf.add_page()
        y = pdf.get_y()
        pdf.cell(80, 6, latin1(f"{result.step.number}. {result.step.title}"))
        pdf.set_fill_color(*GREY)
        pdf.rect(pdf.l_margin + 82, y + 1, BAR_MM, 4, style="F")
        if result.share:
            pdf.set_fill_color(*BRAND)
            pdf.rect(pdf.l_margin + 82, y + 1, BAR_MM * result.share, 4, style="F")
        pdf.set_x(pdf.l_margin + 84 + BAR_MM)
        words = _("%(share)s (%(met)d of %(done)d done, %(open)d open)") % {
            "share": format_share(result.share), "met": result.met, "done": result.done, "open": result.open}
        pdf.cell(0, 6, latin1(words), new_x="LMARGIN", new_y="NEXT")
    pdf.set_fill_color(255, 255, 255)  # the tables after use the fill colour too
    pdf.ln(3)


def to_pdf(report: ServiceReport) -> bytes:
    """The PDF bytes: A4 landscape, one table per section (the bars after the steps' table)."""
    pdf = _Pdf(orientation="L", format="A4")
    pdf.footer_text = latin1(f"SINOPSIS - {period_words(report)}")
    pdf.set_auto_page_break(True, margin=16)
    pdf.set_title(latin1(f"SINOPSIS {report.period.slug()}"))
    pdf.add_page()
    heading = FontFace(emphasis="BOLD", fill_color=GREY)
    for n, table in enumerate(tables(report)):
        if n == 0:
            pdf.set_font("Helvetica", "B", 16)
            pdf.cell(0, 10, latin1(table.title), new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("Helvetica", size=11)
            pdf.cell(0, 7, latin1(period_words(report)), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
        else:
            needed = 9 + (len(table.rows) + 2) * 6  # the title and the table, with room for wrapped headings
            if pdf.get_y() + min(needed, 45) > pdf.h - 16 or (
                    needed < pdf.eph and pdf.get_y() + needed > pdf.h - 16):
                pdf.add_page()  # a table that fits on one page is not split
            pdf.set_font("Helvetica", "B", 12)
            pdf.cell(0, 9, latin1(table.title), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=9)
        widths = WIDTHS.get(table.key) or (70,) * len(table.columns)
        numeric = ["RIGHT" if all(isinstance(row[i], int | float | None) for row in table.rows) and table.rows
                   else "LEFT" for i in range(len(table.columns))]
        with pdf.table(width=min(pdf.epw, sum(widths)), col_widths=widths, align="LEFT", headings_style=heading,
                       line_height=5.5, text_align=tuple(numeric)) as grid:
            for row in [table.columns, *table.rows]:
                line = grid.row()
                for value in row:
                    line.cell(_cell(value))
        pdf.ln(4)
        if table.key == "steps":
            _bars(pdf, report)
    return bytes(pdf.output())
