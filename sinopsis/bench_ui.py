"""`sinopsis bench`'s kiosk rows: is the UI thread free while the camera previews, and how quickly does a
check-in show its queue number?

In its own process (Kivy makes one window per process), with an offscreen 1280x800 window at Kivy's own frame
pacing (60 fps), the real kiosk over a fresh demo station and the simulated kit (sinopsis/kiosk_wiring.py):

(a) live preview: the operator starts the face capture, the real Recording runs the capture engine on its
    worker thread and the preview is shown on the capture screen. The simulated camera shows the student on the
    wrong backdrop, so the engine keeps analysing frames for the whole measurement instead of finishing. Per
    frame: the time between consecutive frames, and the UI thread's own work in the frame (from the clock's
    wake-up to the end of drawing), p50/p99 against the 33.3 ms budget of 30 fps.
(b) check-in: for several students, from the touch on the phone screen's OK to the frame that shows the queue
    number on the ticket screen (the station's write happens on the service worker meanwhile).

Numbers are measured and reported, never asserted: tests run this with tiny counts and check the shape.
"""

import argparse
import datetime as dt
import json
import math
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from sinopsis.signals import run_child, stop_on_signals

BUDGET_MS = 1000.0 / 30.0  # one camera frame at 30 fps
SIZE = (1280, 800)


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) by linear interpolation between closest ranks."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    position = (len(ordered) - 1) * q / 100.0
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def ui_row(kernel: str, frame: str, samples_ms: list[float], note: str, budget_ms: float | None = BUDGET_MS) -> dict:
    """A `sinopsis bench` row (native.bench.row's columns, p50 as the time) with p50/p99, count and budget."""
    from native.bench_timing import row

    p50, p99 = percentile(samples_ms, 50), percentile(samples_ms, 99)
    within = None if budget_ms is None else p99 <= budget_ms
    verdict = "" if budget_ms is None else f"; p99 {'within' if within else 'OVER'} the {budget_ms:.1f} ms budget"
    return row(kernel, frame, p50, None, None, note=f"{note}: p50 {p50:.1f} ms, p99 {p99:.1f} ms over "
                                                    f"{len(samples_ms)}{verdict}") | {
        "p50_ms": p50, "p99_ms": p99, "samples": len(samples_ms), "budget_ms": budget_ms, "within_budget": within}


