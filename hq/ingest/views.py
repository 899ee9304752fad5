"""The slip verification page (/verify/): office staff scan the QR of a student's acknowledgement slip — with a
scanner into the form, or a phone's camera opening /verify/<payload> — and see whether the slip is genuine (signed
by an enrolled station) and the record's state at HQ. Staff only: the page answers for any record id it is given."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hq.ingest.slip_check import check_slip
from hq.office.roles import require

MAX_INPUT = 1000  # a slip QR is under 300 characters; anything longer is not one


@require("office.view_office")
def verify(request: HttpRequest, payload: str = "") -> HttpResponse:
    """The form, and the answer for the scanned text (`q`) or the payload in the address."""
    text = (payload or request.GET.get("q", "")).strip()[:MAX_INPUT]
    result = check_slip(text) if text else None
    return render(request, "ingest/verify.html", {"text": text, "result": result})
