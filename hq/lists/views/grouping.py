"""SOP step 3: the admin picks a school, sees its verified applicants that are on no list yet (all pre-selected)
and creates a draft list of them. Opening the page for a school starts the step: the time travels in a signed
hidden field, so the list's `grouping_started_at` is when the admin began, not when they pressed the button."""

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from hq.applications.models import Application, School
from hq.lists import workflow
from hq.lists.errors import ListError
from hq.lists.forms import GroupForm, started_at, started_token
from hq.office.roles import require


@require("lists.build_list")
def schools(request: HttpRequest) -> HttpResponse:
    """The schools with verified applicants on no list yet, with how many, to start a list from."""
    free = Q(applications__state=Application.State.VERIFIED, applications__lists__isnull=True)
    found = (School.objects.annotate(free=Count("applications", filter=free, distinct=True)).filter(free__gt=0)
             .order_by("name"))
    return render(request, "lists/schools.html", {"schools": found})


@require("lists.build_list")
def group(request: HttpRequest, npsn: str) -> HttpResponse:
    """GET: the school's free verified applicants, all ticked, and the start time signed into the form.
    POST: the draft list of the ticked ones (ListEvent `created`); its page next."""
    school = get_object_or_404(School, pk=npsn)
    offered = list(workflow.available_applicants(school))
    if request.method == "POST":
        form = GroupForm(request.POST, offered=offered)
        if form.is_valid():
            began = started_at(form.cleaned_data.get("started") or "", school.npsn)
            if began is None:
                messages.warning(request, _("The page's start time could not be read (the page is older than a "
                                            "week, or was altered); the list counts from now."))
            try:
                made = workflow.create_list(school, form.cleaned_data["applications"], request.user,
                                            grouping_started_at=began or timezone.now())
            except ListError as e:
                messages.error(request, str(e))
                return redirect("lists:group", school.npsn)
            messages.success(request, _("List %(number)s was made with %(count)d applicants. Check it, then "
                                        "submit it to the Kasi.") % {"number": made.number,
                                                                     "count": made.applications.count()})
            return redirect("lists:detail", made.pk)
        chosen = {int(v) for v in form["applications"].value() or [] if str(v).isdigit()}
        status = 400
    else:
        form = GroupForm(initial={"applications": [a.pk for a in offered], "started": started_token(school.npsn)},
                         offered=offered)
        chosen, status = {a.pk for a in offered}, 200
    return render(request, "lists/group.html", {"school": school, "form": form, "offered": offered,
                                                "chosen": chosen}, status=status)
