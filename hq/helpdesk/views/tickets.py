"""The tickets page, one URL with two faces (SOP step 10).

- A student or a school (no `helpdesk.answer_ticket`): their own questions with the answers, and a form to ask
  (optionally about one of their applications); the ticket gets a number TKT-<year>-<5 digits>, channel web.
- The help desk's staff (`helpdesk.answer_ticket`): the queue — open tickets first, the oldest on top, each with
  how long it has waited against the 10-minute standard — then the answered and closed ones with their response
  times, and a form to log a question taken by phone, WhatsApp or social media on someone's behalf.
"""

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from hq.helpdesk import tickets as desk
from hq.helpdesk.contacts import call_link, chat_link
from hq.helpdesk.forms import AskForm, LogForm
from hq.helpdesk.models import HelpDesk, Ticket
from hq.office import listing
from hq.office.roles import require

TICKET_SEARCH = ("number", "subject", "contact", "application__number", "application__nik", "application__name",
                 "asked_by__username", "asked_by__first_name", "asked_by__last_name")
SUMMARY_DAYS = 30


def is_help_desk(user: object) -> bool:
    """Whether `user` answers tickets (sees the queue) rather than asks them."""
    return user.has_perm("helpdesk.answer_ticket")


@require()
def tickets(request: HttpRequest) -> HttpResponse:
    """The asker's page or the staff's queue; a POST asks (asker) or logs a ticket (staff)."""
    if is_help_desk(request.user):
        return _queue(request)
    return _mine(request)


def _mine(request: HttpRequest) -> HttpResponse:
    form = AskForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        ticket = desk.open_ticket(subject=form.cleaned_data["subject"], question=form.cleaned_data["question"],
                                  asked_by=request.user, application=form.cleaned_data["application"])
        messages.success(request, _("Your question is ticket %(number)s. The answer will appear here; the help "
                                    "desk answers within 10 minutes in opening hours.") % {"number": ticket.number})
        return redirect("helpdesk:tickets")
    now = timezone.now()
    own = list(Ticket.objects.filter(asked_by=request.user).select_related("application").order_by("-opened_at"))
    rows = [{"ticket": t, "timing": desk.timing(t, now)} for t in own]
    contacts = HelpDesk.current()
    return render(request, "helpdesk/mine.html", {
        "rows": rows, "form": form, "call_link": call_link(contacts.call_centre),
        "chat_link": chat_link(contacts.whatsapp)})


def _queue(request: HttpRequest) -> HttpResponse:
    form = LogForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        application = data["application_number"]
        ticket = desk.open_ticket(subject=data["subject"], question=data["question"], channel=data["channel"],
                                  contact=data["contact"], application=application,
                                  asked_by=application.applicant if application else None)
        if data["answer"]:
            desk.answer_ticket(ticket, data["answer"], request.user)
        messages.success(request, _("Ticket %(number)s logged.") % {"number": ticket.number})
        return redirect("helpdesk:tickets")
    now = timezone.now()
    q = listing.query(request)  # issue 21 point 8: both lists searched, the answered ones paged
    tickets = listing.matching(Ticket.objects.all(), q, TICKET_SEARCH)
    waiting = tickets.filter(answered_at__isnull=True).exclude(state=Ticket.State.CLOSED)
    related = ("asked_by", "answered_by", "application")
    page = listing.page_of(request, tickets.exclude(pk__in=waiting.values("pk")).select_related(*related)
                           .order_by("-opened_at", "-pk"))
    done = page.object_list
    recent = list(Ticket.objects.filter(opened_at__gte=now - dt.timedelta(days=SUMMARY_DAYS)))
    context = {
        "waiting": [{"ticket": t, "timing": desk.timing(t, now)}
                    for t in waiting.select_related(*related).order_by("opened_at")],
        "done": [{"ticket": t, "timing": desk.timing(t, now)} for t in done],
        "page": page, "q": q, "found": waiting.count() + page.paginator.count,
        "search_hint": _("ticket number, subject, application number, NIK, name, contact"),
        "summary": desk.summary(recent), "summary_days": SUMMARY_DAYS, "form": form,
        "log_open": bool(form.errors),
    }
    return render(request, "helpdesk/queue.html", context)
