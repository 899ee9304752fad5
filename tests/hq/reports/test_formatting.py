"""How the report writes durations, shares and spreadsheet text (plain functions, both languages), and its
Indonesian catalogue: complete, and agreeing with the other apps' (Django merges them all)."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import translation

from hq.fleet.catalog import parse_po
from hq.reports.charts import _nice_top
from hq.reports.formatting import format_duration, format_share, percent, safe_text


@pytest.mark.parametrize(("seconds", "english", "indonesian"), [
    (0, "0 s", "0 detik"), (40.4, "40 s", "40 detik"), (59.6, "1 min", "1 menit"), (390, "6 min 30 s",
                                                                                      "6 menit 30 detik"),
    (3600, "1 h", "1 jam"), (12600, "3 h 30 min", "3 jam 30 menit"), (86_399, "1 d", "1 hari"),
    (93_600, "1 d 2 h", "1 hari 2 jam"), (-5, "0 s", "0 detik")])
def test_durations_in_words(hq_data, seconds: float, english: str, indonesian: str):
    value = dt.timedelta(seconds=seconds)
    with translation.override("en"):
        assert format_duration(value) == english
    with translation.override("id"):
        assert format_duration(value) == indonesian
    assert format_duration(None) == "–"


def test_shares_and_percents():
    assert (format_share(2 / 3), format_share(0.0), format_share(None)) == ("67%", "0%", "–")
    assert (percent(2 / 3), percent(1.0), percent(None)) == (66.7, 100.0, None)


def test_text_a_spreadsheet_would_run_gets_a_quote():
    for text in ('=HYPERLINK("http://x","y")', "+62811", "-1+1", "@SUM(A1)", "\tx", "\rx"):
        assert safe_text(text) == "'" + text
    assert safe_text("SMA Negeri 1") == "SMA Negeri 1" and safe_text("") == ""


def test_the_chart_axis_top():
    assert [_nice_top(n) for n in (0, 1, 2, 3, 6, 11, 49, 51, 120)] == [1, 1, 2, 5, 10, 20, 50, 100, 200]


REPORTS = Path(__file__).resolve().parents[3] / "hq" / "reports"
CODE_TEXTS = re.compile(r'\b_\(\s*((?:"[^"]*"\s*)+)')  # _("…" "…"): adjacent literals are one text
TEMPLATE_TEXTS = re.compile(r"""\{% translate (["'])(.+?)\1""")


def catalogue(path: Path) -> dict[str, str]:
    return parse_po(path.read_text(encoding="utf-8"))


def test_every_text_of_the_report_has_its_indonesian_and_agrees_with_the_other_apps():
    mine = catalogue(REPORTS / "locale/id/LC_MESSAGES/django.po")
    used = set()
    for source in REPORTS.glob("*.py"):
        used |= {"".join(re.findall(r'"([^"]*)"', m.group(1)))
                 for m in CODE_TEXTS.finditer(source.read_text(encoding="utf-8"))}
    for source in REPORTS.glob("templates/reports/*.html"):
        used |= {m.group(2) for m in TEMPLATE_TEXTS.finditer(source.read_text(encoding="utf-8"))}
    blocks = re.findall(r"\{% blocktranslate[^%]*%\}(.+?)\{% endblocktranslate %\}",
                        (REPORTS / "templates/reports/service.html").read_text(encoding="utf-8"), re.S)
    used |= {re.sub(r"\{\{ (\w+) \}\}", r"%(\1)s", b) for b in blocks}
    assert used - set(mine) == set()
    for other in (REPORTS.parent).glob("**/locale/id/LC_MESSAGES/django.po"):
        if other.parent.parent.parent.parent.name != "reports":  # all catalogues are merged: one meaning per text
            theirs = catalogue(other)
            assert {k: (v, theirs[k]) for k, v in mine.items() if k and theirs.get(k, v) != v} == {}, other
