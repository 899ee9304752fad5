"""What the applications app tells the apps that build on it, without knowing them (Django signals)."""

from django.dispatch import Signal

# The office resolved a correction: sent with correction=<Correction>, at=<datetime>, by=<username>, inside the
# resolving transaction (hq/applications/decisions.py). hq/ingest/office_corrections.py marks the station's
# request handled when the correction came from a station.
correction_resolved = Signal()
