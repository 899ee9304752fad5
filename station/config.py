"""station.toml: one pydantic model per section, checked once at start, with a safe embedded default for all.

A bare install runs on these defaults (simulated devices, local broker, data under the user's home). Bad
config stops the program at start with the file, the key and the reason (`ConfigError`).

Every section is strict (issue 19): a value must have its own TOML type, so `finger = true` is not a threshold
of 1, `port = "1883"` not a port and `tls = "yes"` not a switch (a whole number may stand for a decimal one);
nan and inf are refused; text and paths never hold control, direction or zero-width characters; and pairs of
limits are checked against each other (backoff_min_s <= backoff_max_s, warn before block, best eye distance not
below the minimum).
"""

import json
import os
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from contract.errors import ConfigError, NameTextError
from contract.files import read_bounded_text
from contract.names import check_text

ENV_CONFIG = "SINOPSIS_STATION_CONFIG"
SYSTEM_CONFIG = Path("/etc/sinopsis/station.toml")

StationId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{2,62}$")]
# strict sections take no str for a Path, but a path in TOML is a string: each Path field takes one
ConfigPath = Annotated[Path, Strict(False)]


def default_data_dir() -> Path:
    """systemd's StateDirectory when run as a unit, else a folder in the user's home."""
    state = os.environ.get("STATE_DIRECTORY")
    if state:
        return Path(state.split(":")[0])
    return Path.home() / ".local" / "share" / "sinopsis" / "station"


