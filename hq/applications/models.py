"""SOP steps 1, 2 and 9: schools, students' applications, the SIAK extract and the schools' student lists they
are verified against, and the correction requests a mismatch opens.

Every step keeps the times the service report measures it by (DESIGN.md §1): an application's form opened →
submitted (step 1), the admin opening it in the queue → the decision (step 2), a correction opened → resolved
(step 9). Times are HQ's (`timezone.now()`).
"""

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

NPSN = RegexValidator(r"\A[0-9]{8}\Z", _("8 digits (the national school number, NPSN)"))
DIGITS16 = RegexValidator(r"\A[0-9]{16}\Z", _("16 digits"))


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class School(models.Model):
    """A school whose students apply; its NPSN is the one the assignment bundle carries."""

    npsn = models.CharField("NPSN", primary_key=True, max_length=8, validators=[NPSN])
    name = models.CharField(_("name"), max_length=120)
    address = models.CharField(_("address"), max_length=200, blank=True)
    district = models.CharField(_("district (kecamatan)"), max_length=100, blank=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class SchoolAccount(models.Model):
    """A login that applies on behalf of one school's students (the SOP allows the school to apply)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="school_account")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="accounts")


class Application(models.Model):
    """One student's application for e-KTP recording at school (step 1) and its verification (step 2)."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("Waiting for verification")
        CORRECTION = "correction", _("Correction requested")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")

    number = models.CharField(_("application number"), max_length=40, unique=True,
                              help_text="also the application_id in the station's roster and QR")
    nik = models.CharField("NIK", max_length=16, validators=[DIGITS16])
    kk_number = models.CharField(_("family card (KK) number"), max_length=16, validators=[DIGITS16])
    name = models.CharField(_("full name"), max_length=120)
    birth_place = models.CharField(_("place of birth"), max_length=120)
    birth_date = models.DateField(_("date of birth"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="applications")
    phone = models.CharField(_("phone number"), max_length=20, help_text="E.164")
    email = models.EmailField(_("email"), blank=True)
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications",
                                  help_text="the student's login, or the school's that applied for them")
    state = models.CharField(max_length=12, choices=State.choices, default=State.SUBMITTED)
    form_opened_at = models.DateTimeField(null=True, blank=True, help_text="step 1 starts (the form was shown)")
    submitted_at = models.DateTimeField(default=timezone.now)
    review_opened_at = models.DateTimeField(null=True, blank=True, help_text="step 2 starts (the admin opened it)")
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decision_note = models.TextField(blank=True, help_text="the reason of a rejection")
    recorded_at = models.DateTimeField(null=True, blank=True, help_text="HQ received the station's record")

    class Meta:
        ordering = ("-submitted_at",)
        constraints = (models.UniqueConstraint(fields=["nik"], condition=~Q(state="rejected"),
                                               name="one_open_application_per_nik"),)
        indexes = (models.Index(fields=["state", "school"]),)
        permissions = (("verify_application", "Can verify or reject applications (step 2)"),
                       ("import_siak", "Can import SIAK extracts and school lists"))

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class SiakRecord(models.Model):
    """A resident as the SIAK extract has them (the default SIAK adapter imports a CSV extract)."""

    nik = models.CharField("NIK", primary_key=True, max_length=16, validators=[DIGITS16])
    kk_number = models.CharField(max_length=16, validators=[DIGITS16])
    name = models.CharField(max_length=120)
    birth_place = models.CharField(max_length=120, blank=True)
    birth_date = models.DateField()
    sex = models.CharField(max_length=1, choices=Sex.choices)
    imported_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=200, blank=True, help_text="the file it came from")


