"""The help-desk setting page: the call centre, WhatsApp, social media and opening hours that every page's footer
shows and that the next assignment bundles carry to the stations' help screens (hq/helpdesk/contacts.py)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from hq.helpdesk.forms import HelpDeskForm
from hq.helpdesk.models import HelpDesk
from hq.office.roles import require


@require("helpdesk.change_helpdesk_setting")
def setting(request: HttpRequest) -> HttpResponse:
    """Show the contacts; on POST check and save them (who and when is kept), or show each field's problem."""
    desk = HelpDesk.current()
    form = HelpDeskForm(request.POST or None, instance=desk)
    if request.method == "POST" and form.is_valid():
        desk = form.save(commit=False)
        desk.updated_at, desk.updated_by = timezone.now(), request.user
        desk.save()
        messages.success(request, _("Saved. Every page shows the new contacts now; stations get them with their "
                                    "next assignment."))
        return redirect("helpdesk:setting")
    return render(request, "helpdesk/setting.html", {"form": form, "desk": desk})