class Section(BaseModel):
    """Every section refuses unknown keys, so a typo is an error and not a silently ignored setting, and is strict
    about types (module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

    @field_validator("*")
    @classmethod
    def _visible_text_only(cls, value: object) -> object:
        # the OS cannot open a path with a NUL byte, a line break splits a log line, a direction override reverses
        # a help-desk number on the kiosk: refuse them here, naming the key, not with a crash or a lie later
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str | Path):
                try:
                    check_text(str(text), what="")
                except NameTextError as e:
                    raise ValueError(f"{str(e).removesuffix('; type it again without it')}; remove it") from None
        return value


class StationSection(Section):
    id: StationId = Field("st-dev-01", description="station id: the MQTT username and certificate CN")
    data_dir: ConfigPath = Field(default_factory=default_data_dir, description="SQLite database and packet files")


class Thresholds(Section):
    """Live-score thresholds on 1–100 (anchors: MOSIP finger 40, iris 60, face 90)."""

    face: int = Field(90, ge=1, le=100, description="face quality needed to auto-capture")
    finger: int = Field(40, ge=1, le=100, description="fingerprint quality needed per finger")
    iris: int = Field(60, ge=1, le=100, description="iris quality needed per eye")


class FaceSection(Section):
    """Portrait limits of the face gate (native.face.FaceLimits), each with its source."""

    max_roll_deg: float = Field(
        8.0, ge=0.0, le=45.0, description="largest head tilt in the image plane (eye line), degrees: ISO/IEC "
        "19794-5 best practice and ICAO 9303 portrait guidance (+-8); measured from the eye centres to ~1 degree")
    max_yaw_deg: float = Field(
        5.0, ge=0.0, le=45.0, description="largest left-right head turn, degrees: ISO/IEC 19794-5 / ICAO 9303 "
        "(+-5); refused only past this plus pose_allowance_deg")
    max_pitch_deg: float = Field(
        5.0, ge=0.0, le=45.0, description="largest up-down nod, degrees: ISO/IEC 19794-5 / ICAO 9303 (+-5); the "
        "landmarks' pitch is calibrated by +6.8 (median of 879 frontal official portraits) and refused only past "
        "this plus pose_allowance_deg")
    pose_allowance_deg: float = Field(
        12.0, ge=0.0, le=45.0, description="allowance for the yaw/pitch estimator's own error, degrees: on 879 "
        "frontal official portraits (Hainish/congress-images-225x275) MediaPipe's yaw spans -16.9..+14.9 and the "
        "calibrated pitch -12.2..+13.6 (1-99 %), so a single-image estimate cannot hold the ISO 5 degrees")
    min_eye_distance_px: float = Field(
        90.0, ge=10.0, le=1000.0, description="fewest pixels between the eye centres: ISO/IEC 19794-5 / ICAO "
        "portrait quality minimum (90 px)")
    best_eye_distance_px: float = Field(
        120.0, ge=10.0, le=1000.0, description="eye distance from which the size factor is 1: ICAO's recommended "
        "120 px")
    min_eye_distance_share: float = Field(
        0.10, ge=0.01, le=0.5, description="on a frame narrower than min_eye_distance_px / this share (900 px) the "
        "minimum eye distance is this share of the frame width (low-resolution cameras, the 640x480 simulator; "
        "below ISO resolution, as the old face-width-22 % check)")
    min_eye_open: float = Field(
        0.12, ge=0.0, le=0.5, description="least eyelid gap / eye width for an open eye: open eyes read 0.18-0.35 "
        "on 879 official portraits (1-99 %); closed-eye accuracy of the model is not measured")
    detect_every: int = Field(
        5, ge=1, le=60, description="live loop: run the face detector every N frames and track the landmarks "
        "between, on its own thread (a second face is seen within N + 2 frames)")

    @model_validator(mode="after")
    def _best_above_minimum(self) -> "FaceSection":
        if self.best_eye_distance_px < self.min_eye_distance_px:
            raise ValueError(f"best_eye_distance_px ({self.best_eye_distance_px:g}) must not be below "
                             f"min_eye_distance_px ({self.min_eye_distance_px:g}); raise the first or lower the second")
        return self


class CaptureSection(Section):
    thresholds: Thresholds = Field(default_factory=Thresholds)
    face: FaceSection = Field(default_factory=FaceSection)
    max_attempts: int = Field(3, ge=1, le=10, description="attempts per modality before the best is kept")
    timeout_s: float = Field(10.0, ge=1.0, le=120.0, description="seconds a capture waits for a good frame")
    allow_below_threshold: bool = Field(
        True, description="operator may accept a below-threshold capture, with a reason (audited)"
    )
    confirm_fingers: bool = Field(
        True, description="NIST NFIQ 2 confirms every finger the live score accepts (the kiosk's wiring; without "
        "it the live score alone decides)"
    )


class SessionSection(Section):
    idle_logout_s: int = Field(300, ge=30, le=3600, description="operator idle time before logout")
    pin_max_attempts: int = Field(5, ge=3, le=10, description="wrong PINs before the operator is locked out")
    pin_lockout_s: int = Field(300, ge=30, le=86400, description="how long a PIN lockout lasts")


class RosterSection(Section):
    min_age: int = Field(16, ge=14, le=21, description="youngest age allowed on the recording date")


class HelpdeskSection(Section):
    call_centre: str = Field("(0761) 000000", max_length=40, description="call-centre number")
    whatsapp: str = Field("0811-0000-0000", max_length=40, description="WhatsApp number")
    social: list[str] = Field(
        default_factory=lambda: ["instagram.com/disdukcapil.pekanbaru"], max_length=8,
        description="official social media accounts",
    )


class AgencySection(Section):
    """The office whose receipt the acknowledgement slip is: its header, and where HQ verifies the slip's QR."""

    name: str = Field("Dinas Kependudukan dan Pencatatan Sipil Kota Pekanbaru", min_length=3, max_length=120,
                      description="the agency's name, printed at the head of the acknowledgement slip")
    address: str = Field("Pekanbaru, Riau", max_length=120, description="its address, under the name")
    verify_url: str = Field(
        "", max_length=100,
        description='HQ\'s slip verification page ("https://hq.example/verify/"), put before the QR\'s payload so '
        'a phone opens it; "" prints the bare payload (HQ\'s form takes it from a scanner)')

    @field_validator("verify_url")
    @classmethod
    def _an_address_ending_in_a_slash(cls, value: str) -> str:
        if value and not re.fullmatch(r"https?://[!-~]+/", value):
            raise ValueError('must be "" or an http(s):// address in plain ASCII ending in "/", e.g. '
                             '"https://hq.example/verify/"')
        return value


