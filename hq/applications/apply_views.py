"""SOP step 1 for the applicant: the application form, the application's page with its QR, and the list of the
person's own applications with their state and any correction's problem and solution."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from hq.applications import form_clock, timeline
from hq.applications.access import get_visible, own_applications, school_of
from hq.applications.apply_form import ApplicationForm
from hq.applications.correction_replies import detail_context
from hq.applications.models import School
from hq.applications.submit import DuplicateApplicationError, NikClaimedError, submit_application
from hq.office.roles import require


@require("applications.add_application")
def apply(request: HttpRequest) -> HttpResponse:
    """GET: the form (its opening time signed into it). POST: checked, stored, then the application's page; a
    form with errors comes back with everything typed kept and each error beside its field."""
    school = school_of(request.user)
    schools = School.objects.filter(pk=school.pk) if school else School.objects.all()
    if request.method != "POST":
        initial = {"opened": form_clock.issue(request.user.pk), "school": school.pk if school else None}
        if school is None:  # a student applies for themselves; a school types each student's data
            initial.update(name=request.user.get_full_name(), email=request.user.email)
        form = ApplicationForm(initial=initial, schools=schools)
        return render(request, "applications/apply.html", {"form": form, "school": school})

    data = request.POST.copy()
    form = ApplicationForm(data, schools=schools)
    opened_at, now = None, timezone.now()
    try:
        opened_at = form_clock.opened_at(request.POST.get("opened", ""), request.user.pk, now)
    except form_clock.TamperedTokenError:
        form.add_error(None, _("This form was changed on the way or is incomplete. Check your data and send it "
                               "again."))
    if form.is_valid():
        try:
            application, created = submit_application(request.user, form.cleaned_data, opened_at, now)
        except DuplicateApplicationError as duplicate:
            form.add_error("nik", _("This NIK has an application already: %(number)s (%(state)s). One NIK may have "
                                    "one open application; ask the help desk if it is not yours.") % {
                "number": duplicate.existing.number, "state": duplicate.existing.get_state_display()})
        except NikClaimedError:  # another account's: one neutral answer, nothing of that application
            messages.warning(request, _("This NIK must be checked by the office before it can be used for an "
                                        "application. Your data went to the office's admin, who will contact you "
                                        "at the phone number you gave. You need not apply again; ask the help "
                                        "desk if you have a question."))
            return redirect("applications:mine")
        else:
            if created:
                messages.success(request, _("Your application is registered. Show its QR code to the recording "
                                            "team at your school."))
            else:
                messages.info(request, _("This application was registered already; here it is."))
            return redirect("applications:detail", number=application.number)
    if opened_at is None:  # the form shows a fresh, trusted token for the next try
        data["opened"] = form_clock.issue(request.user.pk)
    return render(request, "applications/apply.html", {"form": form, "school": school}, status=400)


@require("applications.add_application")
def mine(request: HttpRequest) -> HttpResponse:
    """The person's applications, newest first, with the timeline's latest step and each correction's problem,
    solution and answer."""
    applications = list(own_applications(request.user).select_related("school")
                        .prefetch_related("corrections", "corrections__replies", "events"))
    for application in applications:  # the timeline's newest step under the state (issue 21 point 6)
        steps = timeline.entries(application)
        application.latest_step = steps[-1] if steps else None
    return render(request, "applications/mine.html", {"applications": applications})


@login_required
def detail(request: HttpRequest, number: str) -> HttpResponse:
    """One application: its data, state, corrections (with the applicant's answer form), timeline and (unless
    rejected) the signed QR for the kiosk (correction_replies.detail_context). The applicant, their school's login
    and office staff may see it; anyone else gets 404."""
    application = get_visible(request.user, number)
    return render(request, "applications/detail.html", detail_context(request, application))
