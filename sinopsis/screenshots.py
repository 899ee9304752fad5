"""Screenshots of every kiosk screen, in both languages, at both supported sizes (800×480 and 1280×800).

`sinopsis kiosk screenshots` regenerates docs/screenshots/. Each state (sinopsis/screenshot_states.py) is made the
way the kiosk gets there (the station's own queue, a real recording over the simulated kit, the screen's own
methods), and before its picture is saved the live widget tree must show what the name claims
(sinopsis/screenshot_claims.py): a state that does not is not saved and is reported, as are labels whose text
overflows, small touch targets and stencil lines. One process per window size: SDL's offscreen window cannot be
resized once created, so `python -m sinopsis.screenshots WIDTHxHEIGHT OUT [LANGS]` sets the size before Kivy makes
its window, and prints {png: [problems]} as JSON.
"""

import dataclasses
import datetime as dt
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from contract.durable import private_dir
from kiosk.i18n import LANGUAGES
from sinopsis.screenshot_states import states
from sinopsis.screenshots_station import kit_printer_and_scanner, recording
from sinopsis.signals import run_child, stop_on_signals

SIZES = ((800, 480), (1280, 800))


def render_all(app: object, out_dir: Path, width: int, height: int,
               languages: tuple[str, ...] = LANGUAGES) -> dict[str, list[str]]:
    """Render every state in `languages` at the window's size; returns {png path: what is wrong with it} (a
    picture not shown as claimed is not saved). Every frame is drawn meanwhile, even where the kiosk's tests step
    frames without drawing (kiosk.testing.draw_frames): the flow's frame counts assume a kiosk's frame pace."""
    from kiosk.testing import draw_frames

    drawing = draw_frames(True)
    try:
        return _render_states(app, out_dir, width, height, languages)
    finally:
        draw_frames(drawing)


def _render_states(app: object, out_dir: Path, width: int, height: int,
                   languages: tuple[str, ...]) -> dict[str, list[str]]:
    from kiosk.testing import (
        broken_words,
        overflowing_labels,
        popups_opened,
        screenshot,
        settle,
        small_targets,
        stencil_lines,
    )

    private_dir(out_dir, tighten=False)
    results = {}
    settle(5)
    for lang in languages:
        for stem, name, flow, attributes in states():
            app.lang = lang
            app.flow = flow
            if name.startswith("operator"):
                from station.operators import Operator

                app.operator = Operator("OP-02", "Yuliana Sari", "operator")
            hooks = {k: attributes[k] for k in ("_prepare", "_after", "_cleanup") if k in attributes}
            if "_prepare" in hooks:
                hooks["_prepare"](app)
            app.go(name)
            settle(6)  # let on_pre_enter's station calls come back before the state is set
            screen = app.root.get_screen(name)
            for key, value in attributes.items():
                if key in hooks:
                    continue
                if key == "keypad":
                    screen.ids.keypad.value = value
                else:
                    setattr(screen, key, value)
            if "_after" in hooks:
                hooks["_after"](app, screen)
            settle(2)
            opened = popups_opened()
            path = out_dir / f"{width}x{height}-{lang}-{stem}.png"
            wrong = shown_as_claimed(stem, app) + ([] if opened else [f"{stem}: a popup is still fading in"])
            if wrong:  # never a picture of a state other than its name says
                path.unlink(missing_ok=True)
                results[str(path)] = wrong
            else:
                results[str(screenshot(path))] = (overflowing_labels(screen) + broken_words(screen)
                                                  + small_targets(screen) + stencil_lines(screen))
            if "_cleanup" in hooks:
                hooks["_cleanup"](app)
    return results


CLAIM_WAIT_S = 10.0  # how long a state may take to show (the station's answers come back through the Clock)


def shown_as_claimed(stem: str, app: object) -> list[str]:
    """Step frames until the window shows what `stem` claims (sinopsis/screenshot_claims.py), at most
    CLAIM_WAIT_S; then what it still does not show ([] when all is there)."""
    import time

    from kiosk.testing import settle, step
    from sinopsis.screenshot_claims import problems

    deadline = time.monotonic() + CLAIM_WAIT_S
    while (wrong := problems(stem, app) + bar_pending(app)) and time.monotonic() < deadline:
        step(1)
        time.sleep(0.002)
    if wrong:
        return wrong
    settle(2)  # what arrived last is laid out and drawn
    return problems(stem, app) + bar_pending(app)


