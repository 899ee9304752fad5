"""What the records say: each stored sealed packet opened ONCE, in memory, with HQ's packet key, and only its
metadata kept as a RecordSummary (application number, outcome, exceptions, sealed time), so the service report
can count students recorded, exceptions and schools visited without ever writing an image anywhere.

HQ's X25519 packet key is the PEM file named by SINOPSIS_HQ_PACKET_KEY, else <HQ_DATA_DIR>/keys/hq_packet.pem if
it exists. Without a key nothing is indexed and the report counts records per station only. A packet that does
not open becomes a summary with outcome `unreadable` and the error's code (logged), never a crash. A recording
also sets the application's `recorded_at` (when HQ received it), the one write into another app's table.
"""

import datetime as dt
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from django.conf import settings
from django.db import transaction

from contract.errors import KeyFileError, PacketError
from contract.keys import load_private_key, parse_public_key
from contract.packets import open_packet
from hq.applications import timeline
from hq.applications.models import Application
from hq.ingest.models import Record
from hq.reports.models import RecordSummary

logger = logging.getLogger(__name__)
KEY_ENV = "SINOPSIS_HQ_PACKET_KEY"
DEFAULT_KEY = Path("keys/hq_packet.pem")
BATCH = 200
NOT_CONFIGURED, KEY_UNREADABLE = "not_configured", "key_unreadable"


@dataclass(frozen=True)
class PacketKey:
    """HQ's packet key, or why there is none (`problem`: not_configured / key_unreadable, `detail` for people)."""

    key: X25519PrivateKey | None
    problem: str = ""
    detail: str = ""


@dataclass(frozen=True)
class IndexResult:
    """What one indexing pass did; `available` is False when there is no usable key (nothing was indexed)."""

    available: bool
    problem: str = ""
    detail: str = ""
    indexed: int = 0
    unreadable: int = 0


def packet_key() -> PacketKey:
    """HQ's packet private key from SINOPSIS_HQ_PACKET_KEY or the data dir; a named file that fails is reported."""
    named = os.environ.get(KEY_ENV, "").strip()
    path = Path(named) if named else Path(settings.HQ_DATA_DIR) / DEFAULT_KEY
    if not named and not path.exists():
        return PacketKey(None, NOT_CONFIGURED, f"set {KEY_ENV} to the PEM file of HQ's packet key, or put it at "
                                               f"{path}")
    try:
        return PacketKey(load_private_key(path, X25519PrivateKey))
    except KeyFileError as e:
        return PacketKey(None, KEY_UNREADABLE, str(e))


def _sealed_at(value: str) -> dt.datetime | None:
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC)


def _unreadable(record: Record, code: str) -> RecordSummary:
    logger.warning("record %s from %s: its packet cannot be read for the report (%s)", record.record_id,
                   record.station_id, code)
    return RecordSummary(record=record, outcome=RecordSummary.UNREADABLE, error=code,
                         sealed_at=_sealed_at(record.sealed_at))


def _text(value: Any, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


def summarize(record: Record, key: X25519PrivateKey) -> RecordSummary:
    """Open one stored packet in memory and keep only its record.json's metadata (an unsaved summary)."""
    try:
        data = (Path(settings.HQ_DATA_DIR) / record.path).read_bytes()
    except FileNotFoundError:
        return _unreadable(record, "packet.missing")
    except OSError:
        return _unreadable(record, "packet.io")
    try:
        station_key = parse_public_key(record.station.public_key_pem, Ed25519PublicKey, f"station {record.station_id}")
        files = open_packet(data, station_key, key)
    except KeyFileError:
        return _unreadable(record, "station.key")
    except PacketError as e:
        return _unreadable(record, e.code or "packet.error")
    raw = files.get("record.json")
    del files, data  # the images go here, unread
    if raw is None:
        return _unreadable(record, "record.missing")
    try:
        document = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):
        return _unreadable(record, "record.json")
    if not isinstance(document, dict) or not str(document.get("format", "")).startswith("sinopsis-record/"):
        return _unreadable(record, "record.format")
    applicant = document.get("applicant") if isinstance(document.get("applicant"), dict) else {}
    assignment = document.get("assignment") if isinstance(document.get("assignment"), dict) else {}
    listed = document.get("captures")
    captures = [c for c in listed if isinstance(c, dict)] if isinstance(listed, list) else []  # 5, true: none
    codes = [_text(c.get("exception_code"), 32) or "other" for c in captures if c.get("outcome") == "exception"]
    return RecordSummary(
        record=record, application_number=_text(applicant.get("application_id"), 64),
        assignment_id=_text(assignment.get("assignment_id"), 128), school_npsn=_text(assignment.get("school_npsn"), 16),
        outcome=_text(document.get("outcome"), 32) or RecordSummary.RECORDED, exceptions=len(codes),
        exception_codes=codes, sealed_at=_sealed_at(record.sealed_at))


def _mark_recorded(summaries: list[RecordSummary]) -> None:
    """Set Application.recorded_at (HQ's time of receipt) for applications whose recording arrived."""
    first: dict[str, dt.datetime] = {}
    for s in summaries:
        if s.outcome == RecordSummary.RECORDED and s.application_number:
            at = s.record.received_at
            first[s.application_number] = min(at, first.get(s.application_number, at))
    for number, at in first.items():
        waiting = Application.objects.filter(number=number, recorded_at__isnull=True)
        pk = waiting.values_list("pk", flat=True).first()
        if pk is not None and waiting.update(recorded_at=at):
            timeline.record(pk, "recorded", role="station", at=at)  # on the applicant's timeline (issue 21)


def index_records(retry_unreadable: bool = False) -> IndexResult:
    """Summarize every stored record that has no summary yet (and, with `retry_unreadable`, those that did not
    open before, e.g. after the right key was configured). Safe to run concurrently: a record is summarized once."""
    found = packet_key()
    if found.key is None:
        return IndexResult(False, found.problem, found.detail)
    if retry_unreadable:
        RecordSummary.objects.filter(outcome=RecordSummary.UNREADABLE).delete()
    indexed = unreadable = 0
    after = ""  # record ids in order, so each is tried once even if another pass wrote its summary meanwhile
    while True:
        pending = list(Record.objects.filter(summary__isnull=True, record_id__gt=after).select_related("station")
                       .order_by("record_id")[:BATCH])
        if not pending:
            break
        after = pending[-1].record_id
        summaries = [summarize(record, found.key) for record in pending]
        with transaction.atomic():
            RecordSummary.objects.bulk_create(summaries, ignore_conflicts=True)
            _mark_recorded(summaries)
        indexed += len(summaries)
        unreadable += sum(s.outcome == RecordSummary.UNREADABLE for s in summaries)
    return IndexResult(True, indexed=indexed, unreadable=unreadable)