class BrokerSection(Section):
    host: str = Field("127.0.0.1", min_length=1, max_length=253, description="MQTT broker host: a DNS name or an "
                      "IP address")
    port: int = Field(1883, ge=1, le=65535, description="MQTT broker port")
    tls: bool = Field(False, description="use mutually authenticated TLS (true in the field)")
    keepalive_s: int = Field(30, ge=5, le=600, description="MQTT keepalive")
    session_expiry_s: int = Field(
        14 * 86400, ge=60, le=4_294_967_295,
        description="how long the broker keeps the station's session (subscriptions, queued acks and commands)",
    )
    will_delay_s: int = Field(
        30, ge=0, le=3600, description="seconds after a lost connection before the broker publishes the Will (lost)"
    )

    @field_validator("host")
    @classmethod
    def _host_name(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9._:\[\]-]+", value):
            raise ValueError("must be a DNS name or an IP address: letters, digits and . - : [ ] only, no spaces")
        return value


class KeysSection(Section):
    """Key files; relative paths are under the data directory."""

    station_signing_key: ConfigPath = Field(Path("keys/station_signing.pem"), description="station Ed25519 key")
    hq_assignment_public_key: ConfigPath = Field(
        Path("keys/hq_assignment.pub.pem"), description="HQ Ed25519 key pinned at enrolment"
    )
    hq_packet_public_key: ConfigPath = Field(
        Path("keys/hq_packet.pub.pem"), description="HQ X25519 key that packets are encrypted for"
    )
    broker_password: ConfigPath = Field(
        Path("keys/broker_password"), description="the station's MQTT password (one line) when broker.tls is false"
    )
    broker_ca: ConfigPath = Field(Path("keys/broker_ca.pem"), description="CA that signed the broker's TLS certificate")
    broker_cert: ConfigPath = Field(
        Path("keys/station_cert.pem"), description="the station's TLS client certificate (CN = station id)"
    )
    broker_key: ConfigPath = Field(Path("keys/station_cert.key.pem"), description="the TLS client certificate's key")


class RetentionSection(Section):
    purge_after_days: int = Field(
        30, ge=1, le=365, description="days after HQ accepted a record before its sealed packet is deleted"
    )
    purge_rejected_after_days: int = Field(
        90, ge=1, le=365,
        description="days after HQ rejected a record before its sealed packet is deleted (the row stays rejected): "
        "time for the office to look and, if HQ was wrong, to take the packet by export",
    )
    purge_every_h: float = Field(
        6.0, ge=0.01, le=168.0,
        description="hours between the agent's own purges (also offline; HQ can ask any time with purge_accepted)",
    )


class AgentSection(Section):
    """The edge agent (`sinopsis agent run`): timings of its MQTT work."""

    health_interval_s: float = Field(60.0, ge=1.0, le=3600.0, description="seconds between health reports")
    ack_timeout_s: float = Field(
        120.0, ge=0.5, le=86400.0, description="seconds to wait for HQ's ack before resending a batch"
    )
    backoff_min_s: float = Field(1.0, ge=0.05, le=60.0, description="first wait after a failed connection")
    backoff_max_s: float = Field(120.0, ge=0.1, le=3600.0, description="longest wait between connection tries")
    ingest_lease_s: float = Field(
        90.0, ge=1.0, le=3600.0,
        description="seconds HQ ingest's 'online' is believed without a fresh word (HQ says it every 30 s): a "
                    "retained online left by a crash stops batches being sent into the void after this",
    )

    @model_validator(mode="after")
    def _backoff_grows(self) -> "AgentSection":
        if self.backoff_min_s > self.backoff_max_s:
            raise ValueError(f"backoff_min_s ({self.backoff_min_s:g}) must not be above backoff_max_s "
                             f"({self.backoff_max_s:g}): the first wait is the shortest; lower the first or raise "
                             "the second")
        return self


