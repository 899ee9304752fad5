"""`sinopsis demo --kiosk`: the kiosk in a window on the demo station for a person to try; without a display it
says so before doing anything; SIGHUP (the terminal closed) closes the demo and its kiosk cleanly, leaving no
process behind (issue 19 point 8). (The offscreen kiosk tour of plain `sinopsis demo` is checked in
tests/sinopsis/test_demo.py, which runs the whole demo and stops it with SIGTERM.)"""

import os
import signal
import subprocess
import sys
import tempfile

from tests.edge_agent.conftest import wait_until
from tests.processes import all_stopped, command_line, descendants, reaping, sighup_default


def _env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER")}
    return {**env, "KIVY_HOME": tempfile.mkdtemp(), "KIVY_NO_ARGS": "1", **extra}


def test_demo_kiosk_without_a_display_says_so_and_makes_nothing(tmp_path):
    demo_dir = tmp_path / "demo"
    done = subprocess.run([sys.executable, "-m", "sinopsis", "demo", "--kiosk", "--dir", str(demo_dir)],
                          capture_output=True, text=True, timeout=120, env=_env())
    assert done.returncode == 2
    assert "needs a display" in done.stderr and "DISPLAY" in done.stderr and "without --kiosk" in done.stderr
    assert not demo_dir.exists()


def test_demo_kiosk_opens_the_kiosk_on_the_demo_station_and_sighup_closes_both(tmp_path):
    demo_dir, log = tmp_path / "demo", tmp_path / "demo.log"
    with log.open("w") as out:
        demo = subprocess.Popen([sys.executable, "-m", "sinopsis", "demo", "--kiosk", "--dir", str(demo_dir),
                                 "--date", "2026-11-25"], stdout=out, stderr=subprocess.STDOUT,
                                env=_env(SDL_VIDEODRIVER="offscreen"), preexec_fn=sighup_default)
    with reaping(demo) as kiosk:
        wait_until(lambda: "Start application main loop" in log.read_text() or demo.poll() is not None,
                   timeout=240, what="the kiosk's main loop")
        kiosk.update(descendants(demo.pid))
        assert any("station run" in command_line(pid) for pid in kiosk), log.read_text()[-3000:]
        demo.send_signal(signal.SIGHUP)  # the terminal closed: not only Ctrl-C stops the demo
        assert demo.wait(timeout=60) == 128 + signal.SIGHUP
    all_stopped(kiosk, "the kiosk to close with the demo")
    text = log.read_text()
    assert "5. Checks:" in text and "OP-02 PIN 135790" in text
    assert "6. The capture engine" not in text and "7. The kiosk" not in text  # instead of the tour
    assert "did not stop" not in text and "Traceback" not in text.split("Start application main loop")[1], text[-3000:]
    assert (demo_dir / "station" / "data" / "slips").is_dir()  # the kit's simulated printer, on the demo station
