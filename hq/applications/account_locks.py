"""The office's page of locked logins (issue 19 point 6): the admin sees which user names and addresses are
locked after too many wrong passwords and unlocks one early; the unlock is an audit line with the admin's name
(account_throttle.unlock)."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from hq.applications.account_throttle import lockouts, unlock
from hq.office import listing
from hq.office.roles import require

UNLOCK_PERMISSION = "axes.delete_accessattempt"


@require(UNLOCK_PERMISSION)
def lockouts_page(request: HttpRequest) -> HttpResponse:
    """GET: the locked user names and addresses. POST kind + value: unlock that one, then the list again."""
    if request.method == "POST":
        kind, value = request.POST.get("kind", ""), request.POST.get("value", "")
        if kind not in ("username", "ip_address") or not value or len(value) > 255:
            messages.error(request, _("Nothing was unlocked: the form did not name a user name or an address. "
                                      "Use the Unlock button in the list."))
        elif unlock(request.user, kind, value):
            messages.success(request, _("Unlocked: %(value)s can log in again.") % {"value": value})
        else:
            messages.info(request, _("%(value)s was not locked (any more).") % {"value": value})
        return redirect("applications:lockouts")
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    q = listing.query(request)  # issue 21 point 8: a user name or an address, part of it
    page = listing.page_of(request, listing.matching_items(lockouts(), q, lambda lock: lock.value))
    return render(request, "applications/lockouts.html",
                  {"locked": page.object_list, "page": page, "q": q, "found": page.paginator.count,
                   "search_hint": _("user name, address"),
                   "failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes})
