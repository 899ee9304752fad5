"""SOP steps 3–7: verified applicants grouped by school into an application list (daftar permohonan), its way
from the admin to the Kasi (verification) and the Kabid (approval), the SPT (surat perintah tugas) with its team,
and the stations it is assigned to (the signed assignment published as each station's `desired`).

Every transition of a list is a ListEvent (who, when, from → to, reason): the timeline on the page and the times
the service report measures steps 3–7 by. An approved list is frozen: its content hash is kept, and a change
after approval sends it back for approval (it is never silently altered).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hq.applications.models import Application, School
from hq.fleet.models import Station


class ApplicationList(models.Model):
    """A school's list of verified applicants (daftar permohonan)."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("With the Kasi for verification")
        VERIFIED = "verified", _("With the Kabid for approval")
        APPROVED = "approved", _("Approved")

    number = models.CharField(_("list number"), max_length=40, unique=True)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="application_lists")
    applications = models.ManyToManyField(Application, related_name="lists", blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    grouping_started_at = models.DateTimeField(null=True, blank=True, help_text="step 3 starts")
    approved_sha256 = models.CharField(max_length=64, blank=True, help_text="the content approved (frozen)")

    class Meta:
        ordering = ("-created_at",)
        permissions = (("build_list", "Can group verified applicants into lists and submit them (steps 3-4)"),
                       ("check_list", "Can verify lists as Kasi Pendataan (step 4)"),
                       ("approve_list", "Can approve lists as Kabid Dafduk (step 5)"))

    def __str__(self) -> str:
        return f"{self.number} ({self.school})"


class ListEvent(models.Model):
    """One step of a list's timeline."""

    class Action(models.TextChoices):
        CREATED = "created", _("Created")
        CHANGED = "changed", _("Changed")
        SUBMITTED = "submitted", _("Submitted to the Kasi")
        VERIFIED = "verified", _("Verified by the Kasi")
        APPROVED = "approved", _("Approved by the Kabid")
        RETURNED = "returned", _("Returned")
        SPT_ISSUED = "spt_issued", _("SPT issued")
        ASSIGNED = "assigned", _("Assigned to a station")
        PUBLISHED = "published", _("Sent to the station")

    application_list = models.ForeignKey(ApplicationList, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=12, choices=Action.choices)
    from_state = models.CharField(max_length=10, blank=True)
    to_state = models.CharField(max_length=10, blank=True)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                           related_name="+")
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ("at", "id")


class Spt(models.Model):
    """Step 6: the numbered assignment letter for an approved list: the team and the recording date."""

    number = models.CharField(_("SPT number"), max_length=64, unique=True)
    year = models.PositiveIntegerField()
    serial = models.PositiveIntegerField(help_text="the n-th SPT of the year")
    application_list = models.OneToOneField(ApplicationList, on_delete=models.PROTECT, related_name="spt")
    recording_date = models.DateField(_("recording date"))
    issued_at = models.DateTimeField(default=timezone.now)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # the signer as printed when the letter was issued (kept: a later change of post does not rewrite the letter)
    signer_name = models.CharField(max_length=120, blank=True)
    signer_nip = models.CharField(max_length=18, blank=True)
    signer_rank = models.CharField(max_length=60, blank=True)
    signer_position = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ("-issued_at",)
        constraints = (models.UniqueConstraint(fields=["year", "serial"], name="spt_serial_per_year"),)
        permissions = (("issue_spt", "Can issue SPTs as Kasubbag Umum (step 6)"),
                       ("assign_station", "Can assign stations to an SPT as Kabid PIAK (step 7)"))

    def __str__(self) -> str:
        return self.number


class Officer(models.Model):
    """A civil servant's particulars printed on official letters (the SPT's team and signer): NIP, pangkat/golongan
    and jabatan. Set with `sinopsis hq createuser --nip --rank --position`; copied onto an SPT when it is issued."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="officer")
    nip = models.CharField(_("NIP"), max_length=18, blank=True, help_text="18 digits (Nomor Induk Pegawai)")
    rank = models.CharField(_("rank/grade"), max_length=60, blank=True,
                            help_text="pangkat/golongan, e.g. Penata, III/c")
    position = models.CharField(_("position"), max_length=120, blank=True, help_text="jabatan")

    def __str__(self) -> str:
        return f"{self.user} ({self.nip or '-'})"


class SptMember(models.Model):
    """A recording team member named on the SPT; the PIN they log in with at the station is kept only hashed."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Team lead")
        OPERATOR = "operator", _("Operator")

    spt = models.ForeignKey(Spt, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="spt_memberships")
    operator_id = models.CharField(max_length=32)
    name = models.CharField(max_length=120)
    role = models.CharField(max_length=8, choices=Role.choices, default=Role.OPERATOR)
    pin_hash = models.CharField(max_length=200, help_text="contract.pins hash; the PIN itself is never stored")
    nip = models.CharField(max_length=18, blank=True, help_text="as printed on the letter (from the Officer)")
    rank = models.CharField(max_length=60, blank=True, help_text="pangkat/golongan as printed on the letter")
    position = models.CharField(max_length=120, blank=True, help_text="jabatan as printed on the letter")

    class Meta:
        constraints = (models.UniqueConstraint(fields=["spt", "operator_id"], name="spt_member_once"),)


class StationAssignment(models.Model):
    """Step 7: an SPT's list assigned to a station: the signed bundle, as published on its `desired` topic."""

    spt = models.ForeignKey(Spt, on_delete=models.PROTECT, related_name="assignments")
    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="assignments")
    version = models.PositiveIntegerField(help_text="increases with every assignment sent to this station")
    assignment_id = models.CharField(max_length=64)
    bundle = models.TextField(help_text="the signed assignment bundle (JSON)")
    content_sha256 = models.CharField(max_length=64)
    assigned_at = models.DateTimeField(default=timezone.now)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(null=True, blank=True, help_text="the broker confirmed the retained publish")
    publish_error = models.TextField(blank=True)

    class Meta:
        ordering = ("-assigned_at",)
        constraints = (models.UniqueConstraint(fields=["station", "version"], name="assignment_version_once"),)
