"""The kiosk's composition root: the kit from station.toml wired into the capture engine and the kiosk.

The application (sinopsis/) is the one place that imports drivers/ and kiosk/ together. From a StationConfig this
builds the kit (drivers.kit, real device or simulator per [devices] entry), the RecordSealer with the station's keys,
and the `make_recording(entry, operator, on_frame, on_state)` factory the kiosk calls when the operator starts a
student: a CaptureEngine over the kit's devices and [capture] policy, inside a kiosk.recording.Recording.

Devices go by the kiosk's role ([kiosk] role, `station run --role`): the check-in display ("checkin") gets only
the QR line scanner and the queue-slip printer ([kiosk] checkin_printer), never a biometric device, so it can run
beside the operator console on the same station; the operator console ("operator") gets the camera, scanners, pad
and the acknowledgement printer and listens to no QR; "all" (one display) gets everything.

The simulated kit needs two touches per student that a real kit does not: the replay camera shows a student on
the backdrop their birth year requires (red odd, blue even), and the simulated signature pad (which plays its
signature once) is replaced by a fresh one, so every student signs.
"""

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contract.durable import private_dir
from drivers.kit import SIM, Kit, KitSettings, build_kit
from sinopsis.kit import kit_settings
from station.capture.devices import Devices
from station.capture.engine import CaptureEngine
from station.capture.policy import face_background_for
from station.config import StationConfig
from station.sealing import RecordSealer, station_sealer
from station.store import StationStore

MakeRecording = Callable[[Any, Any, Callable, Callable], Any]
log = logging.getLogger(__name__)


def capture_devices(config: StationConfig, kit: Kit) -> Devices:
    """The capture engine's view of the kit (a pad set to "touchscreen" is None: the student signs on screen)."""
    return Devices(camera=kit.camera, finger_scanner=kit.finger_scanner, iris_camera=kit.iris_camera,
                   finger_mode=config.devices.finger_mode, signature_pad=kit.signature_pad)


def new_recording(engine: CaptureEngine, sealer: RecordSealer, entry: Any, operator: Any,
                  on_frame: Callable, on_state: Callable) -> Any:
    """The one place a kiosk Recording is constructed (its constructor may change; only this follows)."""
    from kiosk.recording import Recording

    return Recording(engine, sealer, entry.record_id, operator.operator_id, entry.birth_year, on_frame, on_state)


@functools.cache
def sim_portrait(backdrop: str) -> Any:
    """The simulated camera's student on `backdrop`, at the synthetic portrait's own scale (640x480): scaled up
    to the kit's 1280x720 the sample head is too soft for the face engine's sharpness check."""
    from native import samples

    return samples.portrait(backdrop)


def prepare_kit_for(kit: Kit, settings: KitSettings, birth_year: int) -> None:
    """Simulators only: the replay camera shows a student on the backdrop `birth_year` requires, and the
    simulated pad is replaced by a fresh one that will sign once. A real kit is left as it is."""
    from drivers.camera import ReplayCamera

    if settings.camera == SIM and isinstance(kit.camera, ReplayCamera):
        kit.camera.set_frames([sim_portrait(face_background_for(birth_year))])
    if settings.signature_pad == SIM:
        from drivers.signature_pad import TopazPad
        from drivers.signature_pad_sim import SimulatedPad, signature_script

        old = next((s for s in kit.simulators if isinstance(s, SimulatedPad)), None)
        if old is not None:
            kit.simulators.remove(old)
            old.close()
        model = settings.signature_pad_model
        kit.simulators.append(SimulatedPad(signature_script(model=model), model=model))
        kit.signature_pad = TopazPad(kit.simulators[-1].path, model=model, quiet_s=settings.signature_pad_quiet_s,
                                     usb_serial=kit.simulators[-1].usb_serial)


def confirm_worker_for(config: StationConfig) -> Any | None:
    """The NFIQ 2 confirm worker the kiosk's captures share ([capture] confirm_fingers, on by default), or None
    when it is off or NFIQ 2 is not installed on this machine (logged: the live score alone then decides)."""
    from native.confirm import ConfirmError, ConfirmWorker, Nfiq2Scorer

    if not config.capture.confirm_fingers:
        return None
    try:
        Nfiq2Scorer()
    except ConfirmError as exc:
        log.warning("NFIQ 2 is not available, fingers are accepted on the live score alone: %s", exc)
        return None
    return ConfirmWorker()


def recording_factory(config: StationConfig, kit: Kit, settings: KitSettings, sealer: RecordSealer,
                      confirm: Any | None = None) -> MakeRecording:
    """make_recording(entry, operator, on_frame, on_state): a Recording over the kit for the called student, its
    fingers confirmed by `confirm` (the shared NFIQ 2 worker) when there is one."""
    def make_recording(entry: Any, operator: Any, on_frame: Callable, on_state: Callable) -> Any:
        prepare_kit_for(kit, settings, entry.birth_year)
        engine = CaptureEngine(config.capture, capture_devices(config, kit), confirm=confirm)
        return new_recording(engine, sealer, entry, operator, on_frame, on_state)

    return make_recording


