"""Check or approve several lists at once (issue 21 point 5): the Kasi Pendataan's submitted lists, the Kabid
Dafduk's verified ones, each with its school, size and open problems (problems.py). A list with problems is shown
but cannot be ticked, with the reason beside it; the POST checks again and skips such a list (or one another person
moved meanwhile), saying which and why. Every list that moves goes through workflow.transition, as one by one."""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from hq.lists import problems, workflow
from hq.lists.errors import ListError
from hq.lists.models import ApplicationList
from hq.office.roles import require


def _entries(state: str) -> list[dict]:
    lists = ApplicationList.objects.filter(state=state).select_related("school").order_by("created_at", "pk")
    return [{"list": lst, "students": lst.applications.count(), "problems": problems.list_problems(lst)}
            for lst in lists]


def _bulk(name: str) -> Callable[[HttpRequest], HttpResponse]:
    arrow = workflow.TRANSITIONS[name]

    @require(arrow.perm)
    def view(request: HttpRequest) -> HttpResponse:
        if request.method == "POST":
            return _act(request, name)
        return render(request, "lists/bulk.html", {"entries": _entries(arrow.source), "step": name,
                                                   "url_name": f"lists:bulk_{name}"})

    view.__name__ = f"bulk_{name}"
    view.__doc__ = (f"GET: the lists waiting for `{name}` with their problems; POST: `{name}` the ticked lists "
                    f"without problems (needs {arrow.perm}).")
    return view


def _act(request: HttpRequest, name: str) -> HttpResponse:
    arrow = workflow.TRANSITIONS[name]
    chosen = [int(v) for v in request.POST.getlist("lists") if v.isdigit()]
    if not chosen:
        messages.error(request, _("Tick at least one list; nothing was changed."))
        return redirect(f"lists:bulk_{name}")
    done, skipped = [], []
    for lst in ApplicationList.objects.filter(pk__in=chosen).order_by("created_at", "pk"):
        found = problems.list_problems(lst) if lst.state == arrow.source else []
        if found:
            skipped.append(_("%(list)s was skipped: %(problems)s. Open the list to read it, then decide it on its "
                             "own or return it to the admin.") % {"list": lst.number, "problems": "; ".join(found)})
            continue
        try:
            workflow.transition(lst, name, request.user, arrow.source)
        except ListError as e:
            skipped.append(_("%(list)s was skipped: %(why)s") % {"list": lst.number, "why": e})
            continue
        done.append(lst.number)
    if done:
        text = _("Checked and sent to the Kabid: %(lists)s.") if name == "verify" else _("Approved: %(lists)s.")
        messages.success(request, text % {"lists": ", ".join(done)})
    for line in skipped:
        messages.warning(request, line)
    return redirect(f"lists:bulk_{name}")


bulk_verify, bulk_approve = _bulk("verify"), _bulk("approve")
