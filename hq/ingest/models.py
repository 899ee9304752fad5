"""What HQ received: each sealed record stored once (file + row), conflicting packets kept for a person, and
a log of every batch with its outcome.

A Record row is committed only after its file is durably on disk (contract.durable), and the station's ack is
sent only after that commit. File paths are relative to HQ's data dir and unique per content, so a later packet
can never overwrite a stored one.
"""

from django.db import models
from django.utils import timezone

from hq.fleet.models import Station


class Source(models.TextChoices):
    MQTT = "mqtt"
    IMPORT = "import"  # an offline export from removable media (`sinopsis hq import`)


class Batch(models.Model):
    """One batch as received (a redelivered batch is logged again); counts filled in when it is finished."""

    batch_id = models.CharField(max_length=128, blank=True, help_text="the station's id of the batch")
    station_id = models.CharField(max_length=128, blank=True, help_text="as claimed (may be unknown to HQ)")
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.MQTT)
    worker = models.CharField(max_length=100, blank=True, help_text="ingest worker or import folder")
    received_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True, help_text="empty: interrupted before the ack")
    size = models.BigIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    duplicate = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    rejections = models.JSONField(default=list, blank=True, help_text="[{record_id, code}]")
    error = models.CharField(max_length=64, blank=True, help_text="a code when the whole batch was refused")
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ("-received_at", "-id")
        indexes = (models.Index(fields=["station_id", "-received_at"]), models.Index(fields=["batch_id"]))


class Record(models.Model):
    """A sealed record HQ stored and accepted (verified against the station's enrolled key)."""

    class State(models.TextChoices):
        ACCEPTED = "accepted"

    record_id = models.CharField(primary_key=True, max_length=128)
    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="records")
    seq = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    path = models.CharField(max_length=500, help_text="packet file, relative to HQ's data dir")
    sealed_at = models.CharField(max_length=40, help_text="created_at from the signed header (station clock)")
    assignment_id = models.CharField(max_length=128, blank=True, db_index=True,
                                     help_text="the assignment it was recorded under, from the signed header "
                                               "(empty in packets sealed before issue 21)")
    received_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.MQTT)
    batch = models.ForeignKey(Batch, null=True, blank=True, on_delete=models.SET_NULL, related_name="records")
    state = models.CharField(max_length=16, choices=State.choices, default=State.ACCEPTED)
    duplicates = models.PositiveIntegerField(default=0, help_text="times the same packet came again")
    last_duplicate_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("station", "seq")
        indexes = (models.Index(fields=["station", "seq"]), models.Index(fields=["-received_at"]))

    def __str__(self) -> str:
        return f"{self.record_id} ({self.station_id} #{self.seq})"


class Quarantine(models.Model):
    """A verified packet whose record id HQ already holds with other content: kept as a file for a person.

    Never overwritten, never acked as accepted (the station hears `record.conflict`); the same conflicting
    packet arriving again only counts up `times_received`.
    """

    record_id = models.CharField(max_length=128)
    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="quarantined")
    seq = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    path = models.CharField(max_length=500, help_text="packet file, relative to HQ's data dir")
    reason = models.CharField(max_length=64, default="record.conflict")
    received_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.MQTT)
    batch = models.ForeignKey(Batch, null=True, blank=True, on_delete=models.SET_NULL, related_name="quarantined")
    times_received = models.PositiveIntegerField(default=1)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.CharField(max_length=150, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ("-received_at",)
        constraints = (models.UniqueConstraint(fields=["record_id", "sha256"], name="quarantine_once_per_content"),)

    def __str__(self) -> str:
        return f"{self.record_id} from {self.station_id} ({self.reason})"


class CorrectionRequest(models.Model):
    """A student's correction request from a station (the list's data is wrong): the office checks the family
    card and calls the student back. Stored once per (station, record); the station is acked after the commit."""

    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="correction_requests")
    record_id = models.CharField(max_length=128)
    application_id = models.CharField(max_length=64)
    assignment_id = models.CharField(max_length=128)
    reason_code = models.CharField(max_length=32)
    note = models.TextField(blank=True)
    phone = models.CharField(max_length=20, help_text="E.164, as the student gave it at check-in")
    requested_at = models.CharField(max_length=40, help_text="the station's time of the request (UTC ISO 8601)")
    requested_by = models.CharField(max_length=64, help_text="'kiosk' (the student) or the operator's id")
    received_at = models.DateTimeField(default=timezone.now)
    times_received = models.PositiveIntegerField(default=1)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ("-received_at",)
        constraints = (models.UniqueConstraint(fields=["station", "record_id"], name="correction_once_per_record"),)

    def __str__(self) -> str:
        return f"correction {self.reason_code} for {self.application_id} ({self.station_id})"


class DeadLetter(models.Model):
    """A message from a station that HQ can never store (hq/ingest/dead_letters.py): kept here with why, PUBACKed
    so the broker stops redelivering it, and counted on the station's dashboard page. The same bytes on the same
    topic again only count up `times` (a station resending, or a retained message replayed to every worker)."""

    sender = models.CharField(max_length=128, blank=True, help_text="the station id its topic names (may be unknown)")
    station = models.ForeignKey(Station, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="dead_letters", help_text="the sender when it is enrolled")
    topic = models.CharField(max_length=300)
    retained = models.BooleanField(default=False, help_text="replayed by the broker, not sent just now")
    code = models.CharField(max_length=64, help_text="contract.json, contract.schema, ingest.integrity…")
    reason = models.TextField(help_text="what is wrong, for a person (English, as the log says it)")
    size = models.PositiveBigIntegerField(help_text="the payload's size in bytes")
    sha256 = models.CharField(max_length=64, help_text="of the whole payload")
    excerpt = models.TextField(blank=True, help_text="its first bytes, non-printable ones escaped")
    first_at = models.DateTimeField(default=timezone.now)
    last_at = models.DateTimeField(default=timezone.now)
    times = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ("-last_at", "-id")
        indexes = (models.Index(fields=["station", "-last_at"]),)
        constraints = (models.UniqueConstraint(fields=["sender", "topic", "sha256"], name="dead_letter_once"),)

    def __str__(self) -> str:
        return f"{self.topic}: {self.code} ({self.times}x)"


class RecordTally(models.Model):
    """HQ's records of one station under one assignment ('' when the packet named none), counted when they are
    stored (hq/ingest/tallies.py) so the fleet dashboard and its live JSON read one row per station and assignment
    instead of counting every record on every request (issue 22: a province's fleet holds millions)."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="tallies")
    assignment_id = models.CharField(max_length=128, blank=True)
    records = models.PositiveBigIntegerField(default=0)
    last_seq = models.PositiveBigIntegerField(default=0, help_text="the highest seq stored")
    last_received_at = models.DateTimeField(help_text="when HQ stored the newest of them")

    class Meta:
        constraints = (models.UniqueConstraint(fields=["station", "assignment_id"], name="record_tally_once"),)
