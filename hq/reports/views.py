"""The service report's page and its exports (CSV, XLSX, PDF) for a period chosen with ?start=&end= (this
month by default). Staff only (office.view_service_report); reading only — GET, nothing but the record index
(a cache of what the packets say) is written."""

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from hq.office.roles import require
from hq.reports import exports, pdf
from hq.reports.charts import per_day_chart, steps_chart
from hq.reports.formatting import format_duration, format_share
from hq.reports.period import PeriodForm, period_from
from hq.reports.report import ServiceReport, build_report

PERM = "office.view_service_report"


def _page(request: HttpRequest, form: PeriodForm, report: ServiceReport | None, status: int = 200) -> HttpResponse:
    context: dict[str, object] = {"form": form, "report": report}
    if report is not None:
        context.update(
            query=urlencode({"start": report.period.start.isoformat(), "end": report.period.end.isoformat()}),
            steps=[{"r": r, "standard": format_duration(r.step.standard), "share": format_share(r.share),
                    "median": format_duration(r.median)} for r in report.steps],
            chart_days=per_day_chart(report.per_day), chart_steps=steps_chart(report.steps))
    return render(request, "reports/service.html", context, status=status)


@require_GET
@require(PERM)
def service(request: HttpRequest) -> HttpResponse:
    """The report for the chosen period, or the form with what is wrong with the dates (400)."""
    form, period = period_from(request.GET)
    if period is None:
        return _page(request, form, None, status=400)
    return _page(request, form, build_report(period.start, period.end))


def _download(request: HttpRequest, extension: str, content_type: str, make) -> HttpResponse:
    form, period = period_from(request.GET)
    if period is None:
        return _page(request, form, None, status=400)
    report = build_report(period.start, period.end)
    response = HttpResponse(make(report), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{exports.file_name(report, extension)}"'
    return response


@require_GET
@require(PERM)
def csv_export(request: HttpRequest) -> HttpResponse:
    """The report's tables as one CSV file (UTF-8, formula-safe)."""
    return _download(request, "csv", exports.CSV_TYPE, exports.to_csv)


@require_GET
@require(PERM)
def xlsx_export(request: HttpRequest) -> HttpResponse:
    """The report's tables as an XLSX workbook, a sheet per table (formula-safe)."""
    return _download(request, "xlsx", exports.XLSX_TYPE, exports.to_xlsx)


@require_GET
@require(PERM)
def pdf_export(request: HttpRequest) -> HttpResponse:
    """The report as a printable PDF."""
    return _download(request, "pdf", pdf.PDF_TYPE, pdf.to_pdf)
