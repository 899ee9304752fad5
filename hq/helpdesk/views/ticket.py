"""One ticket: the asker reads the answer there; the help desk answers and closes it there. Anyone else — another
student included — gets 404, so a ticket number reveals nothing."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hq.helpdesk import tickets as desk
from hq.helpdesk.forms import AnswerForm
from hq.helpdesk.models import Ticket
from hq.helpdesk.views.tickets import is_help_desk
from hq.office.roles import require


def _visible(request: HttpRequest, number: str) -> Ticket:
    ticket = get_object_or_404(Ticket.objects.select_related("asked_by", "answered_by", "application"),
                               number=number)
    if not is_help_desk(request.user) and ticket.asked_by_id != request.user.pk:
        raise Http404
    return ticket


def _page(request: HttpRequest, ticket: Ticket, form: AnswerForm | None = None) -> HttpResponse:
    staff = is_help_desk(request.user)
    if staff and form is None:
        form = AnswerForm(initial={"answer": ticket.answer})
    return render(request, "helpdesk/ticket.html", {
        "ticket": ticket, "timing": desk.timing(ticket, timezone.now()), "staff": staff,
        "form": form if staff and ticket.state != Ticket.State.CLOSED else None})


@require()
def ticket(request: HttpRequest, number: str) -> HttpResponse:
    """The ticket with its question, answer and times (the asker's or the help desk's view)."""
    return _page(request, _visible(request, number))


@require_POST
@require("helpdesk.answer_ticket")
def answer(request: HttpRequest, number: str) -> HttpResponse:
    """Save the answer (the first one sets the response time), or show what is wrong with it."""
    ticket = get_object_or_404(Ticket, number=number)
    form = AnswerForm(request.POST)
    try:
        if not form.is_valid():
            if ticket.state == Ticket.State.CLOSED:
                raise desk.TicketClosedError(number)
            return _page(request, ticket, form)
        desk.answer_ticket(ticket, form.cleaned_data["answer"], request.user)
    except desk.TicketClosedError:
        messages.error(request, _("Ticket %(number)s is closed and takes no more answers. Log a new ticket if the "
                                  "asker needs more help.") % {"number": number})
        return redirect("helpdesk:ticket", number=number)
    messages.success(request, _("Answer saved: the asker sees it in their account."))
    return redirect("helpdesk:tickets")


@require_POST
@require("helpdesk.answer_ticket")
def close(request: HttpRequest, number: str) -> HttpResponse:
    """Close the ticket (nothing more to answer)."""
    desk.close_ticket(get_object_or_404(Ticket, number=number))
    messages.success(request, _("Ticket %(number)s closed.") % {"number": number})
    return redirect("helpdesk:tickets")
