"""The office's NIK conflicts (issue 19 point 6): a second account applied with a NIK another account's open
application holds. The admin sees both sides — the application that holds the NIK and what the second account
typed — finds out whose NIK it is (SIAK, the school, a phone call), acts on the application in the verification
queue if needed (e.g. rejects it so the real student can apply), and closes the conflict with a note."""

import logging

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from hq.applications.models import NikConflict
from hq.office import listing
from hq.office.roles import require

audit = logging.getLogger("hq.security")


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=_lazy("How it was resolved"), max_length=2000,
                                 widget=forms.Textarea(attrs={"rows": 2}),
                                 error_messages={"required": _lazy("Write how the conflict was resolved (whose NIK "
                                                                   "it is and what was done).")})


@require("applications.verify_application")
def conflicts(request: HttpRequest) -> HttpResponse:
    """The open conflicts, newest first (?state=resolved: the resolved ones; ?state=all: both)."""
    state = request.GET.get("state", "open")
    rows = NikConflict.objects.select_related("application__school", "application__applicant", "claimant",
                                              "resolved_by")
    if state in (NikConflict.State.OPEN, NikConflict.State.RESOLVED):
        rows = rows.filter(state=state)
    else:
        state = "all"
    q = listing.query(request)  # issue 21 point 8: the NIK, the application's number or name, the school
    rows = listing.matching(rows, q, ("nik", "application__number", "application__name", "application__school__name",
                                      "claimant__username", "claimant__first_name", "claimant__last_name"))
    page = listing.page_of(request, rows)
    return render(request, "applications/conflicts.html",
                  {"conflicts": page.object_list, "page": page, "state": state, "form": ResolveForm(), "q": q,
                   "found": page.paginator.count, "keep": [("state", state)],
                   "search_hint": _("NIK, application number, name, school"),
                   "open_count": NikConflict.objects.filter(state=NikConflict.State.OPEN).count()})


@require_POST
@require("applications.verify_application")
def conflict_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    """Close an open conflict with the admin's note (who resolved it and when are kept)."""
    conflict = get_object_or_404(NikConflict, pk=pk, state=NikConflict.State.OPEN)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["resolution"]))
        return redirect("applications:conflicts")
    conflict.state, conflict.resolved_at, conflict.resolved_by = NikConflict.State.RESOLVED, timezone.now(), \
        request.user
    conflict.resolution = form.cleaned_data["resolution"]
    conflict.save(update_fields=["state", "resolved_at", "resolved_by", "resolution"])
    audit.info("NIK conflict %d (application %s) resolved by %s", conflict.pk, conflict.application.number,
               request.user.get_username())
    messages.success(request, _("The conflict is resolved."))
    return redirect("applications:conflicts")
