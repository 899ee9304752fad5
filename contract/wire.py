"""The MQTT contract v1 (DESIGN.md §7): topic names and the messages on them, shared by the station's agent
(edge_agent/) and HQ's ingest (hq/) so both sides parse and refuse exactly the same bytes.

JSON messages are pydantic models in strict mode (`extra="forbid"`, no type coercion: `"3"`, `3.0` or `true` is
not an integer; numbers finite; every count, size and text bounded) with a schema version `v` (absent means 1);
`parse(model, payload)` turns any bad payload (not UTF-8, not JSON, wrong schema or schema version, too large) into
ContractError with a code and a reason for the log. HQ keeps what it refuses as a dead letter (hq/ingest/).

A batch (`…/up/batch`) is binary: its manifest is the model `BatchManifest` here, its framing is
contract/batch.py.
"""

import json
import re
from typing import Annotated, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from contract.errors import SinopsisError

VERSION = "v1"
PREFIX = f"sinopsis/{VERSION}"
INGEST_STATE = f"{PREFIX}/hq/ingest/state"
INGEST_SHARE = "ingest"  # HQ workers subscribe to $share/ingest/sinopsis/v1/st/+/up/batch
MAX_JSON_BYTES = 256 * 1024  # any JSON message (health, desired pointer, ack, job…)
MAX_DESIRED_BYTES = 4 * 1024 * 1024  # a signed assignment with its applicants
MAX_BATCH_BYTES = 16 * 1024 * 1024  # the broker's message_size_limit is set to this too
MAX_BATCH_RECORDS = 50
MAX_INT = 2**63 - 1  # what a database integer column holds: epochs, versions and seqs end up in one at HQ
SCHEMA_VERSION = 1  # the `v` of every JSON message of contract v1
# Physical bounds of what a station counts and measures (far above any real kit, far below what breaks a column
# or a browser's number): records and students, seconds a record can wait (a century), bytes of a disk (8 PiB).
MAX_COUNT = 10**9
MAX_AGE_S = 100 * 366 * 86400
MAX_DISK_BYTES = 2**53
# What a Health report's numbers ask action for, the same on the kiosk's status bar and HQ's dashboard: disk
# below this fraction free, battery below this percent, a record waiting longer than this; the device kinds.
DISK_LOW_FRACTION = 0.10
BATTERY_LOW_PERCENT = 20
OLDEST_WAITING_ALERT_S = 3600
DEVICE_KINDS = ("camera", "fingerprint", "iris", "signature_pad", "qr_scanner", "printer")

_ID = r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}"
StationId = Annotated[str, Field(pattern=f"^{_ID}$")]
RecordId = Annotated[str, Field(pattern=f"^{_ID}$")]
SHA256_HEX = re.compile(r"[0-9a-f]{64}")  # a SHA-256 as every part of SINOPSIS writes it: 64 lowercase hex digits
Sha256 = Annotated[str, Field(pattern=f"^{SHA256_HEX.pattern}$")]
Timestamp = Annotated[str, Field(max_length=40)]
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
Name = Annotated[str, Field(min_length=1, max_length=40)]  # a key in counts, devices, command args


class ContractError(SinopsisError):
    """A message that breaks the contract: which topic or part, what is wrong (logged, never crashes)."""


def station_topic(station_id: str, leaf: str) -> str:
    """`sinopsis/v1/st/{id}/{leaf}` (leaf: status, health, reported, desired, cmd/{job}, job/{job}, up/batch,
    ack, up/correction, correction/ack)."""
    if not re.fullmatch(_ID, station_id):
        raise ContractError(f"station id {station_id!r} cannot be part of a topic", "contract.station_id")
    return f"{PREFIX}/st/{station_id}/{leaf}"


