"""The IriTech camera's live view (Iddk_GetStreamImage) through the real binding and the simulated IDDK: while it
looks for a good eye, each status poll hands the operator's preview a copy of the eye's live frame; the result image
comes after, as before; the engine scores each live frame and tells the screen the circles it found."""

import numpy as np

from native.vendor import IriTechCamera, apply_sim_script
from station.capture.devices import Devices
from station.capture.engine import CaptureEngine
from station.capture.events import FrameScored
from station.config import CaptureSection


def _script(tmp_path, text: str):
    path = tmp_path / "sim.txt"
    path.write_text(text)
    apply_sim_script(path)


def test_each_poll_while_looking_gives_a_live_frame_then_the_result(tmp_path):
    _script(tmp_path, "iris absent 4\niris present\n")
    frames: list[np.ndarray] = []
    try:
        with IriTechCamera("sim") as camera:
            camera.open()
            image = camera.capture("right", max_polls=20, poll_interval_s=0.0, on_preview=frames.append)
    finally:
        apply_sim_script(None)
    assert len(frames) == 4  # one per poll while the camera was still looking
    assert all(f.shape == image.shape == (480, 640) and f.dtype == np.uint8 for f in frames)
    assert frames[0] is not frames[1] and not np.shares_memory(frames[0], frames[1])  # copies, not SDK memory
    sharp = float(np.var(np.diff(image.astype(np.int16), axis=1)))
    soft = float(np.var(np.diff(frames[0].astype(np.int16), axis=1)))
    assert soft < sharp  # the live frames are the eye not yet in focus, the result is the sharp capture


def test_without_a_preview_nothing_changes(tmp_path):
    _script(tmp_path, "iris absent 2\niris present\n")
    try:
        with IriTechCamera("sim") as camera:
            camera.open()
            assert camera.capture("left", max_polls=20, poll_interval_s=0.0).shape == (480, 640)
    finally:
        apply_sim_script(None)


def test_the_engine_scores_live_iris_frames_and_names_the_circles(tmp_path):
    _script(tmp_path, "iris absent 3\niris present\n")
    camera = IriTechCamera("sim")
    engine = CaptureEngine(CaptureSection(timeout_s=2.0), Devices(iris_camera=camera))
    events: list = []
    engine.bus.subscribe(events.append)
    try:
        engine.capture_iris("right")
    finally:
        engine.close()
        apply_sim_script(None)
    scored = [e for e in events if isinstance(e, FrameScored) and e.position == "right_iris"]
    assert len(scored) == 4 and [e.still for e in scored] == [False, False, False, True]
    assert [e.index for e in scored] == [1, 2, 3, 4]
    final = scored[-1]
    assert len(final.details["circles"]) == 2 and 0 < final.details["usable_fraction"] <= 1
    (px, py, pr), (ix, iy, ir) = final.details["circles"]
    assert 0 < pr < ir and 0 <= px < 640 and 0 <= py < 480 and abs(ix - px) < pr and abs(iy - py) < pr
