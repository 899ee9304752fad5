"""The list's transitions as POST-only views: submit (admin), verify (Kasi), approve and approve again (Kabid),
return with a reason (Kasi or Kabid). Each form carries the state the person saw; a list that moved on meanwhile
is left alone and the page says what happened (workflow.StaleError)."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from hq.lists import workflow
from hq.lists.errors import ListError, StaleError
from hq.lists.forms import ReturnForm
from hq.lists.views.common import get_list, refused
from hq.lists.views.detail import detail_context
from hq.office.roles import require

DONE = {
    "submit": gettext_lazy("The list was submitted to the Kasi for verification."),
    "verify": gettext_lazy("The list was verified and goes to the Kabid for approval."),
    "approve": gettext_lazy("The list was approved; the Kasubbag Umum can issue its SPT."),
    "reapprove": gettext_lazy("The list's new data were approved."),
}


def _arrow(name: str) -> Callable[[HttpRequest, int], HttpResponse]:
    """A POST view for the transition `name`, guarded by its permission."""
    arrow = workflow.TRANSITIONS[name]

    @require_POST
    @require(arrow.perm)
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        application_list = get_list(pk)
        try:
            workflow.transition(application_list, name, request.user, request.POST.get("state", ""))
        except ListError as e:
            return refused(request, e, "lists:detail", pk)
        messages.success(request, str(DONE[name]))
        return redirect("lists:detail", pk)

    view.__name__ = name
    view.__doc__ = f"POST: the list's `{name}` transition ({arrow.source} → {arrow.target}, needs {arrow.perm})."
    return view


submit, verify, approve, reapprove = (_arrow(n) for n in ("submit", "verify", "approve", "reapprove"))


@require_POST
@require("lists.view_applicationlist")
def return_list(request: HttpRequest, pk: int) -> HttpResponse:
    """POST: the Kasi (a submitted list) or the Kabid (a verified one) returns the list to the admin with a
    required reason; without a reason the page comes back with the error beside the field (400)."""
    application_list = get_list(pk)
    if not any(request.user.has_perm(p) for p in workflow.RETURN_PERM.values()):
        raise PermissionDenied
    form = ReturnForm(request.POST)
    if not form.is_valid():
        if not workflow.can_return(application_list, request.user):  # moved on meanwhile: say so, not the form
            return refused(request, StaleError(workflow.stale_message(application_list)), "lists:detail", pk)
        context = detail_context(request, application_list, return_form=form)
        return render(request, "lists/detail.html", context, status=400)
    try:
        workflow.return_list(application_list, request.user, form.cleaned_data["state"],
                             form.cleaned_data["reason"])
    except ListError as e:
        return refused(request, e, "lists:detail", pk)
    messages.success(request, _("The list went back to the admin with your reason."))
    return redirect("lists:detail", pk)
