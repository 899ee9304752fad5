"""The stations HQ knows: enrolment (id, school, SPT, Ed25519 key, TLS certificate, revocation), liveness on
HQ's own clock, the last Health and Reported messages with their history, and the commands (jobs) sent to them.

Times are HQ's (`timezone.now()` on receipt); a station's own clock only appears inside its messages.
"""

from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

from hq.fleet.rules import withdrawn_rise

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"  # the contract's station / record / job id
id_validator = RegexValidator(ID_PATTERN, "letters, digits, '.', '_', '-' (at most 128)")


class Station(models.Model):
    """An enrolled recording station; its id is its MQTT username and the station_id in its packets."""

    class State(models.TextChoices):
        UNKNOWN = "unknown"  # enrolled, never heard from
        ONLINE = "online"
        OFFLINE = "offline"  # said goodbye (clean stop)
        LOST = "lost"  # its Will: the connection dropped without a goodbye

    id = models.CharField(primary_key=True, max_length=128, validators=[id_validator])
    name = models.CharField(max_length=200, blank=True)
    school = models.CharField(max_length=200, blank=True)
    spt_number = models.CharField("SPT number", max_length=100, blank=True)
    public_key_pem = models.TextField(help_text="the station's Ed25519 signing key (SubjectPublicKeyInfo PEM)")
    enrolled_at = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(null=True, blank=True, help_text="HQ's clock at the last live message")
    status_state = models.CharField(max_length=16, choices=State.choices, default=State.UNKNOWN)
    status_epoch = models.BigIntegerField(null=True, blank=True, help_text="the connection the state belongs to")
    status_changed_at = models.DateTimeField(null=True, blank=True)
    last_health = models.JSONField(null=True, blank=True, help_text="the last Health message as received")
    health_at = models.DateTimeField(null=True, blank=True)
    queue_trend = models.JSONField(default=list, blank=True,
                                   help_text="outbox depth in the last health reports, oldest first (kept at ingest)")
    # what the last Health says, kept at ingest (hq/fleet/rules.py Standing): the fleet page counts these
    health_alert = models.CharField(max_length=4, blank=True, default="",
                                    help_text="worst alert of its last Health whatever its state: bad, warn or none")
    kit_alert = models.CharField(max_length=4, blank=True, default="",
                                 help_text="worst alert about the kit (devices, battery), shown only while online")
    behind = models.BooleanField(default=False, help_text="oldest record late or backlog growing (its last Health)")
    disk_low = models.BooleanField(default=False, help_text="disk almost full (its last Health)")
    certificate_expires = models.DateTimeField(null=True, blank=True,
                                               help_text="its certificate's expiry as its last Health reports it")
    reported = models.JSONField(null=True, blank=True, help_text="the last Reported message as received")
    reported_at = models.DateTimeField(null=True, blank=True)
    assignment_version = models.PositiveIntegerField(null=True, blank=True, help_text="as reported applied")
    cert_serial = models.CharField(max_length=64, blank=True, help_text="serial (hex) of its newest TLS certificate")
    cert_fingerprint = models.CharField(max_length=64, blank=True, help_text="SHA-256 of that certificate")
    cert_expires_at = models.DateTimeField(null=True, blank=True, help_text="when that certificate expires")
    revoked_at = models.DateTimeField(null=True, blank=True,
                                      help_text="revoked (lost, stolen, broken): HQ refuses its packets from then on")
    revoked_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ("id",)

    def __str__(self) -> str:
        return self.id


class StatusChange(models.Model):
    """One accepted liveness change (state or epoch), for the station's history and the 'lost' alert."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="status_changes")
    state = models.CharField(max_length=16, choices=Station.State.choices)
    epoch = models.BigIntegerField()
    received_at = models.DateTimeField(default=timezone.now)
    retained = models.BooleanField(default=False, help_text="learnt from the broker's retained copy")

    class Meta:
        ordering = ("-received_at", "-id")
        indexes = (models.Index(fields=["station", "-received_at"]),)


class HealthSample(models.Model):
    """A Health message as received (the history behind the dashboard's trends and alerts), with how far its
    `counts.withdrawn` rose over the station's previous report, worked out when it is stored: the service report
    sums those over a period in one query instead of reading every report of every station (issue 22)."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="health_samples")
    received_at = models.DateTimeField(default=timezone.now)
    epoch = models.BigIntegerField()
    data = models.JSONField()
    withdrawn_rise = models.PositiveIntegerField(
        default=0, help_text="rise of counts.withdrawn over the station's previous report (a fall counts on from it)")

    class Meta:
        ordering = ("-received_at", "-id")
        indexes = (models.Index(fields=["station", "-received_at"]), models.Index(fields=["received_at"]))

    @classmethod
    def following(cls, previous: object, **fields: object) -> "HealthSample":
        """A new report (unsaved) whose station's previous one was `previous` (its JSON; None for the first): ingest
        has it at hand (Station.last_health), so the rise needs no query."""
        sample = cls(**fields)
        sample.withdrawn_rise = withdrawn_rise(previous, sample.data)
        return sample


class Job(models.Model):
    """A command HQ sent to one station, and the last state the station reported for it."""

    class State(models.TextChoices):
        SENT = "sent"  # published by HQ, no answer yet
        QUEUED = "queued"
        IN_PROGRESS = "in_progress"
        SUCCEEDED = "succeeded"
        FAILED = "failed"
        REJECTED = "rejected"  # the station refused it (unknown, expired, malformed)

    id = models.CharField(primary_key=True, max_length=128, validators=[id_validator])
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="jobs")
    name = models.CharField(max_length=40)
    args = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.CharField(max_length=150, blank=True)
    expires_at = models.DateTimeField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.SENT)
    detail = models.TextField(blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-created_at",)
        indexes = (models.Index(fields=["station", "-created_at"]),)
        permissions = (("send_command", "Can send commands to stations from the dashboard"),)

    def __str__(self) -> str:
        return f"{self.id} ({self.name} → {self.station_id}: {self.state})"


class Reassignment(models.Model):
    """A station reassigned although HQ knew (from its last Health) that records had not all reached HQ or a
    session was open: who confirmed it, what HQ knew then and the warning they confirmed (the audit), and the
    version the station must report applied (its ack) before the dashboard's alert for it goes."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="reassignments")
    version = models.PositiveIntegerField(help_text="the new assignment's version, which the station must apply")
    assignment_id = models.CharField(max_length=64)
    school = models.CharField(max_length=200, help_text="where the station now goes")
    spt_number = models.CharField(max_length=100, blank=True)
    pending = models.PositiveIntegerField(default=0, help_text="records sealed but not yet at HQ (its last Health)")
    capturing = models.PositiveIntegerField(default=0, help_text="students being recorded (its last Health)")
    checked_in = models.PositiveIntegerField(default=0, help_text="students checked in and waiting (its last Health)")
    health_at = models.DateTimeField(null=True, blank=True, help_text="HQ's clock when that Health arrived")
    warning = models.TextField(help_text="the confirmation text the person saw and confirmed")
    confirmed_by = models.CharField(max_length=150)
    confirmed_at = models.DateTimeField(default=timezone.now)
    sync_job = models.CharField(max_length=128, blank=True, help_text="the sync_now job sent with it, if any")
    acked_at = models.DateTimeField(null=True, blank=True, help_text="the station reported this version applied")

    class Meta:
        ordering = ("-confirmed_at",)
        indexes = (models.Index(fields=["station", "acked_at"]),)

    def __str__(self) -> str:
        return f"{self.station_id} v{self.version} ({self.assignment_id})"