def bar_pending(app: Any) -> list[str]:
    """What the current screen's status bar has not shown yet: the station's status, and the printer's answer
    on a kit with a printer (both come back through the Clock; a picture taken before them lacked a segment)."""
    from kiosk.widgets.status_bar import StatusBar

    bar = app.root.current_screen.ids.get("status")
    if not isinstance(bar, StatusBar):
        return []
    pending = []
    if bar.status is None and getattr(app.services, "status", None) is not None:
        pending.append("the status bar has not had the station's status yet")
    if getattr(app, "printing", None) is not None and not bar.printer_state:
        pending.append("the status bar has not had the printer's answer yet")
    return pending


# A kit's disk and battery for the status bar, not this machine's: the pictures in docs/ stay the same from one
# machine to the next (the link and the outbox are the demo station's own).
KIT_POWER = {"disk_free": 40 * 2**30, "disk_total": 64 * 2**30, "battery_percent": 87, "charging": True}


def render_size(out_dir: Path, width: int, height: int,
                languages: tuple[str, ...] = LANGUAGES) -> dict[str, list[str]]:
    """In this process (whose Kivy window is not made yet): start the kiosk offscreen at width x height over a
    fresh demo station and render every state in `languages` into `out_dir`."""
    from sinopsis.demo_kiosk import offscreen

    offscreen(width, height, maxfps=0)  # unthrottled: the renders step frames, nobody watches them
    from kiosk.app import KioskApp
    from kiosk.services import CheckInService
    from sinopsis.demo import prepare
    from station.config import load_config
    from station.store import StationStore

    with tempfile.TemporaryDirectory(prefix="sinopsis-shots-") as tmp:
        paths = prepare(Path(tmp) / "demo", dt.date(2026, 11, 25))
        config = load_config(paths.station_config)
        with StationStore(config.station.data_dir) as store:
            from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

            from contract.keys import load_public_key
            from station.roster import import_assignment

            hq_key = load_public_key(config.key_path("hq_assignment_public_key"), Ed25519PublicKey)
            import_assignment(store, paths.assignment, hq_key, station_id=config.station.id,
                              min_age=config.roster.min_age, actor="OP-01")
            service = CheckInService(store, config, hq_key)
            read, fixed = service.status, []  # fixed: a reading a state shows instead of the demo station's

            def status(done: Any, failed: Any) -> None:
                read(lambda s: done(fixed[0] if fixed else dataclasses.replace(s, **KIT_POWER)), failed)

            service.status = status
            with kit_printer_and_scanner() as (printer, scanner, printer_sim):
                app = KioskApp(service, helpdesk=config.helpdesk, printer=printer, qr_scanner=scanner)
                app.make_recording = lambda *_args: recording(app)  # the kit records: "Start recording" is on
                app._shots_printer, app._shots_status = printer_sim, fixed
                app._run_prepare()
                app.idle.stop()  # rendering takes its time: no idle logout meanwhile
                try:
                    return render_all(app, out_dir, width, height, languages)
                finally:
                    if app.recording is not None:
                        app.recording.close()
                    app.dispatch("on_stop")  # the QR listener and the printing thread
                    app.services.close()
                    app.stop()


def render_everything(out_dir: Path, plan: dict[tuple[int, int], tuple[str, ...]] | None = None
                      ) -> dict[str, list[str]]:
    """Each size of `plan` (default: both sizes, both languages) in its own process; {png path: what is wrong
    with it} over all of them."""
    results: dict[str, list[str]] = {}
    for (width, height), languages in (plan or {size: LANGUAGES for size in SIZES}).items():
        done = run_child([sys.executable, "-m", "sinopsis.screenshots", f"{width}x{height}", str(out_dir),
                          ",".join(languages)],
                         timeout=600, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"rendering {width}x{height} failed:\n{done.stderr[-2000:]}")
        results.update(json.loads(done.stdout.strip().splitlines()[-1]))
    return results


if __name__ == "__main__":
    size, out = sys.argv[1], Path(sys.argv[2])
    w, h = (int(v) for v in size.split("x"))
    langs = tuple(sys.argv[3].split(",")) if len(sys.argv) > 3 else LANGUAGES
    with stop_on_signals():
        print(json.dumps(render_size(out, w, h, langs)))
