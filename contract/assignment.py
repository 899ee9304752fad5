"""Assignment bundles: HQ's signed list for one school visit (school, SPT, team, applicants) — format,
signing (HQ side) and verification (station side). DESIGN.md §6.

A bundle is a JSON file {"format", "content", "signature"}; the Ed25519 signature covers the canonical JSON of
"content" (sorted keys, no spaces, UTF-8), so re-indenting the file does not break it but changing any value
does. The station accepts a bundle only when the signature verifies against the HQ key pinned at enrolment
and every applicant passes the NIK and roster rules; the first problem found is never the only one reported.
"""

import base64
import binascii
import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, Strict, StringConstraints, ValidationError

from contract.errors import AssignmentError, NameTextError, NikError, PhoneError
from contract.names import check_name, check_text
from contract.nik import DIGITS16_PATTERN, check_applicant, mask_nik
from contract.phone import normalize_phone
from contract.pins import is_pin_hash
from contract.wire import MAX_INT

BUNDLE_FORMAT = "sinopsis-assignment/1"
MAX_ERRORS_SHOWN = 20


def _pin_hash(value: str) -> str:
    if not is_pin_hash(value):
        raise ValueError("not a PIN hash made by SINOPSIS (scrypt$n$r$p$salt$hash)")
    return value


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def _person_name(value: str) -> str:
    try:
        return check_name(value, what="")
    except NameTextError as e:
        raise ValueError(str(e)) from None


def _visible_text(value: str) -> str:
    try:
        return check_text(value, what="")
    except NameTextError as e:
        raise ValueError(str(e)) from None


# a person's name or place of birth (contract/names.py: letters, marks, spaces, ' . -); labels (a school, an
# operator, an SPT number) may have digits and symbols but nothing invisible; NIK and KK ASCII digits only
Name = Annotated[str, StringConstraints(min_length=1, max_length=120), AfterValidator(_person_name)]
Label = Annotated[str, StringConstraints(min_length=1, max_length=120), AfterValidator(_visible_text)]
Digits16 = Annotated[str, StringConstraints(pattern=DIGITS16_PATTERN)]


class School(_Model):
    npsn: Annotated[str, StringConstraints(pattern=r"^[0-9]{8}$")] = Field(description="national school number")
    name: Label


class Spt(_Model):
    number: Annotated[str, StringConstraints(min_length=1, max_length=64), AfterValidator(_visible_text)] = Field(
        description="SPT number")
    date: dt.date


class TeamMember(_Model):
    operator_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._-]{2,32}$")]
    name: Label  # HQ's login name (a full name, or the user name when it has none)
    role: Literal["lead", "operator"]
    pin_hash: Annotated[str, AfterValidator(_pin_hash)]


class RosterApplicant(_Model):
    application_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9-]{4,40}$")]
    nik: Digits16
    name: Name
    birth_place: Name
    birth_date: dt.date
    sex: Literal["M", "F"]
    kk_number: Digits16 = Field(description="family card (Kartu Keluarga) number")
    phone: Annotated[str, StringConstraints(max_length=40)] | None = None


Text40 = Annotated[str, StringConstraints(max_length=40)]
Text100 = Annotated[str, StringConstraints(max_length=100)]
Text200 = Annotated[str, StringConstraints(max_length=200)]


class HelpDeskContacts(_Model):
    """The help desk's contacts as HQ's setting has them (hq/helpdesk), for the kiosk's help screen; every field
    optional, an absent one falls back to the station config's [helpdesk]. Lengths as HQ's fields."""

    call_centre: Text40 | None = None
    whatsapp: Text40 | None = None
    instagram: Text100 | None = None
    facebook: Text100 | None = None
    x: Text100 | None = None
    website: Text200 | None = None
    hours: Text100 | None = None


class AssignmentContent(_Model):
    assignment_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._-]{3,64}$")]
    version: Annotated[int, Strict()] = Field(ge=1, le=MAX_INT,  # SQLite INTEGER; strict: not "3", 3.0, true
                         description="increases with every change HQ makes for this station")
    station_id: str
    issued_at: dt.datetime
    school: School
    spt: Spt
    recording_date: dt.date
    team: list[TeamMember] = Field(min_length=1, max_length=20)
    applicants: list[RosterApplicant] = Field(min_length=1, max_length=5000)
    help_desk: HelpDeskContacts | None = Field(None, description="HQ's help-desk contacts (optional)")