class OfflineSection(Section):
    """Offline limits (MOSIP-style): warn, then stop new captures, when HQ has not been reached for too long or
    too many records wait to be sent. The operator screen says why."""

    warn_after_days: float = Field(2.0, ge=0.1, le=60.0, description="days without HQ contact before a warning")
    block_after_days: float = Field(5.0, ge=0.1, le=90.0, description="days without HQ contact before captures stop")
    warn_unsent: int = Field(300, ge=1, le=100_000, description="records waiting for HQ before a warning")
    block_unsent: int = Field(800, ge=1, le=100_000, description="records waiting for HQ before captures stop")

    @model_validator(mode="after")
    def _warn_before_block(self) -> "OfflineSection":
        for warn, block in (("warn_after_days", "block_after_days"), ("warn_unsent", "block_unsent")):
            if getattr(self, warn) > getattr(self, block):
                raise ValueError(f"{warn} ({getattr(self, warn):g}) must not be above {block} "
                                 f"({getattr(self, block):g}): the warning comes first; lower the first or raise "
                                 "the second")
        return self


SIM_SDK = "sim"
DEVICE_KEYWORDS = {"camera": (SIM_SDK,), "signature_pad": (SIM_SDK, "touchscreen"), "qr_scanner": ("camera", SIM_SDK),
                   "printer": (SIM_SDK, "none")}


class DevicesSection(Section):
    """Vendor SDK libraries of the biometric devices (loaded by native.vendor). "sim" means the simulator built
    with the package in native/sim/, which serves the sample images; the field kit names the vendor's .so."""

    fingerprint_sdk: str = Field(
        SIM_SDK, description='Futronic ftrScanAPI library (libScanAPI.so): "sim" or an absolute path'
    )
    iris_sdk: str = Field(SIM_SDK, description='IriTech IDDK 2000 library (libIddk2000.so): "sim" or an absolute path')
    sim_script: ConfigPath | None = Field(
        None, description="behaviour script for the simulators (docs/devices.md); relative to the config file"
    )
    finger_mode: Literal["single", "slap"] = Field(
        "slap", description="a 4-4-2 slap platen (three captures, the fast default) or a single-finger scanner (ten "
        "captures)"
    )
    camera: str = Field(SIM_SDK, description='portrait camera: "sim" (replay of a synthetic student) or /dev/videoN')
    camera_width: int = Field(1280, ge=640, le=3840, description="camera frame width asked for")
    camera_height: int = Field(720, ge=480, le=2160, description="camera frame height asked for")
    camera_fps: int = Field(30, ge=5, le=60, description="camera frame rate asked for")
    camera_format: Literal["MJPG", "YUYV", "GREY"] = Field("MJPG", description="V4L2 pixel format asked for")
    signature_pad: str = Field(
        SIM_SDK, description='"sim", "touchscreen" (the kiosk screen is the pad) or the pad\'s serial port'
    )
    signature_pad_model: Literal[
        "SigLite1X5", "SignatureGem1X5", "SignatureGem4X5", "SigLiteLCD1X5", "SigLiteLCD4X5", "ClipGem", "SigGemColor57"
    ] = Field("SigLite1X5", description="the Topaz pad's model: its line speed (8O1) and signing area "
              "(drivers/signature_pad.py TOPAZ_MODELS, docs/devices.md)")
    signature_pad_quiet_s: float = Field(
        2.0, ge=0.5, le=10.0, description="seconds the pen stays out of the pad's range after a stroke before the "
        "signature counts as done (the operator can also press Signature done)"
    )
    qr_scanner: str = Field(
        "camera", description='"camera" (QR from the portrait camera), "sim", or the line scanner\'s serial port'
    )
    printer: str = Field(SIM_SDK, description='"sim", "none", a serial port or /dev/usb/lpN')

    @field_validator("camera", "signature_pad", "qr_scanner", "printer")
    @classmethod
    def _named_or_device_path(cls, value: str, info: ValidationInfo) -> str:
        keywords = DEVICE_KEYWORDS[info.field_name]
        if value in keywords or value.startswith("/dev/"):
            return value
        raise ValueError(f"must be {' or '.join(repr(k) for k in keywords)}, or a /dev/... path")

    @field_validator("fingerprint_sdk", "iris_sdk")
    @classmethod
    def _sim_or_absolute(cls, value: str) -> str:
        # a bare name would make dlopen search the system library path; a relative one depends on the cwd
        try:
            absolute = Path(value).expanduser().is_absolute()
        except RuntimeError:  # "~name" of a user this system does not have
            absolute = False
        if value != SIM_SDK and not absolute:
            raise ValueError(f'must be "{SIM_SDK}" or an absolute path to the vendor\'s .so file')
        return value


