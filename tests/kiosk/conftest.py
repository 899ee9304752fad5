"""Kivy rendered offscreen: the environment is set before anything imports Kivy."""

import os
import tempfile

os.environ["KIVY_NO_ARGS"] = "1"
os.environ["KIVY_HOME"] = tempfile.mkdtemp(prefix="kivy-home-")
os.environ["SDL_VIDEODRIVER"] = "offscreen"
os.environ["KIVY_LOG_MODE"] = "PYTHON"
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")

# Kivy's clock unthrottled: a frame takes as long as it takes to draw, not 1/60 s. The kiosk counts its touch guard
# in frames and the tests step frames (kiosk/testing.py), so nothing here needs wall time to pass but the waits for
# worker threads, which are bounded in seconds.
from kivy.config import Config

Config.set("graphics", "maxfps", "0")

import pytest  # noqa: E402 (after Kivy's environment above)


@pytest.fixture
def printer_sim(tmp_path):
    """The simulated ESC/POS receipt printer (drivers/printer_sim.py) on its own pty, unplugged after the test."""
    from drivers.printer_sim import SimulatedPrinter

    sim = SimulatedPrinter(tmp_path)
    yield sim
    sim.unplug()


@pytest.fixture(autouse=True)
def frames_without_drawing():
    """The kiosk's frames run (clock, input, layout, kv rules) but are not drawn, unless a test takes a picture
    (kiosk.testing.draw_frames: llvmpipe draws in software here, about half of these tests' CPU)."""
    from kiosk.testing import draw_frames

    before = draw_frames(False)
    yield
    draw_frames(before)
