"""The office's own error pages (issue 21 point 8): 403, 404 and 500 in the office's layout, in Bahasa Indonesia
first (English on the language toggle), each saying what happened and what to do.

Django's own handlers render 403.html and 404.html (hq/office/templates/) with the request, so the layout's menu
and help-desk contacts show. Its 500 handler renders without the request; `server_error` (hq/urls.py
`handler500`) renders 500.html with it, and falls back to a short page of its own when even that fails (the
fault may be in the database or the templates the layout needs).
"""

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader
from django.utils import timezone
from django.utils.translation import gettext as _

PLAIN = ("<!doctype html><html lang=\"{lang}\"><meta charset=\"utf-8\"><title>{title}</title>"
         "<h1>{title} (500)</h1><p>{text}</p><p><a href=\"/office/\">{home}</a></p></html>")


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page in the office's layout with the time to tell the help desk; a bare page if that fails."""
    now = timezone.localtime().strftime("%d-%m-%Y %H:%M:%S %Z")
    try:
        return HttpResponseServerError(loader.render_to_string("500.html", {"now": now}, request))
    except Exception:  # noqa: BLE001 — the layout itself may be what fails; answer anyway
        return HttpResponseServerError(PLAIN.format(
            lang=getattr(request, "LANGUAGE_CODE", "id"), title=_("Something went wrong on the server"),
            text=_("Try again in a few minutes. If it happens again, tell the help desk the time: %(at)s.")
            % {"at": now}, home=_("Home")))