class KioskSection(Section):
    """The touchscreen app: which of the kit's displays this one is, and what check-in offers first. A kit with a
    second, student-facing display runs two kiosks on one store: the operator console (role "operator") and the
    check-in display at the queue (role "checkin", `sinopsis station run --role checkin`)."""

    role: Literal["all", "checkin", "operator"] = Field(
        "all", description='"all": one display for check-in and the operator console (a one-screen kit); '
        '"checkin": the student-facing display (queue board, check-in, QR scanner, queue slips); "operator": the '
        "operator console (login, queue, capture, review) next to the capture devices")
    checkin_first: Literal["qr", "nik"] = Field(
        "qr", description='what check-in offers first: "qr" the application QR (scanner or camera), the NIK keypad '
        'as the fallback; "nik" the NIK keypad first')
    checkin_printer: str = Field(
        "none", description='the queue-slip printer at the check-in display (role "checkin"): "none", "sim", a '
        "serial port or /dev/usb/lpN; the operator console prints on [devices] printer")

    @field_validator("checkin_printer")
    @classmethod
    def _printer_named_or_device_path(cls, value: str) -> str:
        if value in DEVICE_KEYWORDS["printer"] or value.startswith("/dev/"):
            return value
        raise ValueError('must be "sim" or "none", or a /dev/... path')


class StationConfig(Section):
    """The whole station.toml."""

    station: StationSection = Field(default_factory=StationSection)
    capture: CaptureSection = Field(default_factory=CaptureSection)
    session: SessionSection = Field(default_factory=SessionSection)
    roster: RosterSection = Field(default_factory=RosterSection)
    helpdesk: HelpdeskSection = Field(default_factory=HelpdeskSection)
    agency: AgencySection = Field(default_factory=AgencySection)
    broker: BrokerSection = Field(default_factory=BrokerSection)
    keys: KeysSection = Field(default_factory=KeysSection)
    retention: RetentionSection = Field(default_factory=RetentionSection)
    agent: AgentSection = Field(default_factory=AgentSection)
    offline: OfflineSection = Field(default_factory=OfflineSection)
    devices: DevicesSection = Field(default_factory=DevicesSection)
    kiosk: KioskSection = Field(default_factory=KioskSection)

    def key_path(self, name: str) -> Path:
        """Absolute path of a key file named in [keys] (relative ones live under the data directory)."""
        path = getattr(self.keys, name)
        return path if path.is_absolute() else self.station.data_dir / path


def _key_part(part: str | int) -> str:
    """One part of a dotted key as TOML writes it: bare when it can be, else quoted (an empty key, a dot, a space or
    a newline in a key would otherwise make the message name the wrong key or break across lines)."""
    text = str(part)
    return text if re.fullmatch(r"[A-Za-z0-9_-]+", text) else json.dumps(text, ensure_ascii=False)


# the rule broken, for a value of the wrong TOML type (strict sections convert nothing)
TYPE_RULES = {
    "int_type": "must be a whole number written without quotes (not true/false, not a decimal)",
    "float_type": "must be a number written without quotes (not true/false)",
    "bool_type": "must be true or false written without quotes",
    "string_type": "must be text in double quotes",
    "finite_number": "must be a finite number (not nan or inf)",
    "extra_forbidden": "unknown key (check the spelling)",
}


