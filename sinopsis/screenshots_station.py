"""The screenshot station's morning, made with the station's own calls so the screens read it as on a field day.

Six students check in (by their QR: the list's phone); operator OP-02 calls the first (the one whose recording the
capture screenshots show); OP-01 called the next two, who were not there (passed over, to call back); three wait.
The queue board, the operator's queue and the check-in board then show this from the store — nothing is set on
their widgets. The recording runs the capture engine over the simulated camera, scanner and iris camera, the
parts the kiosk uses, so the pictures show real previews, scores and thumbnails. Everything is made once per
screenshot process (each language's pass reuses it).
"""

import contextlib
from collections.abc import Iterator
from typing import Any

CHECKED_IN = 6  # one served, two passed over, three waiting
SERVING_OPERATOR, OTHER_OPERATOR = "OP-02", "OP-01"


@contextlib.contextmanager
def kit_printer_and_scanner() -> Iterator[tuple[Any, Any, Any]]:
    """(receipt printer, QR line scanner, the printer's simulator) of the kit, simulated on ptys: the status bar
    reads the printer's own ESC/POS state and the welcome asks for the QR, as on a kit (set `paper_out` on the
    simulator for an empty roll)."""
    from drivers.printer import ReceiptPrinter
    from drivers.printer_sim import SimulatedPrinter
    from drivers.qr_scanner import LineScanner
    from drivers.qr_scanner_sim import SimulatedScanner

    printer_sim, scanner_sim = SimulatedPrinter(), SimulatedScanner()
    try:
        yield ReceiptPrinter(printer_sim.path, write_timeout_s=1), LineScanner(scanner_sim.path), printer_sim
    finally:
        printer_sim.unplug()
        scanner_sim.unplug()


def queue_day(app: Any) -> Any:
    """Check the students in, call and pass over as above (once per process); the QueueEntry being served."""
    if getattr(app, "_shots_entry", None) is not None:
        return app._shots_entry
    from station.checkin import check_in_by_application
    from station.queue import call_next, not_here

    store = app.services.store
    for (application_id,) in store.conn.execute("SELECT application_id FROM applicants ORDER BY id LIMIT ?",
                                                (CHECKED_IN,)).fetchall():
        check_in_by_application(store, application_id, None)
    entry = call_next(store, SERVING_OPERATOR)
    for _ in range(2):
        missing = call_next(store, OTHER_OPERATOR)
        not_here(store, missing.record_id, OTHER_OPERATOR)
    app._shots_entry = entry
    return entry


def recording(app: Any) -> Any:
    """The Recording of the student being served, over the simulated kit (once per process)."""
    if getattr(app, "_shots_recording", None) is not None:
        return app._shots_recording

    from drivers.camera import ReplayCamera
    from kiosk.recording import Recording
    from native import samples
    from native.vendor import FutronicScanner, IriTechCamera, apply_sim_script
    from station.capture.devices import Devices
    from station.capture.engine import CaptureEngine
    from station.capture.policy import face_background_for
    from station.operators import Operator
    from station.sealing import station_sealer

    entry = queue_day(app)
    store, config = app.services.store, app.services.config
    apply_sim_script(None)
    camera = ReplayCamera([samples.portrait(face_background_for(entry.birth_year))], fps=30, noise=1)
    devices = Devices(camera=camera, finger_scanner=FutronicScanner("sim"), iris_camera=IriTechCamera("sim"))
    capture = app.root.get_screen("capture")
    app.operator = Operator(SERVING_OPERATOR, "Yuliana Sari", "operator")
    made = Recording(CaptureEngine(config.capture, devices), station_sealer(store, config), entry.record_id,
                     SERVING_OPERATOR, entry.birth_year, capture.show_frame, capture.on_state_event, capture.on_device)
    app.recording = app._shots_recording = made
    return made