def split_station_topic(topic: str) -> tuple[str, str]:
    """(station id, leaf) of a station topic; ContractError for anything else."""
    match = re.fullmatch(rf"{re.escape(PREFIX)}/st/({_ID})/(.+)", topic)
    if match is None:
        raise ContractError(f"{topic!r} is not a SINOPSIS station topic", "contract.topic")
    return match.group(1), match.group(2)


class Message(BaseModel):
    """Every JSON message: strict types (what arrives must already be the right JSON type), finite numbers, no
    unknown fields, and the schema version `v` (1; a message without it is read as 1, one with another is refused
    with `contract.version`, so a newer station's message is never half-understood)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

    v: int = Field(default=SCHEMA_VERSION, ge=SCHEMA_VERSION, le=SCHEMA_VERSION)  # int, so `true`/`1.0` are not 1


class Status(Message):
    """Liveness (retained). The Will is `lost` with the same epoch; a clean stop publishes `offline` first."""

    state: Literal["online", "offline", "lost"]
    epoch: int = Field(ge=0, le=MAX_INT)
    ts: Timestamp | None = None


class Health(Message):
    """Progress and the kit's condition (retained), every 60 s and on change."""

    epoch: int = Field(ge=0, le=MAX_INT)
    ts: Timestamp
    queue_depth: Count
    oldest_pending_s: float | None = Field(default=None, ge=0, le=MAX_AGE_S)
    last_acked_seq: int | None = Field(default=None, ge=0, le=MAX_INT)
    counts: dict[Name, Count] = Field(default_factory=dict, max_length=20)
    # students on the station's current list (progress against it)
    listed: Count | None = None
    devices: dict[Name, bool] = Field(default_factory=dict, max_length=20)
    disk_free_bytes: int | None = Field(default=None, ge=0, le=MAX_DISK_BYTES)
    disk_total_bytes: int | None = Field(default=None, ge=0, le=MAX_DISK_BYTES)
    battery_percent: float | None = Field(default=None, ge=0, le=100)
    charging: bool | None = None
    software_version: str = Field(max_length=40)
    assignment_version: int | None = Field(default=None, ge=0, le=MAX_INT)
    certificate_expires: Timestamp | None = None
    last_hq_contact: Timestamp | None = None
    capture_blocked: str | None = Field(default=None, max_length=200)  # offline limits: why captures stopped


class Reported(Message):
    """What the station applied (retained): the assignment version, or why the desired one was refused."""

    assignment_version: int | None = Field(default=None, ge=0, le=MAX_INT)
    refused_version: int | None = Field(default=None, ge=0, le=MAX_INT)
    refused_reason: str | None = Field(default=None, max_length=500)
    ts: Timestamp


class Desired(Message):
    """The signed assignment for the station (retained), as the bundle bytes the station imports."""

    version: int = Field(ge=1, le=MAX_INT)
    bundle: str = Field(max_length=MAX_DESIRED_BYTES)  # the signed assignment JSON, verified by the station


COMMANDS = ("sync_now", "send_logs", "rotate_logs", "purge_accepted")


class Command(Message):
    """A command for one station (not retained; the MQTT message expiry bounds it too)."""

    job: Annotated[str, Field(pattern=f"^{_ID}$")]
    name: Literal["sync_now", "send_logs", "rotate_logs", "purge_accepted"]
    expires_at: Timestamp
    args: dict[Name, Annotated[str, Field(max_length=200)] | Annotated[int, Field(ge=-MAX_INT, le=MAX_INT)]] = \
        Field(default_factory=dict, max_length=10)


class JobState(Message):
    """The station's answer to a command, on `…/job/{job}`."""

    job: Annotated[str, Field(pattern=f"^{_ID}$")]
    state: Literal["queued", "in_progress", "succeeded", "failed", "rejected"]
    detail: str | None = Field(default=None, max_length=2000)
    ts: Timestamp


class Rejection(Message):
    record_id: RecordId
    code: Annotated[str, Field(pattern=r"^[a-z_.]{1,64}$")]