def _default_of(loc: tuple[Any, ...]) -> str | None:
    """The default of the key at `loc` as TOML writes it, for a hint; None when it has no plain one."""
    model: Any = StationConfig
    field = None
    for part in loc:
        fields = getattr(model, "model_fields", None)
        if not isinstance(part, str) or not isinstance(fields, dict) or part not in fields:
            return None
        field = fields[part]
        model = field.annotation
    value = field.default if field is not None and field.default_factory is None else None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str | Path):
        return json.dumps(str(value), ensure_ascii=False)
    return None


def _format_validation_error(source: str, error: ValidationError) -> str:
    """One line per problem: the file, the dotted key (section.field), the rule, the value given, and the default
    as what to write instead where there is one."""
    lines = []
    for e in error.errors():
        key = ".".join(_key_part(part) for part in e["loc"]) or "(top level)"
        reason = TYPE_RULES.get(e["type"], e["msg"].removeprefix("Value error, "))
        cross_field = e["type"] == "value_error" and isinstance(e["input"], dict)  # the message names the keys
        shown = "" if e["type"] == "extra_forbidden" or cross_field else f" (got {e['input']!r})"
        default = None if e["type"] == "extra_forbidden" else _default_of(tuple(e["loc"]))
        hint = f"; the default is {_key_part(e['loc'][-1])} = {default}" if default is not None else ""
        lines.append(f"{source}: {key}: {reason}{shown}{hint}")
    return "\n".join(lines)


def _expanded(path: Path, key: str, source: str) -> Path:
    """`path` with a leading ~ or ~user expanded; ConfigError naming the key when that user does not exist."""
    try:
        return path.expanduser()
    except RuntimeError:
        raise ConfigError(f"{source}: {key}: {str(path).split('/')[0]!r} names a home directory this system does "
                          f"not have (got {str(path)!r})", code="config.invalid") from None


def parse_config(data: dict, source: str = "station.toml", base_dir: Path | None = None) -> StationConfig:
    """Validate a parsed TOML document; a relative data_dir is taken from `base_dir` (the file's folder)."""
    try:
        config = StationConfig.model_validate(data)
    except ValidationError as e:
        raise ConfigError(_format_validation_error(source, e), code="config.invalid") from None
    data_dir = _expanded(config.station.data_dir, "station.data_dir", source)
    if not data_dir.is_absolute():
        data_dir = (base_dir or Path.cwd()) / data_dir
    station = config.station.model_copy(update={"data_dir": data_dir})
    devices = config.devices
    if devices.sim_script is not None:
        script = _expanded(devices.sim_script, "devices.sim_script", source)
        devices = devices.model_copy(update={"sim_script": script if script.is_absolute()
                                             else (base_dir or Path.cwd()) / script})
    return config.model_copy(update={"station": station, "devices": devices})


def load_config(path: Path | None = None) -> StationConfig:
    """Load the station config: `path`, else $SINOPSIS_STATION_CONFIG, else /etc/sinopsis/station.toml,
    else the embedded defaults. Raises ConfigError naming the file, key and reason."""
    if path is None:
        env = os.environ.get(ENV_CONFIG)
        if env:
            path = Path(env)
        elif SYSTEM_CONFIG.exists():
            path = SYSTEM_CONFIG
        else:
            return parse_config({}, source="embedded defaults")
    path = Path(path)
    text = read_bounded_text(path, "config", error=ConfigError)  # regular file, bounded, UTF-8 (issue 19)
    try:
        data = tomllib.loads(text)
    except (ValueError, RecursionError) as e:  # TOMLDecodeError; an integer over 4300 digits; deep nesting
        reason = "nested too deeply" if isinstance(e, RecursionError) else e
        raise ConfigError(f"{path}: not valid TOML: {reason}", code="config.syntax") from None
    return parse_config(data, source=str(path), base_dir=path.parent.resolve())