# -- in the bench's own process --------------------------------------------------------------------------------
def _station(root: Path, students: int) -> Any:
    """A fresh demo station (keys, signed assignment imported) in `root`; returns its config."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from contract.keys import load_public_key
    from sinopsis.demo import prepare
    from station.config import load_config
    from station.roster import import_assignment
    from station.store import StationStore

    paths = prepare(root, dt.date.today(), count=max(24, students + 1))
    config = load_config(paths.station_config)
    with StationStore(config.station.data_dir) as store:
        key = load_public_key(config.key_path("hq_assignment_public_key"), Ed25519PublicKey)
        import_assignment(store, paths.assignment, key, station_id=config.station.id, min_age=config.roster.min_age,
                          actor="OP-01")
    return config


def _touch_to_queue_number(app: Any) -> float:
    """On the phone screen with a number typed: touch OK, step frames until the queue number is drawn (ms)."""
    from kivy.base import EventLoop
    from kivy.clock import Clock
    from kivy.tests.common import UnitTestTouch

    from sinopsis.demo_kiosk import keypad_key, screen

    ok = keypad_key(app, "phone", "OK")
    touch = UnitTestTouch(*ok.to_window(*ok.center))
    start = Clock.time()
    touch.touch_down()
    EventLoop.idle()
    touch.touch_up()
    number = screen(app, "ticket").ids.number
    for _ in range(3000):
        EventLoop.idle()
        if app.root.current == "ticket" and number.text.strip():
            return (Clock.time() - start) * 1000.0
    raise RuntimeError(f"no queue number shown (still on {app.root.current})")


def _check_ins(app: Any, store: Any, students: int) -> list[float]:
    from kiosk.testing import settle, tap
    from sinopsis.demo_kiosk import check_in_up_to_phone, next_student, screen, type_digits

    times = []
    for _ in range(students):
        _name, nik, birth_date, phone = next_student(store)
        check_in_up_to_phone(app, nik, birth_date, by_touch=False)
        type_digits(app, "phone", phone, by_touch=False)
        times.append(_touch_to_queue_number(app))
        settle()  # past the new screen's touch guard, as a person would be
        tap(screen(app, "ticket").ids.done)
    return times


def _live_preview(app: Any, wiring: Any, frames: int) -> tuple[list[float], list[float], int]:
    """(ms between frames, ms of UI work per frame, previews shown) while the face capture previews."""
    from kivy.base import EventLoop
    from kivy.clock import Clock

    from kiosk.testing import tap
    from sinopsis.demo_data import TEAM
    from sinopsis.demo_kiosk import call_and_start, log_in
    from sinopsis.kiosk_wiring import sim_portrait
    from station.capture.policy import face_background_for

    operator_id, _name, _role, pin = TEAM[1]
    log_in(app, operator_id, pin, by_touch=False)
    capture = call_and_start(app)
    wrong = face_background_for(app.recording.birth_year + 1)  # never good enough: the capture keeps going
    wiring.kit.camera.set_frames([sim_portrait(wrong)])
    shown = 0
    recording, on_frame = app.recording, app.recording.on_frame

    def counted(event: Any) -> None:
        nonlocal shown
        shown += 1
        on_frame(event)

    recording.on_frame = counted
    tap(capture.ids.start)
    for _ in range(3000):  # until the first preview is on screen (no settling: every frame here is drawn)
        if shown:
            break
        EventLoop.idle()
    shown, intervals, work, previous = 0, [], [], None
    for _ in range(frames + 1):
        if not capture.busy:  # the attempts ran out: the operator starts again, the preview goes on
            capture.start()
        EventLoop.idle()
        now = Clock.time()
        work.append((now - Clock.get_time()) * 1000.0)  # from the clock's wake-up to the end of this frame
        if previous is not None:
            intervals.append((now - previous) * 1000.0)
        previous = now
    recording.cancel()
    return intervals, work[1:], shown


def measure(frames: int, students: int) -> list[dict]:
    """Both measurements in this process (its Kivy window not made yet); the bench rows."""
    from sinopsis.demo_kiosk import offscreen

    offscreen(*SIZE, render_threads=True)  # frames drawn as Mesa draws them by default
    from kivy.core.window import Window

    from kiosk.testing import settle
    from sinopsis.kiosk_wiring import kiosk_app, release_kiosk, wire_kiosk
    from station.store import StationStore

    with tempfile.TemporaryDirectory(prefix="sinopsis-bench-ui-") as tmp:
        config = _station(Path(tmp) / "demo", students)
        with StationStore(config.station.data_dir) as store:
            wiring = wire_kiosk(store, config, Path(tmp) / "slips")
            app = kiosk_app(store, config, wiring)
            Window.size = SIZE
            app._run_prepare()
            settle()
            try:
                check_ins = _check_ins(app, store, students)
                intervals, work, shown = _live_preview(app, wiring, frames)
            finally:
                release_kiosk(app, stopped=False)
                wiring.close()
    size, gl = f"{SIZE[0]}x{SIZE[1]}", renderer()
    rows = [
        ui_row("kiosk frames", size, intervals, f"time between UI frames during the live face preview "
                                                f"({shown} previews shown in {len(intervals)} frames; GL: {gl})"),
        ui_row("kiosk UI work", size, work, "the UI thread's own work per frame during the live preview"),
        ui_row("check-in", "OK → number", check_ins, "touch on the phone screen's OK to the queue number on "
                                                   "screen, students", budget_ms=None),
    ]
    return [r | {"renderer": gl} for r in rows]


def renderer() -> str:
    """The OpenGL renderer drawing the window (llvmpipe is Mesa's software renderer: no GPU)."""
    from kivy.graphics.opengl import GL_RENDERER, glGetString

    name = glGetString(GL_RENDERER)
    return name.decode(errors="replace") if isinstance(name, bytes) else str(name)


def run_ui_bench(frames: int = 300, students: int = 5) -> list[dict]:
    """Run `measure` in its own process (one Kivy window per process) and return its rows."""
    done = run_child([sys.executable, "-m", "sinopsis.bench_ui", "--frames", str(frames), "--students",
                      str(students)], timeout=600, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"the kiosk UI bench failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sinopsis.bench_ui", description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=300, help="UI frames measured during the live preview")
    parser.add_argument("--students", type=int, default=5, help="check-ins timed (touch to queue number)")
    args = parser.parse_args(argv)
    with stop_on_signals():
        print(json.dumps(measure(max(2, args.frames), max(1, args.students))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
