"""A list's page (its applicants, its timeline, what the person may do next, the SPT and the stations' progress)
and the admin's changes to a draft (add or remove applicants)."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from hq.applications.models import Application
from hq.lists import problems, progress, workflow
from hq.lists.content import changed_after_approval
from hq.lists.errors import ListError
from hq.lists.forms import ChangeForm, ReturnForm
from hq.lists.models import ApplicationList, Spt
from hq.lists.scope import list_for
from hq.lists.views.common import get_list, person, refused
from hq.office.roles import require

State = ApplicationList.State


def timeline(application_list: ApplicationList) -> list[dict[str, Any]]:
    """The list's events, oldest first, as the page shows them (who, when, what, from → to, why)."""
    labels = dict(State.choices)
    return [{"event": e, "who": person(e.by), "from": labels.get(e.from_state, ""), "to": labels.get(e.to_state, ""),
             "moved": bool(e.from_state and e.to_state and e.from_state != e.to_state)}
            for e in application_list.events.select_related("by")]


def detail_context(request: HttpRequest, application_list: ApplicationList,
                   return_form: ReturnForm | None = None) -> dict[str, Any]:
    """Everything the list page shows, and which of its buttons this person gets."""
    user, state = request.user, application_list.state
    changed = changed_after_approval(application_list)
    spt = Spt.objects.filter(application_list=application_list).first()
    newest = workflow.last_event(application_list)
    rows = problems.rows(application_list)  # each applicant's SIAK match and problems (issue 21 point 5)
    return {
        "list": application_list,
        "applicants": application_list.applications.order_by("number"),
        "rows": rows, "problems": problems.list_problems(application_list, rows),
        "can_read_applications": user.has_perm("applications.view_application"),
        "not_verified": application_list.applications.exclude(state=Application.State.VERIFIED).order_by("number"),
        "changed": changed,
        "timeline": timeline(application_list),
        "seen_event": newest.pk if newest else "",
        "can_edit": user.has_perm("lists.build_list") and state == State.DRAFT,
        "can_submit": user.has_perm("lists.build_list") and state == State.DRAFT,
        "can_verify": user.has_perm("lists.check_list") and state == State.SUBMITTED,
        "can_approve": user.has_perm("lists.approve_list") and state == State.VERIFIED,
        "can_reapprove": user.has_perm("lists.approve_list") and changed,
        "can_return": workflow.can_return(application_list, user),
        "return_form": return_form or ReturnForm(initial={"state": state}),
        "spt": spt,
        "can_issue": (user.has_perm("lists.issue_spt") and state == State.APPROVED and not changed and spt is None),
        "progress": progress.for_spt(spt) if spt else [],
    }


@require("lists.view_applicationlist")
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The list page: applicants, timeline with who/when/why, the next step for this person (404 to a team
    member not on the list's SPT)."""
    return render(request, "lists/detail.html", detail_context(request, list_for(request.user, pk)))


@require("lists.build_list")
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The admin adds or removes applicants of a draft (its own and the school's free verified applicants are
    offered); an approved list is refused as frozen, one with the Kasi or Kabid as not a draft."""
    application_list = get_list(pk)
    try:
        workflow.ensure_changeable(application_list)
    except ListError as e:
        return refused(request, e, "lists:detail", pk)
    current = list(application_list.applications.order_by("number"))
    offered = current + list(workflow.available_applicants(application_list.school, keep=application_list)
                             .exclude(pk__in=[a.pk for a in current]))
    offered.sort(key=lambda a: a.number)
    if request.method == "POST":
        form = ChangeForm(request.POST, offered=offered)
        if form.is_valid():
            try:
                event = workflow.change_list(application_list, form.cleaned_data["applications"], request.user,
                                             seen_event=form.cleaned_data.get("seen_event"))
            except ListError as e:
                return refused(request, e, "lists:detail", pk)
            messages.success(request, _("The list was changed.") if event else _("Nothing was changed."))
            return redirect("lists:detail", pk)
    else:
        newest = workflow.last_event(application_list)
        form = ChangeForm(initial={"applications": [a.pk for a in current],
                                   "seen_event": newest.pk if newest else None}, offered=offered)
    chosen = {int(v) for v in (form["applications"].value() or [])}
    return render(request, "lists/edit.html", {"list": application_list, "form": form, "offered": offered,
                                               "chosen": chosen}, status=400 if form.is_bound else 200)