class Ack(Message):
    """HQ's application ack of a batch: only after every accepted record is durably stored."""

    batch_id: Annotated[str, Field(pattern=f"^{_ID}$")]
    accepted: list[RecordId] = Field(default_factory=list, max_length=MAX_BATCH_RECORDS)
    duplicate: list[RecordId] = Field(default_factory=list, max_length=MAX_BATCH_RECORDS)
    rejected: list[Rejection] = Field(default_factory=list, max_length=MAX_BATCH_RECORDS)


class Correction(Message):
    """A correction request (the student's data on the list is wrong), on `…/up/correction`; HQ stores it, then
    answers with CorrectionAck on `…/correction/ack`. Sent again until acknowledged (HQ is idempotent)."""

    record_id: RecordId
    application_id: Annotated[str, Field(min_length=1, max_length=64)]
    assignment_id: Annotated[str, Field(min_length=1, max_length=128)]
    reason_code: Literal["kk_mismatch", "name_mismatch", "birth_date_mismatch", "other"]
    note: str | None = Field(default=None, max_length=500)
    phone: Annotated[str, Field(pattern=r"^\+[0-9]{6,15}$")]
    requested_at: Timestamp
    requested_by: Annotated[str, Field(min_length=1, max_length=64)]


class CorrectionAck(Message):
    """HQ has stored the correction request of `record_id` (reference: HQ's own id for it)."""

    record_id: RecordId
    reference: str | None = Field(default=None, max_length=64)


class IngestState(Message):
    """HQ ingest's availability (retained); its Will sets online false."""

    online: bool
    ts: Timestamp | None = None


class BatchEntry(Message):
    record_id: RecordId
    seq: int = Field(ge=1, le=MAX_INT)
    sha256: Sha256
    size: int = Field(ge=1, le=MAX_BATCH_BYTES)


class BatchManifest(Message):
    batch_id: Annotated[str, Field(pattern=f"^{_ID}$")]
    station_id: StationId
    records: list[BatchEntry] = Field(min_length=1, max_length=MAX_BATCH_RECORDS)


M = TypeVar("M", bound=Message)


def _not_json(token: str) -> None:
    """NaN and Infinity are not JSON (RFC 8259) although Python reads them: a message carrying one could not be
    sent on, nor stored in PostgreSQL's jsonb, so it is refused like any other bad JSON."""
    raise ValueError(f"{token} is not a JSON number")


def _holds_nul(data: object) -> bool:
    """Whether any key or text in parsed JSON holds NUL: PostgreSQL stores it neither in text nor in jsonb, so
    such a message would fail at HQ on every delivery (walked without recursion: the nesting can be deep)."""
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return True
        elif isinstance(value, dict):
            stack.extend(value)
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return False


def parse(model: type[M], payload: bytes, limit: int = MAX_JSON_BYTES) -> M:
    """`payload` as a `model`, or ContractError saying what is wrong with it."""
    name = model.__name__
    if len(payload) > limit:
        raise ContractError(f"{name}: {len(payload)} bytes, more than the {limit} allowed", "contract.too_large")
    try:
        data = json.loads(payload.decode("utf-8"), parse_constant=_not_json)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ContractError(f"{name}: not JSON ({exc})", "contract.json") from None
    if _holds_nul(data):
        raise ContractError(f"{name}: a text holds a NUL character (\\u0000), which HQ's database cannot store",
                            "contract.schema")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        version = [e for e in errors if e["loc"][:1] == ("v",)]
        if version:  # another schema version: say so first, whatever else differs
            raise ContractError(f"{name}: v: schema version {version[0]['input']!r}, this HQ and station speak "
                                f"{SCHEMA_VERSION} (update the older side)", "contract.version") from None
        first = errors[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top)"
        raise ContractError(f"{name}: {where}: {first['msg']}", "contract.schema") from None


def dump(message: Message) -> bytes:
    """The compact JSON bytes of a message."""
    return message.model_dump_json(exclude_none=True).encode()
