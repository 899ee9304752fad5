"""The public check of a printed SPT (/verify/spt/<token>, the letter's QR): a school, a parent or an official
scans it and sees whether the letter is genuine and in force — its number, date, recording day and school, never
the team's NIPs or the students. A token that names no letter answers 404 with what to do."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from hq.lists.content import changed_after_approval
from hq.lists.spt_token import spt_for_token


def validity(spt: object) -> tuple[str, str]:
    """(level, state) of a genuine letter: in force, its day passed, or suspended for a list changed since."""
    if changed_after_approval(spt.application_list):  # type: ignore[attr-defined]
        return "bad", "suspended"
    if spt.recording_date < timezone.localdate():  # type: ignore[attr-defined]
        return "warn", "past"
    return "ok", "valid"


@require_GET
def verify_spt(request: HttpRequest, token: str) -> HttpResponse:
    """What the QR of an SPT proves, or a 404 page saying the code is not one of HQ's letters."""
    spt = spt_for_token(token[:200])
    if spt is None:
        return render(request, "lists/verify_spt.html", {"spt": None}, status=404)
    level, state = validity(spt)
    return render(request, "lists/verify_spt.html", {
        "spt": spt, "school": spt.application_list.school, "level": level, "state": state,
        "issued": timezone.localtime(spt.issued_at).date()})
