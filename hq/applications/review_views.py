"""SOP step 2 for the admin: the verification queue (oldest first, by school), the review page with the
application beside SIAK and the school's list (differences highlighted), and the decision (verify, reject with a
reason, or request a correction of the fields that differ). Verifying an application SIAK does not know or
disagrees with needs a reason, and a verification can be undone until the school's list is approved
(siak_gate.py). The review page is readable by every office role that views applications (the Kasi and the
Kabid follow a list's links to it); its forms are for those who verify."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from hq.applications import decisions, siak_gate
from hq.applications.compare import CORRECTABLE, FIELDS, compare
from hq.applications.models import Application, School, VerificationAudit
from hq.office import listing
from hq.office.roles import require

PAGE_SIZE = 50


class DecisionForm(forms.Form):
    action = forms.ChoiceField(choices=[("verify", "verify"), ("reject", "reject"), ("correction", "correction")])
    reason = forms.CharField(label=_lazy("Reason for the rejection"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_lazy("the applicant reads it; say what they can do"))
    to_correct = forms.MultipleChoiceField(label=_lazy("Data to correct"), required=False,
                                       choices=[(name, label) for name, label, *_rest in FIELDS],
                                       widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=_lazy("Note for the correction"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))
    verify_reason = forms.CharField(label=_lazy("Reason for verifying"), required=False, max_length=2000,
                                    widget=forms.Textarea(attrs={"rows": 2}),
                                    help_text=_lazy("needed when SIAK does not know the NIK or holds other data; "
                                                    "kept in the application's audit"))

    def clean(self) -> dict:
        data = super().clean()
        if data.get("action") == "reject" and not data.get("reason", "").strip():
            self.add_error("reason", _("Write why the application is rejected, so the applicant knows what to do."))
        if data.get("action") == "correction" and not data.get("to_correct"):
            self.add_error("to_correct", _("Tick the data that must be corrected."))
        return data


@require("applications.verify_application")
def queue(request: HttpRequest) -> HttpResponse:
    """The applications waiting for verification, oldest first; ?school=<NPSN> shows one school's."""
    waiting = Application.objects.filter(state=Application.State.SUBMITTED).select_related("school")
    school = request.GET.get("school", "")
    if school:
        waiting = waiting.filter(school_id=school)
    q = listing.query(request)  # issue 21 point 8: number (PMH- or an older APL-), NIK, name, school
    waiting = listing.matching(waiting, q, ("number", "nik", "name", "school__name", "school__npsn"))
    page = Paginator(waiting.order_by("submitted_at", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    matches = siak_gate.siak_matches(page.object_list)
    for application in page.object_list:  # each row's SIAK match, in one query
        application.siak = matches[application.pk]
    return render(request, "applications/queue.html", {"page": page, "schools": School.objects.all(),
                                                       "school": school, "q": q, "found": page.paginator.count,
                                                       "keep": [("school", school)] if school else [],
                                                       "search_hint": _("number, NIK, name, school")})


class UndoForm(forms.Form):
    reason = forms.CharField(label=_lazy("Reason for undoing"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _lazy("Write why the verification is undone; it is kept in "
                                                               "the application's audit.")})
    confirm = forms.BooleanField(label=_lazy("Yes, undo the verification: the application goes back to the queue"),
                                 error_messages={"required": _lazy("Tick the confirmation to undo the "
                                                                   "verification.")})


def _review(request: HttpRequest, application: Application, form: DecisionForm, status: int = 200,
            undo_form: UndoForm | None = None) -> HttpResponse:
    comparison = compare(application)
    if not form.is_bound:
        form.initial["to_correct"] = comparison.mismatches
    match = siak_gate.match_of(application, comparison.siak)
    deciding = request.user.has_perm("applications.verify_application")
    approved = siak_gate.approved_list_of(application) if application.state == Application.State.VERIFIED else None
    return render(request, "applications/review.html", {
        "application": application, "comparison": comparison, "form": form, "match": match,
        "can_decide": deciding, "can_undo": deciding and application.state == Application.State.VERIFIED
        and approved is None, "approved_list": approved, "undo_form": undo_form or UndoForm(),
        "audits": VerificationAudit.objects.filter(application=application).select_related("by")}, status=status)


@require("applications.view_application")
def review(request: HttpRequest, number: str) -> HttpResponse:
    """The application beside SIAK and the school's list; an admin's opening starts step 2's clock (once)."""
    application = get_object_or_404(Application.objects.select_related("school"), number=number)
    if request.user.has_perm("applications.verify_application"):  # a Kasi or Kabid reading it starts nothing
        decisions.mark_review_opened(application)
    return _review(request, application, DecisionForm())


@require_POST
@require("applications.verify_application")
def decide(request: HttpRequest, number: str) -> HttpResponse:
    """Verify, reject (reason required) or request a correction (the ticked fields); then the next in the
    queue. A form with errors comes back on the review page with what was typed."""
    application = get_object_or_404(Application.objects.select_related("school"), number=number)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _review(request, application, form, status=400)
    action = form.cleaned_data["action"]
    try:
        if action == "verify":
            decisions.verify(application, request.user, form.cleaned_data["verify_reason"])
            messages.success(request, _("%(number)s is verified.") % {"number": number})
        elif action == "reject":
            decisions.reject(application, request.user, form.cleaned_data["reason"])
            messages.success(request, _("%(number)s is rejected.") % {"number": number})
        else:
            fields = [f for f in form.cleaned_data["to_correct"] if f in CORRECTABLE]
            decisions.request_correction(application, request.user, fields, form.cleaned_data["note"])
            messages.success(request, _("A correction is requested for %(number)s.") % {"number": number})
    except siak_gate.ReasonRequiredError as e:
        form.add_error("verify_reason", str(e))
        return _review(request, application, form, status=400)
    except decisions.StateConflictError:
        application.refresh_from_db()
        messages.error(request, _("%(number)s is no longer waiting for verification (now: %(state)s); nothing was "
                                  "changed.") % {"number": number, "state": application.get_state_display()})
        return redirect("applications:review", number=number)
    return redirect("applications:queue")


@require_POST
@require("applications.verify_application")
def undo(request: HttpRequest, number: str) -> HttpResponse:
    """Undo a verification (a reason and a ticked confirmation): the application goes back to the queue, audited.
    Refused once the school's list holding it is approved (the page says why and what to do instead)."""
    application = get_object_or_404(Application.objects.select_related("school"), number=number)
    form = UndoForm(request.POST)
    if not form.is_valid():
        return _review(request, application, DecisionForm(), status=400, undo_form=form)
    try:
        siak_gate.undo_verification(application, request.user, form.cleaned_data["reason"])
    except siak_gate.UndoRefusedError as e:
        messages.error(request, str(e))
    except siak_gate.NotVerifiedError:
        application.refresh_from_db()
        messages.error(request, _("%(number)s is not verified (now: %(state)s); nothing was changed.")
                       % {"number": number, "state": application.get_state_display()})
    else:
        messages.success(request, _("The verification of %(number)s is undone; it waits in the queue again.")
                         % {"number": number})
    return redirect("applications:review", number=number)
