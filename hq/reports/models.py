"""What the service report keeps of each stored record: metadata read once from its sealed packet's record.json
(the application it belongs to, how it ended, its exceptions, when it was sealed) — never an image, never
biometric data. Built lazily by hq/reports/record_index.py when a report is made."""

from django.db import models
from django.utils import timezone

from hq.ingest.models import Record


class RecordSummary(models.Model):
    """One stored record as the report counts it (one row per ingest.Record, made once)."""

    RECORDED = "recorded"  # what the station seals today: a finished recording
    UNREADABLE = "unreadable"  # the packet did not open or its record.json is not usable (see error)

    record = models.OneToOneField(Record, on_delete=models.CASCADE, primary_key=True, related_name="summary")
    application_number = models.CharField(max_length=64, blank=True, db_index=True,
                                          help_text="applicant.application_id in record.json")
    assignment_id = models.CharField(max_length=128, blank=True, help_text="the assignment the station recorded for")
    school_npsn = models.CharField(max_length=16, blank=True, help_text="assignment.school_npsn in record.json")
    outcome = models.CharField(max_length=32, help_text="recorded, or what the station wrote; unreadable")
    exceptions = models.PositiveIntegerField(default=0, help_text="captures ended with an exception")
    exception_codes = models.JSONField(default=list, blank=True, help_text="their codes, in capture order")
    sealed_at = models.DateTimeField(null=True, blank=True, db_index=True,
                                     help_text="created_at of the signed header (the station's clock)")
    error = models.CharField(max_length=64, blank=True, help_text="why it is unreadable (a code)")
    indexed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = (models.Index(fields=["outcome", "sealed_at"]),)

    def __str__(self) -> str:
        return f"{self.record_id}: {self.outcome}"
