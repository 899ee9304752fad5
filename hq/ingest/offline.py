"""`sinopsis hq import DIR`: a station's offline export (station/export.py: packet files and a manifest signed by
the station) ingested with exactly the MQTT rules (hq/ingest/storage.py), logged as one Batch of source import.

The manifest's signature is checked against the station's ENROLLED key before anything is read from it; then
every packet file must match the manifest's size and SHA-256 and verify on its own. The station later sends the
same records over MQTT and hears `duplicate`, so nothing is counted twice.
"""

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

from contract.export import ExportError, load_manifest, verify_export
from contract.files import FileReadError, read_bounded
from hq.errors import HqError
from hq.fleet.models import Station
from hq.ingest.batches import finish
from hq.ingest.models import Batch, Source
from hq.ingest.storage import (
    ACCEPTED,
    DUPLICATE,
    REJECTED,
    EnrolledKeyError,
    Expected,
    Outcome,
    receive_packet,
    station_key,
)

logger = logging.getLogger(__name__)


@dataclass
class ImportSummary:
    """What an import did, record by record."""

    directory: Path
    station_id: str
    created_at: str
    outcomes: list[Outcome] = field(default_factory=list)

    def ids(self, result: str) -> list[str]:
        return [o.record_id for o in self.outcomes if o.result == result]

    @property
    def rejected(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.result == REJECTED]


def _refuse(code: str, message: str) -> HqError:
    logger.warning("import refused (%s): %s", code, message)
    return HqError(message, code)


def import_export(directory: Path) -> ImportSummary:
    """Ingest the export in `directory`; HqError when the export as a whole cannot be trusted (no manifest,
    unknown station, bad manifest signature). Everything that refuses the whole export is checked before the
    Batch row is written, so a refused import leaves no row behind. OSError / DatabaseError propagate (run it
    again: it is idempotent)."""
    directory = Path(directory)
    try:
        signed = load_manifest(directory)
    except ExportError as e:
        raise _refuse(e.code, str(e)) from None
    station = Station.objects.filter(pk=signed.station_id).first()
    if station is None:
        raise _refuse("station.unknown", f"{directory}: the export is from station {signed.station_id}, "
                      "which is not enrolled (sinopsis hq enrol-station)")
    try:
        verified = verify_export(directory, station_key(station.public_key_pem))
    except EnrolledKeyError as e:
        raise _refuse("station.key", f"station {station.id}: its enrolled key is unusable ({e})") from None
    except ExportError as e:
        raise _refuse(e.code, str(e)) from None
    batch = Batch.objects.create(source=Source.IMPORT, worker=str(directory)[-100:], station_id=station.id,
                                 batch_id=f"export-{signed.manifest.created_at}"[:128])
    summary = ImportSummary(directory, station.id, verified.manifest.created_at)
    for entry in verified.manifest.records:
        try:  # a packet file on the media may be anything: a FIFO, a directory, a link to /dev/zero
            data = read_bounded(verified.packet_path(entry), "packet")
        except FileReadError as e:  # export.packet_missing / _not_a_file / _too_large / _unreadable
            summary.outcomes.append(Outcome(entry.record_id, REJECTED, f"export.packet_{e.code.split('.')[-1]}"))
            continue
        if len(data) != entry.size or hashlib.sha256(data).hexdigest() != entry.sha256:
            summary.outcomes.append(Outcome(entry.record_id, REJECTED, "export.packet_altered"))
            continue
        summary.outcomes.append(receive_packet(station, data, expected=Expected(entry.record_id, entry.seq),
                                               claimed_station=station.id, source=Source.IMPORT, batch=batch))
    finish(batch, summary.outcomes)
    logger.info("import of %s from %s: %d accepted, %d duplicate, %d rejected", directory, station.id,
                len(summary.ids(ACCEPTED)), len(summary.ids(DUPLICATE)), len(summary.rejected))
    return summary
