"""The lists' index: first what this person must act on (oldest waiting first: the admin's drafts and returned
lists, the Kasi's submitted ones, the Kabid's to approve, the Kasubbag's approved lists without an SPT, the
Kabid PIAK's SPTs without a station or with a failed send), then every list by state. And the team member's
own page: the SPTs they are on, with the stations' progress."""

import datetime as dt
from typing import Any

from django.db.models import Case, Count, Max, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from hq.lists import progress
from hq.lists.content import changed_after_approval
from hq.lists.models import ApplicationList, ListEvent, Spt, SptMember
from hq.lists.scope import visible_lists
from hq.lists.views.common import person
from hq.office import listing
from hq.office.roles import require

State = ApplicationList.State
LIST_SEARCH = ("number", "school__name", "school__npsn", "applications__nik", "applications__name",
               "applications__number")


def _task(what: str, since: dt.datetime, url: str, label: str, school: str, note: str = "") -> dict[str, Any]:
    return {"what": what, "since": since, "url": url, "label": label, "school": school, "note": note}


def tasks_for(user: Any, lists: list[ApplicationList]) -> list[dict[str, Any]]:
    """What `user` must do next, the longest waiting first."""
    found = []
    for lst in lists:
        url, since = reverse("lists:detail", args=[lst.pk]), lst.last_at or lst.created_at
        school = lst.school.name
        if lst.state == State.DRAFT and user.has_perm("lists.build_list"):
            returned = lst.events.filter(action=ListEvent.Action.RETURNED).order_by("-at").first()
            fresh = returned is None or lst.events.filter(at__gt=returned.at).exclude(
                action=ListEvent.Action.CHANGED).exists()
            if returned is not None and not fresh:
                found.append(_task(_("Returned: fix it and submit it again"), since, url, lst.number, school,
                                   _("%(who)s: %(reason)s") % {"who": person(returned.by),
                                                               "reason": returned.reason}))
            else:
                found.append(_task(_("Check the draft and submit it to the Kasi"), since, url, lst.number, school))
        elif lst.state == State.SUBMITTED and user.has_perm("lists.check_list"):
            found.append(_task(_("Verify or return"), since, url, lst.number, school))
        elif lst.state == State.VERIFIED and user.has_perm("lists.approve_list"):
            found.append(_task(_("Approve or return"), since, url, lst.number, school))
        elif lst.state == State.APPROVED:
            changed = changed_after_approval(lst)
            spt = Spt.objects.filter(application_list=lst).first()
            if changed and user.has_perm("lists.approve_list"):
                found.append(_task(_("Changed after approval: approve the new data"), since, url, lst.number,
                                   school))
            elif not changed and spt is None and user.has_perm("lists.issue_spt"):
                found.append(_task(_("Issue the SPT"), since, reverse("lists:issue", args=[lst.pk]), lst.number,
                                   school))
            elif not changed and spt is not None and user.has_perm("lists.assign_station"):
                assignments = list(spt.assignments.all())
                spt_url = reverse("lists:spt", args=[spt.pk])
                if not assignments:
                    found.append(_task(_("Assign stations to the SPT"), spt.issued_at, spt_url, spt.number, school))
                elif any(a.publish_error for a in assignments):
                    found.append(_task(_("Send the assignment again (the broker did not take it)"), since, spt_url,
                                       spt.number, school))
    return sorted(found, key=lambda t: t["since"])


@require("lists.view_applicationlist")
def index(request: HttpRequest) -> HttpResponse:
    """The person's tasks, then the lists by state (draft, with the Kasi, with the Kabid, approved); a team
    member sees only the lists of their own SPTs (hq/lists/scope.py). `?q=` searches the lists (number, school,
    NPSN, an applicant's NIK, name or application number), `?page=` pages them; the tasks stay complete."""
    visible = visible_lists(request.user)
    lists = list(visible.select_related("school").annotate(
        students=Count("applications", distinct=True), last_at=Max("events__at")).order_by("created_at"))
    q = listing.query(request)
    found = listing.matching(visible, q, LIST_SEARCH)
    in_order = Case(*(When(state=value, then=i) for i, (value, _label) in enumerate(State.choices)))
    page = listing.page_of(request, found.select_related("school").annotate(
        students=Count("applications", distinct=True), last_at=Max("events__at"), in_order=in_order)
        .order_by("in_order", "created_at", "pk"))
    totals = dict(found.order_by().values_list("state").annotate(n=Count("pk", distinct=True)))
    sections = [{"state": value, "label": label, "total": totals.get(value, 0),
                 "lists": [lst for lst in page.object_list if lst.state == value]}
                for value, label in State.choices]
    return render(request, "lists/index.html", {
        "tasks": tasks_for(request.user, lists), "sections": sections, "page": page, "q": q,
        "found": found.count(), "search_hint": _("list number, school, NPSN, NIK, name, application number"),
        "can_build": request.user.has_perm("lists.build_list"),
        "mine": SptMember.objects.filter(user=request.user).count()})


@require("lists.view_applicationlist")
def mine(request: HttpRequest) -> HttpResponse:
    """A recording team member's SPTs (newest first), their role, and each station's progress."""
    spts = (Spt.objects.filter(members__user=request.user).select_related("application_list__school")
            .distinct().order_by("-recording_date"))
    rows = [{"spt": s, "role": s.members.filter(user=request.user).first(), "progress": progress.for_spt(s),
             "students": s.application_list.applications.count()} for s in spts]
    return render(request, "lists/mine.html", {"rows": rows})