class SchoolListEntry(models.Model):
    """A student on a school's own student list (CSV/XLSX from the school)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="list_entries")
    nik = models.CharField("NIK", max_length=16, validators=[DIGITS16])
    name = models.CharField(max_length=120)
    birth_date = models.DateField(null=True, blank=True)
    class_name = models.CharField(max_length=40, blank=True)
    imported_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = (models.UniqueConstraint(fields=["school", "nik"], name="school_list_once_per_nik"),)


class Correction(models.Model):
    """Step 9: a mismatch (from verification, or flagged at a station) the admin answers with the problem and the
    solution, which the applicant reads in their account; resolved when the data is right again."""

    class Source(models.TextChoices):
        VERIFICATION = "verification", _("Verification")
        STATION = "station", _("Recording station")

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        ANSWERED = "answered", _("Answered")
        REPLIED = "replied", _("Answered by the applicant")
        RESOLVED = "resolved", _("Resolved")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="corrections")
    source = models.CharField(max_length=12, choices=Source.choices)
    station_request = models.OneToOneField("ingest.CorrectionRequest", null=True, blank=True,
                                           on_delete=models.SET_NULL, related_name="office_correction")
    fields = models.JSONField(default=list, blank=True, help_text="which data differ: name, birth_date, kk_number…")
    problem = models.TextField(_("problem"), blank=True)
    solution = models.TextField(_("solution"), blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    opened_at = models.DateTimeField(default=timezone.now)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        ordering = ("-opened_at",)
        permissions = (("handle_correction", "Can answer and resolve correction requests (step 9)"),)


class NikConflict(models.Model):
    """A second account's claim on a NIK that another account's open application holds (issue 19 point 6).

    The first application stays as it is (a claim never blocks it); the second account is told only that the
    office checks the NIK, nothing of the other application. The admin sees both sides here — what the second
    account typed (`claimed`: name, birth date, KK, phone, school, email) beside the first application — finds
    out whose NIK it is, and closes the conflict with a note (e.g. the first application rejected so the real
    student can apply). One open conflict per (application, claimant); another try counts in `attempts`."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")

    nik = models.CharField("NIK", max_length=16, validators=[DIGITS16])
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="nik_conflicts",
                                    help_text="the open application that holds the NIK")
    claimant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                                 help_text="the other login that applied for the same NIK")
    claimed = models.JSONField(default=dict, help_text="what the claimant typed (the application form's data)")
    attempts = models.PositiveIntegerField(default=1)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    opened_at = models.DateTimeField(default=timezone.now)
    last_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    resolution = models.TextField(_("resolution"), blank=True)

    class Meta:
        ordering = ("-last_at",)
        constraints = (models.UniqueConstraint(fields=["application", "claimant"], condition=Q(state="open"),
                                               name="one_open_conflict_per_claimant"),)


class VerificationAudit(models.Model):
    """One verification decision's audit line (issue 21 point 1): who verified an application, or undid its
    verification, when, and why — with SIAK's answer at that moment (found / not found / which fields differed).
    Verifying an application SIAK does not know or disagrees with needs a reason; an undo always has one."""

    class Action(models.TextChoices):
        VERIFIED = "verified", _("Verified")
        UNDONE = "undone", _("Verification undone")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="verification_audits")
    action = models.CharField(max_length=10, choices=Action.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(blank=True)
    siak_status = models.CharField(max_length=10, help_text="found, not_found or differs, when it was decided")
    siak_fields = models.JSONField(default=list, blank=True, help_text="the fields that differed from SIAK")

    class Meta:
        ordering = ("at", "id")


class ApplicationEvent(models.Model):
    """One step of an application's timeline (issue 21 point 6): what happened (`kind`, see timeline.KINDS), when,
    in which role (what the applicant reads; `by` stays for the office's audit) and a note the applicant may read."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24)
    at = models.DateTimeField(default=timezone.now)
    role = models.CharField(max_length=24, blank=True, help_text="office.roles name, 'system' or 'station'")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ("at", "id")


def private_attachments() -> FileSystemStorage:
    """The applicants' attachments: HQ's data folder, files 0600, folders 0700, never under a served URL."""
    return FileSystemStorage(location=settings.HQ_DATA_DIR / "attachments", base_url=None,
                             file_permissions_mode=0o600, directory_permissions_mode=0o700)


class CorrectionReply(models.Model):
    """The applicant's answer to a correction request: a text and an optional attachment (PDF, JPEG or PNG,
    checked by content; correction_replies.py), which sends the correction back to the office."""

    correction = models.ForeignKey(Correction, on_delete=models.CASCADE, related_name="replies")
    text = models.TextField()
    attachment = models.FileField(storage=private_attachments, upload_to="%Y/%m", blank=True, max_length=200)
    attachment_name = models.CharField(max_length=120, blank=True, help_text="the file's name as sent")
    attachment_type = models.CharField(max_length=40, blank=True, help_text="the type its content shows")
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ("at", "id")
