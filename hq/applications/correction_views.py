"""SOP step 9 for the admin: the open correction requests (from verification and from stations), and one
request's page where the admin writes the problem and the solution (the applicant reads them in their account),
then resolves it, fixing the application's data in the same form when needed."""

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from hq.applications import decisions
from hq.applications.apply_form import DATE_FORMATS
from hq.applications.compare import compare
from hq.applications.identity import digits16, nik_problems, person_name
from hq.applications.models import Correction
from hq.office import listing
from hq.office.roles import require


class AnswerForm(forms.Form):
    problem = forms.CharField(label=_lazy("Problem"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_lazy("what is wrong, in words the applicant understands"),
                              error_messages={"required": _lazy("Write what the problem is.")})
    solution = forms.CharField(label=_lazy("Solution"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                               help_text=_lazy("what the applicant or the office does about it"),
                               error_messages={"required": _lazy("Write the solution: what happens next.")})


class ResolveForm(forms.Form):
    """The application's data as it should be (empty: unchanged)."""

    name = forms.CharField(label=_lazy("Full name"), max_length=120, required=False)
    birth_place = forms.CharField(label=_lazy("Place of birth"), max_length=120, required=False)
    birth_date = forms.DateField(label=_lazy("Date of birth"), required=False, input_formats=DATE_FORMATS,
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                 error_messages={"invalid": _lazy("Type the date as day-month-year, such as "
                                                                  "17-08-2008.")})
    kk_number = forms.CharField(label=_lazy("Family card (KK) number"), max_length=40, required=False)

    def __init__(self, *args: Any, application: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.application = application

    def clean_name(self) -> str:
        value = self.cleaned_data["name"]
        return person_name(value) if value.strip() else ""

    def clean_birth_place(self) -> str:
        value = self.cleaned_data["birth_place"]
        return person_name(value) if value.strip() else ""

    def clean_kk_number(self) -> str:
        value = self.cleaned_data["kk_number"]
        return digits16(value, _("KK number")) if value.strip() else ""

    def clean_birth_date(self) -> dt.date | None:
        born = self.cleaned_data["birth_date"]
        if born is not None:
            problems = nik_problems(self.application.nik, born, self.application.sex, timezone.localdate())
            if problems:
                raise next(iter(problems.values()))
        return born


def _initial(correction: Correction) -> dict[str, Any]:
    a = correction.application
    return {"name": a.name, "birth_place": a.birth_place, "birth_date": a.birth_date, "kk_number": a.kk_number}


@require("applications.handle_correction")
def corrections(request: HttpRequest) -> HttpResponse:
    """Open and answered correction requests, oldest first; the resolved ones of the last 30 days below."""
    rows = Correction.objects.select_related("application", "application__school", "station_request")
    q = listing.query(request)  # issue 21 point 8: an application's number, NIK, name, school
    rows = listing.matching(rows, q, ("application__number", "application__nik", "application__name",
                                      "application__school__name", "application__school__npsn"))
    page = listing.page_of(request, rows.exclude(state=Correction.State.RESOLVED).order_by("opened_at", "pk"))
    since = timezone.now() - dt.timedelta(days=30)
    resolved = rows.filter(state=Correction.State.RESOLVED, resolved_at__gte=since).order_by("-resolved_at")
    return render(request, "applications/corrections.html", {
        "pending": page.object_list, "page": page, "resolved": resolved[:listing.PAGE_SIZE], "q": q,
        "found": page.paginator.count + resolved.count(),
        "search_hint": _("application number, NIK, name, school")})


def _page(request: HttpRequest, correction: Correction, answer_form: AnswerForm | None = None,
          resolve_form: ResolveForm | None = None, status: int = 200) -> HttpResponse:
    answer_form = answer_form or AnswerForm(initial={"problem": correction.problem, "solution": correction.solution})
    resolve_form = resolve_form or ResolveForm(initial=_initial(correction), application=correction.application)
    return render(request, "applications/correction.html", {
        "correction": correction, "application": correction.application, "comparison": compare(correction.application),
        "answer_form": answer_form, "resolve_form": resolve_form}, status=status)


def _get(pk: int) -> Correction:
    return get_object_or_404(Correction.objects.select_related("application", "application__school",
                                                               "station_request", "station_request__station"), pk=pk)


@require("applications.handle_correction")
def correction(request: HttpRequest, pk: int) -> HttpResponse:
    """One correction request: the application beside SIAK, what the station said, the answer and resolve forms."""
    return _page(request, _get(pk))


@require_POST
@require("applications.handle_correction")
def correction_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """Store the problem and the solution (the applicant sees them at once)."""
    item = _get(pk)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return _page(request, item, answer_form=form, status=400)
    try:
        decisions.answer(item, request.user, form.cleaned_data["problem"], form.cleaned_data["solution"])
    except decisions.StateConflictError:
        messages.error(request, _("This correction is resolved already; nothing was changed."))
    else:
        messages.success(request, _("The answer is saved; the applicant sees it in their account."))
    return redirect("applications:correction", pk=pk)


@require_POST
@require("applications.handle_correction")
def correction_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    """Resolve, with the application's data fixed as typed; it goes back to the verification queue."""
    item = _get(pk)
    form = ResolveForm(request.POST, application=item.application)
    if not item.solution:  # open, or replied to by the applicant before the office answered
        form.add_error(None, _("Write the problem and the solution first: the applicant must read them before it "
                               "is resolved."))
    if not form.is_valid():
        return _page(request, item, resolve_form=form, status=400)
    try:
        decisions.resolve(item, request.user, form.cleaned_data)
    except decisions.StateConflictError:
        messages.error(request, _("This correction is resolved already; nothing was changed."))
        return redirect("applications:correction", pk=pk)
    messages.success(request, _("The correction is resolved."))
    return redirect("applications:corrections")
