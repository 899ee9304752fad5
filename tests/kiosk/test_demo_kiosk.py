"""`sinopsis demo --kiosk`: the kiosk in a window on the demo station for a person to try; without a display it
says so before doing anything. (The offscreen kiosk tour of plain `sinopsis demo` is checked in
tests/sinopsis/test_demo.py, which runs the whole demo.)"""

import os
import subprocess
import sys
import tempfile


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


def test_demo_kiosk_opens_the_kiosk_on_the_demo_station(tmp_path):
    demo_dir = tmp_path / "demo"
    done = subprocess.run([sys.executable, "-m", "sinopsis", "demo", "--kiosk", "--dir", str(demo_dir), "--date",
                           "2026-11-25", "--seconds", "1"], capture_output=True, text=True, timeout=300,
                          env=_env(SDL_VIDEODRIVER="offscreen"))
    assert done.returncode == 0, done.stderr[-3000:]
    assert "5. Checks:" in done.stdout and "OP-02 PIN 135790" in done.stdout
    assert "6. The capture engine" not in done.stdout and "7. The kiosk" not in done.stdout  # instead of the tour
    assert "Start application main loop" in done.stderr + done.stdout
    assert (demo_dir / "station" / "data" / "slips").is_dir()  # the kit's simulated printer, on the demo station