@dataclass
class KioskWiring:
    """Everything the kiosk gets from the composition root; `close()` stops the kit's simulators."""

    kit: Kit
    settings: KitSettings
    sealer: RecordSealer | None  # None on the check-in display: it seals nothing
    make_recording: MakeRecording | None
    qr_scanner: Any | None  # the kit's QR line scanner, None when QR codes come from the camera
    device_presence: Callable[[], dict[str, bool]] | None
    hq_key: Any  # HQ's pinned assignment key: application QR codes are signed with it
    confirm: Any | None = None  # the NFIQ 2 confirm worker (native.confirm.ConfirmWorker), None when off
    role: str = "all"  # the kiosk's role ([kiosk] role or `station run --role`)

    def close(self) -> None:
        if self.confirm is not None:
            self.confirm.close()
        self.kit.close()


def checkin_kit(settings: KitSettings, printer: str) -> Kit:
    """The check-in display's devices: the QR line scanner ([devices] qr_scanner; "camera" gives none here, the
    portrait camera is the operator console's) and the queue-slip printer `printer` ([kiosk] checkin_printer)."""
    from drivers.printer import ReceiptPrinter
    from drivers.printer_sim import SimulatedPrinter
    from drivers.qr_scanner import LineScanner
    from drivers.qr_scanner_sim import SimulatedScanner

    sims: list = []
    qr = None
    if settings.qr_scanner == SIM:
        sims.append(SimulatedScanner())
        qr = LineScanner(sims[-1].path)
    elif settings.qr_scanner != "camera":
        qr = LineScanner(settings.qr_scanner)
    slips = None
    if printer == SIM:
        sims.append(SimulatedPrinter(settings.slips_dir))
        slips = ReceiptPrinter(sims[-1].path)
    elif printer != "none":
        slips = ReceiptPrinter(printer)
    return Kit(None, None, None, None, qr, slips, sims)


def wire_kiosk(store: StationStore, config: StationConfig, slips_dir: Path | None = None,
               role: str | None = None) -> KioskWiring:
    """Build the kit of the kiosk's `role` (default [kiosk] role) from `config` (the simulated printer renders
    slips into `slips_dir`) and the recording factory over it. Raises KeyFileError / ValueError naming what is
    wrong; a vendor SDK that does not load leaves its device out (drivers/kit.py `Kit.unavailable`, logged)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from contract.keys import load_public_key
    from drivers.presence import DEVICE_NAMES, kit_presence
    from drivers.qr_scanner import LineScanner
    from native.vendor import apply_sim_script

    role = role or config.kiosk.role
    sealer = None if role == "checkin" else station_sealer(store, config)  # the station's key first (its message)
    hq_key = load_public_key(config.key_path("hq_assignment_public_key"), Ed25519PublicKey)
    settings = kit_settings(config, slips_dir)
    printer = config.kiosk.checkin_printer if role == "checkin" else settings.printer
    if slips_dir is not None and printer == SIM:
        private_dir(slips_dir)  # the slips name students: owner only
    if role == "checkin":
        kit = checkin_kit(settings, printer)
        if kit.qr is None:
            log.warning("the check-in display reads no QR codes: [devices] qr_scanner is %r (the portrait camera "
                        "belongs to the operator console); set it to the check-in display's QR scanner port "
                        "(/dev/sinopsis/qr-scanner) for QR check-in; students type their NIK meanwhile",
                        settings.qr_scanner)
        return KioskWiring(kit, settings, None, None, kit.qr, None, hq_key, role=role)
    apply_sim_script(config.devices.sim_script)  # the vendor simulators read it when a device opens
    kit = build_kit(settings)
    for kind, reason in kit.unavailable.items():  # the kiosk runs without it: check-in and the other captures go on
        log.error("the %s is unavailable on this kit (its capture offers the exception until it is fixed): %s",
                  DEVICE_NAMES[kind], reason)
    qr = kit.qr if isinstance(kit.qr, LineScanner) else None
    confirm = confirm_worker_for(config)
    return KioskWiring(kit, settings, sealer, recording_factory(config, kit, settings, sealer, confirm),
                       qr if role == "all" else None, kit_presence(kit), hq_key, confirm, role)


def kiosk_app(store: StationStore, config: StationConfig, wiring: KioskWiring) -> Any:
    """The KioskApp on `store` with the kit wired in: QR codes from the line scanner or else the camera, the
    receipt printer, recordings, the status bar's device presence. Its `services` worker is the caller's to
    close after the app stops."""
    from kiosk.app import KioskApp
    from kiosk.services import CheckInService
    from station.helpdesk import help_desk_for

    services = CheckInService(store, config, wiring.hq_key)
    services.device_presence = wiring.device_presence
    # QR codes from the camera only on a one-screen kit: the operator console reads none, the check-in display has
    # no camera (it listens to its line scanner)
    qr_camera = wiring.kit.camera if wiring.settings.qr_scanner == "camera" and wiring.role == "all" else None
    # the help desk's contacts as the current assignment has them (read here, before the UI loop starts; the
    # help screen reads them again on the station worker each time it opens)
    return KioskApp(services, helpdesk=help_desk_for(store, config), qr_scanner=wiring.qr_scanner,
                    make_recording=wiring.make_recording, printer=wiring.kit.printer, camera=qr_camera,
                    role=wiring.role, checkin_first=config.kiosk.checkin_first)


def release_kiosk(app: Any, stopped: bool = True) -> None:
    """After the kiosk's loop: stop the capture under way and its worker, and the station service thread. With
    `stopped` False (an offscreen run that never entered App.run), also dispatch on_stop and stop the app. The kit
    itself is closed by KioskWiring.close()."""
    if app.recording is not None:
        app.recording.cancel()
        app.recording.close()
    if not stopped:
        app.dispatch("on_stop")
    app.services.close()
    if not stopped:
        app.stop()
