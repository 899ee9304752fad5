"""SOP step 2's data for the admin: upload a SIAK extract (CSV) or a school's student list (CSV/XLSX). A file
with any problem is not imported at all and the page lists each problem (row, column, what to do) beside the
file field; a good one is stored and the page says how many rows, in which encoding it was read."""

from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from contract.names import hidden_char
from hq.applications.identity import shown_char
from hq.applications.imports import import_school_list, import_siak_extract
from hq.applications.models import NPSN, School, SiakRecord
from hq.applications.tabular import MAX_BYTES, ImportFileError, Problem
from hq.office import listing
from hq.office.roles import require


class SiakForm(forms.Form):
    file = forms.FileField(label=_lazy("SIAK extract (CSV)"), error_messages={"required": _lazy("Choose the file.")},
                           help_text=_lazy("columns nik, kk_number, name, birth_place, birth_date, sex"))


class SchoolListForm(forms.Form):
    school = forms.ModelChoiceField(label=_lazy("School"), queryset=School.objects.all(), required=False,
                                    empty_label=_lazy("— a new school (type its NPSN and name) —"))
    npsn = forms.CharField(label=_lazy("NPSN of a new school"), max_length=8, required=False, validators=[NPSN])
    name = forms.CharField(label=_lazy("Name of a new school"), max_length=120, required=False)
    file = forms.FileField(label=_lazy("Student list (CSV or XLSX)"),
                           error_messages={"required": _lazy("Choose the file.")},
                           help_text=_lazy("columns nik, name, birth_date, class; it replaces the school's list"))

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        bad = hidden_char(name)
        if bad is not None:  # the station refuses an assignment whose school name hides characters
            raise forms.ValidationError(_("This has an invisible or control character (%(char)s). Type it again "
                                          "without it.") % {"char": shown_char(bad)}, code="text.invisible")
        return name

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("school") is None and "npsn" in data and "name" in data:
            if not (data["npsn"] and data["name"].strip()):
                self.add_error("school", _("Choose the school, or type the NPSN and name of a new school."))
            elif School.objects.filter(pk=data["npsn"]).exists():
                self.add_error("npsn", _("A school with this NPSN exists already: choose it in the list."))
        return data


def _too_big(upload: Any) -> ImportFileError | None:
    if upload.size > MAX_BYTES:
        return ImportFileError(upload.name, [Problem("too_big", _("The file is %(size)s MB; at most %(limit)s MB is "
                                                                  "taken. Split it into smaller files.") % {
            "size": f"{upload.size / 2**20:.1f}", "limit": f"{MAX_BYTES / 2**20:g}"})])
    return None


def _page(request: HttpRequest, status: int = 200, **context: Any) -> HttpResponse:
    q = listing.query(request)  # issue 21 point 8: the schools searched by name or NPSN, and paged
    schools = listing.matching(School.objects.all(), q, ("name", "npsn"))
    schools = schools.annotate(listed=Count("list_entries"), listed_at=Max("list_entries__imported_at"))
    page = listing.page_of(request, schools.order_by("name", "npsn"))
    latest = SiakRecord.objects.order_by("-imported_at").first()
    context.setdefault("siak_form", SiakForm())
    context.setdefault("school_form", SchoolListForm())
    return render(request, "applications/imports.html", {
        "schools": page.object_list, "page": page, "q": q, "found": page.paginator.count,
        "search_hint": _("school name, NPSN"), "siak_count": SiakRecord.objects.count(), "siak_latest": latest,
        **context},
        status=status)


def _done(request: HttpRequest, result: Any, what: str) -> None:
    messages.success(request, _("%(file)s: %(rows)d rows imported into %(what)s (read as %(encoding)s).") % {
        "file": result.filename, "rows": result.rows, "what": what, "encoding": result.encoding})


@require("applications.import_siak")
def imports(request: HttpRequest) -> HttpResponse:
    """What is imported so far, and the two upload forms."""
    return _page(request)


@require_POST
@require("applications.import_siak")
def import_siak(request: HttpRequest) -> HttpResponse:
    form = SiakForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, 400, siak_form=form)
    upload = form.cleaned_data["file"]
    try:
        if error := _too_big(upload):
            raise error
        result = import_siak_extract(upload.read(), upload.name)
    except ImportFileError as error:
        return _page(request, 400, siak_form=form, siak_error=error)
    _done(request, result, _("the SIAK data"))
    return redirect("applications:imports")


@require_POST
@require("applications.import_siak")
def import_school(request: HttpRequest) -> HttpResponse:
    form = SchoolListForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, 400, school_form=form)
    data, upload = form.cleaned_data, form.cleaned_data["file"]
    new = data["school"] is None
    school = data["school"] or School(npsn=data["npsn"], name=data["name"].strip())
    try:
        if error := _too_big(upload):
            raise error
        with transaction.atomic():  # a new school is kept only with its list
            if new:
                school.save()
            result = import_school_list(school, upload.read(), upload.name)
    except ImportFileError as error:
        return _page(request, 400, school_form=form, school_error=error)
    _done(request, result, _("the list of %(school)s") % {"school": school.name})
    return redirect("applications:imports")
