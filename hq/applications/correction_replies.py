"""The applicant answers a correction request (issue 21 point 6): a text and, when it helps, one attachment — a
PDF, JPEG or PNG (the KK's scan, a birth certificate's photo), told apart by its content, never by its name, at
most MAX_ATTACHMENT bytes and not empty. The answer sends the correction back to the office: it shows as "Answered
by the applicant" (Dijawab pemohon) in the admin's correction list, and the office answers again or resolves it.

The attachment is stored privately under HQ's data folder (attachments/, files 0600, the folder 0700) with a name
HQ makes, and served only to the application's applicant (or their school's login) and to office staff who may
view applications — anyone else gets 404, as for the application itself.
"""

import secrets
from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from hq.applications import timeline
from hq.applications.access import own_applications, visible_applications
from hq.applications.decisions import StateConflictError
from hq.applications.models import Application, Correction, CorrectionReply
from hq.applications.qr import application_qr

MAX_ATTACHMENT = 5 * 1024 * 1024
# the types an attachment may be, by the bytes it starts with: (type, file name extension)
SIGNATURES = ((b"%PDF-", "application/pdf", ".pdf"), (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
              (b"\x89PNG\r\n\x1a\n", "image/png", ".png"))


def sniff(upload: Any) -> tuple[str, str] | None:
    """(type, extension) of an uploaded file by its first bytes; None when it is none of SIGNATURES."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    return next(((kind, ext) for magic, kind, ext in SIGNATURES if head.startswith(magic)), None)


class ReplyForm(forms.Form):
    text = forms.CharField(label=_lazy("Your answer"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_lazy("what you did or what the office should know"),
                           error_messages={"required": _lazy("Write your answer to the office.")})
    attachment = forms.FileField(label=_lazy("Attachment"), required=False,
                                 help_text=_lazy("a PDF, JPEG or PNG of at most 5 MB, such as a photo of your KK"),
                                 error_messages={"empty": _lazy("The attachment is empty (0 bytes). Choose the "
                                                                "file again: a PDF, JPEG or PNG of at most 5 MB.")})

    def clean_attachment(self) -> Any:
        upload = self.cleaned_data.get("attachment")
        if not upload:
            return None
        if upload.size > MAX_ATTACHMENT:
            raise forms.ValidationError(_("The attachment %(name)s is %(size).1f MB; at most 5 MB is accepted. Send "
                                          "a smaller file (a photo at a lower resolution, or a scan in black and "
                                          "white).") % {"name": upload.name, "size": upload.size / 1024 / 1024})
        found = sniff(upload)
        if found is None:
            raise forms.ValidationError(_("The attachment %(name)s is not a PDF, JPEG or PNG (its content was "
                                          "checked, not its name). Send a document as PDF, or a photo as JPEG or "
                                          "PNG.") % {"name": upload.name})
        upload.content_type_found, upload.extension = found
        return upload


def reply(correction: Correction, by: Any, text: str, upload: Any = None) -> CorrectionReply:
    """The applicant's answer: stored with its attachment (under a name HQ makes), the correction back with the
    office (replied), a timeline event. StateConflictError when the correction is resolved or the application
    rejected (the page was out of date)."""
    if not text.strip():
        raise ValueError("an answer has a text")
    name = ""
    if upload is not None:
        name, upload.name = upload.name[-120:], secrets.token_hex(16) + upload.extension
    made = None
    try:
        with transaction.atomic():
            row = Correction.objects.select_for_update().select_related("application").get(pk=correction.pk)
            if row.state == Correction.State.RESOLVED or row.application.state == Application.State.REJECTED:
                raise StateConflictError(row.state)
            made = CorrectionReply(correction=row, text=text.strip(), by=by, attachment_name=name,
                                   attachment_type=getattr(upload, "content_type_found", ""))
            if upload is not None:
                made.attachment.save(upload.name, upload, save=False)
            made.save()
            row.state = Correction.State.REPLIED
            row.save(update_fields=["state"])
            timeline.record(row.application, "correction_replied", by=by, note=text)
    except BaseException:
        if made is not None and made.attachment:
            made.attachment.delete(save=False)  # nothing of a refused answer stays on disk
        raise
    return made


def detail_context(request: HttpRequest, application: Application, reply_form: ReplyForm | None = None,
                   replying: int | None = None) -> dict[str, Any]:
    """What the application's page shows: data, QR, corrections with their answers, the timeline, the answer form
    of each open correction for the applicant, and for office staff the WhatsApp text."""
    qr = application_qr(application.number) if application.state != Application.State.REJECTED else None
    corrections = list(application.corrections.prefetch_related("replies").order_by("opened_at"))
    mine = own_applications(request.user).filter(pk=application.pk).exists()
    open_ids = {c.pk for c in corrections if c.state != Correction.State.RESOLVED} if mine else set()
    if application.state == Application.State.REJECTED:
        open_ids = set()
    for c in corrections:  # the answer form under each correction the applicant may still answer
        c.reply_form = (reply_form if c.pk == replying and reply_form is not None else ReplyForm()) \
            if c.pk in open_ids else None
    staff = request.user.has_perm("applications.view_application")
    return {"application": application, "qr": qr, "corrections": corrections, "timeline": timeline.entries(application),
            "whatsapp": timeline.whatsapp_link(application) if staff else ""}


@require_POST
def correction_reply(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    """The applicant's answer to one of their application's open corrections; a refused answer comes back on the
    application's page with each error beside its field."""
    if not request.user.is_authenticated:
        return redirect(f"/login/?next=/applications/{number}/")
    application = own_applications(request.user).select_related("school").filter(number=number).first()
    correction = application and application.corrections.filter(pk=pk).first()
    if correction is None:
        raise Http404("no such correction")
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            reply(correction, request.user, form.cleaned_data["text"], form.cleaned_data["attachment"])
        except StateConflictError:
            messages.error(request, _("This correction is closed already; your answer was not sent. Read the "
                                      "application's page again."))
        else:
            messages.success(request, _("Your answer went to the office; it shows in the timeline below."))
        return redirect("applications:detail", number=number)
    return render(request, "applications/detail.html", detail_context(request, application, form, correction.pk),
                  status=400)


def reply_attachment(request: HttpRequest, pk: int) -> HttpResponse:
    """An answer's attachment, to the applicant and the office staff only (404 for anyone else)."""
    if not request.user.is_authenticated:
        return redirect(f"/login/?next={request.path}")
    found = CorrectionReply.objects.select_related("correction__application").filter(pk=pk).first()
    if found is None or not found.attachment or not visible_applications(request.user).filter(
            pk=found.correction.application_id).exists():
        raise Http404("no such attachment")
    return FileResponse(found.attachment.open("rb"), content_type=found.attachment_type, as_attachment=True,
                        filename=found.attachment_name or found.attachment.name.rsplit("/", 1)[-1])