@dataclass(frozen=True)
class VerifiedAssignment:
    """A bundle whose signature and content passed every check, with phones normalised to E.164."""

    content: AssignmentContent
    content_sha256: str
    bundle_text: str


def canonical_bytes(content: dict[str, Any]) -> bytes:
    """The bytes the signature covers."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sign_assignment(content: dict[str, Any], hq_key: Ed25519PrivateKey) -> dict[str, Any]:
    """Make a bundle: HQ signs the content (HQ side; also used by the demo data generator)."""
    signature = hq_key.sign(canonical_bytes(content))
    return {"format": BUNDLE_FORMAT, "content": content, "signature": base64.b64encode(signature).decode()}


def bundle_to_bytes(bundle: dict[str, Any]) -> bytes:
    """The bundle as a readable file (one key per line, so a person can read and diff it)."""
    return (json.dumps(bundle, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _parse(data: bytes, source: str) -> dict[str, Any]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise AssignmentError(f"{source}: not UTF-8 text (byte {e.start}); ask HQ for the file again",
                              code="assignment.encoding") from None
    try:
        bundle = json.loads(text)
    except json.JSONDecodeError as e:
        hint = " — the file ends early (truncated download?)" if e.pos >= len(text.rstrip()) else ""
        raise AssignmentError(f"{source}: line {e.lineno} column {e.colno}: malformed JSON: {e.msg}{hint}; "
                              "ask HQ for the file again", code="assignment.json") from None
    except (ValueError, RecursionError) as e:  # an integer over 4300 digits, nesting past the recursion limit
        reason = "nested too deeply" if isinstance(e, RecursionError) else e
        raise AssignmentError(f"{source}: malformed JSON: {reason}; ask HQ for the file again",
                              code="assignment.json") from None
    if not isinstance(bundle, dict) or set(bundle) != {"format", "content", "signature"}:
        raise AssignmentError(f"{source}: not an assignment bundle (expected keys format, content, signature)",
                              code="assignment.shape")
    if bundle["format"] != BUNDLE_FORMAT:
        raise AssignmentError(f"{source}: format {bundle['format']!r} is not {BUNDLE_FORMAT!r}; "
                              "this station needs a software update or the file is not an assignment",
                              code="assignment.format")
    if not isinstance(bundle["content"], dict) or not isinstance(bundle["signature"], str):
        raise AssignmentError(f"{source}: content must be an object and signature a string",
                              code="assignment.shape")
    return bundle


def _check_signature(bundle: dict[str, Any], hq_public_key: Ed25519PublicKey, source: str) -> None:
    try:
        signature = base64.b64decode(bundle["signature"], validate=True)
        hq_public_key.verify(signature, canonical_bytes(bundle["content"]))
    except (InvalidSignature, binascii.Error, ValueError):
        raise AssignmentError(
            f"{source}: the signature does not verify against the pinned HQ key: the file was changed after "
            "HQ signed it, or it was signed by another key; nothing was imported", code="assignment.signature",
        ) from None


def _shown(value: Any) -> str:
    """A not yet validated value as an error message may print it: as it is when it is short printable text, else
    escaped (a right-to-left override or a line break in a name must not rearrange the message) and cut."""
    if isinstance(value, str) and value.isprintable() and len(value) <= 60:
        return value
    return repr(value)[:60]


def _applicant_label(content: dict[str, Any], index: int) -> str:
    try:
        a = content["applicants"][index]
        application, name = _shown(a.get("application_id", "?")), _shown(a.get("name", "?"))
        return f"applicant #{index + 1} (application {application}, {name})"
    except (KeyError, IndexError, TypeError, AttributeError):
        return f"applicant #{index + 1}"


def _schema_problems(content: dict[str, Any], error: ValidationError) -> list[str]:
    problems = []
    for e in error.errors():
        loc = list(e["loc"])
        if len(loc) >= 2 and loc[0] == "applicants" and isinstance(loc[1], int):
            where, loc = _applicant_label(content, loc[1]), loc[2:]
        else:
            where = "assignment"
        key = ".".join(str(p) for p in loc) or "(whole entry)"
        problems.append(f"{where}: {key}: {_rule(e, key)}")
    return problems


def _rule(error: Any, key: str) -> str:
    """The rule a schema error broke, in words that say what HQ must send instead."""
    if error["type"] == "extra_forbidden":
        return "unknown field"
    if error["type"] == "int_type":
        got = repr(error["input"])[:40]
        return f"must be a whole number: a JSON integer, not {got} (no quotes, no decimals, no true/false)"
    if error["type"] == "string_pattern_mismatch" and key.rsplit(".", 1)[-1] in ("nik", "kk_number"):
        return "must be 16 ASCII digits 0-9 (fullwidth or Arabic-Indic digits, spaces and dashes are not)"
    return error["msg"].removeprefix("Value error, ")


def _roster_problems(content: AssignmentContent, min_age: int) -> tuple[list[str], dict[int, str | None]]:
    problems: list[str] = []
    phones: dict[int, str | None] = {}
    first_seen: dict[tuple[str, str], int] = {}
    for i, a in enumerate(content.applicants):
        label = f"applicant #{i + 1} (application {a.application_id}, {a.name})"
        for kind, value in (("NIK", a.nik), ("application id", a.application_id)):
            earlier = first_seen.setdefault((kind, value), i)
            if earlier != i:
                shown = mask_nik(value) if kind == "NIK" else value
                problems.append(f"{label}: duplicate {kind} {shown} (also applicant #{earlier + 1})")
        try:
            check_applicant(a.nik, birth_date=a.birth_date, sex=a.sex, recording_date=content.recording_date,
                            min_age=min_age)
        except NikError as e:
            problems.append(f"{label}: {e}")
        try:
            phones[i] = normalize_phone(a.phone) if a.phone else None
        except PhoneError as e:
            problems.append(f"{label}: phone: {e}")
    operators = [m.operator_id for m in content.team]
    problems += [f"team member {o}: listed twice" for o in sorted({o for o in operators if operators.count(o) > 1})]
    return problems, phones


def verify_bundle(
    data: bytes, hq_public_key: Ed25519PublicKey, *, station_id: str, min_age: int = 16,
    source: str = "assignment",
) -> VerifiedAssignment:
    """Check a bundle completely: JSON, signature, schema, station id and every applicant.

    Raises AssignmentError listing every problem found (up to MAX_ERRORS_SHOWN), each naming the applicant.
    """
    bundle = _parse(data, source)
    _check_signature(bundle, hq_public_key, source)
    raw = bundle["content"]
    try:
        content = AssignmentContent.model_validate(raw)
    except ValidationError as e:
        _raise_problems(source, _schema_problems(raw, e), "assignment.schema")
    if content.station_id != station_id:
        raise AssignmentError(f"{source}: this assignment is for station {content.station_id!r}, "
                              f"not this station ({station_id!r}); nothing was imported",
                              code="assignment.station")
    problems, phones = _roster_problems(content, min_age)
    if problems:
        _raise_problems(source, problems, "assignment.roster")
    applicants = [a.model_copy(update={"phone": phones[i]}) for i, a in enumerate(content.applicants)]
    content = content.model_copy(update={"applicants": applicants})
    digest = hashlib.sha256(canonical_bytes(raw)).hexdigest()
    return VerifiedAssignment(content=content, content_sha256=digest, bundle_text=data.decode("utf-8"))


def _raise_problems(source: str, problems: list[str], code: str) -> None:
    shown = problems[:MAX_ERRORS_SHOWN]
    more = len(problems) - len(shown)
    tail = f"\n  … and {more} more" if more else ""
    raise AssignmentError(
        f"{source}: refused, nothing was imported ({len(problems)} problem(s)); fix these at HQ and send again:\n"
        + "\n".join(f"  - {p}" for p in shown) + tail,
        code=code,
    )
