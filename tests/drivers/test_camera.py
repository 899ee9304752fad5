"""Cameras: the replay camera's pacing, faults and frozen detection; the V4L2 camera's clear refusals."""

import cv2
import numpy as np
import pytest

from drivers.base import DeviceError, DeviceNotFoundError
from drivers.camera import FrozenDetector, ReplayCamera, V4L2Camera, check_mode
from native import samples


def frames(n: int) -> list[np.ndarray]:
    return [np.full((48, 64, 3), 10 * i, np.uint8) for i in range(n)]


def test_replay_serves_frames_in_order_and_loops():
    with ReplayCamera(frames(3), fps=1000) as camera:
        got = [camera.read() for _ in range(7)]
    # Paced to real time: a reader that falls behind (a busy machine) skips the frames that were due, so check
    # the order and the loop, with the skipped ones counted, rather than seven consecutive numbers.
    indexes = [f.index for f in got]
    assert indexes == sorted(set(indexes)) and indexes[0] == 1
    assert indexes[-1] - len(indexes) == camera.dropped
    assert [int(f.image[0, 0, 0]) for f in got] == [10 * ((i - 1) % 3) for i in indexes]
    assert all(f.device_id == "replay" for f in got)
    assert got[-1].timestamp >= got[0].timestamp


def test_replay_without_loop_holds_the_last_frame_and_resizes():
    with ReplayCamera(frames(2), fps=1000, loop=False, size=(32, 24)) as camera:
        values = [int(camera.read().image[0, 0, 0]) for _ in range(4)]
        assert camera.size == (32, 24) and camera.read().image.shape == (24, 32, 3)
    assert values == [0, 10, 10, 10]


def test_a_late_consumer_skips_frames_and_counts_them():
    camera = ReplayCamera(frames(10), fps=100)
    camera.open()
    camera.read()
    camera._start -= 0.5  # as if the consumer had been busy for half a second (50 frames at 100 fps)
    frame = camera.read()
    assert camera.dropped >= 49 and frame.index >= 51


def test_faults_black_white_and_unplug_then_replug():
    # 20 fps: a frame-by-frame fault test needs a reader that keeps up (a late reader skips due frames).
    camera = ReplayCamera([np.full((48, 64, 3), 100, np.uint8)], fps=20, noise=1,
                          faults={2: "black", 3: "white", 5: "unplug"})
    camera.open()
    assert camera.read().image.min() >= 100
    assert camera.read().image.max() == 0
    assert camera.read().image.min() == 255
    camera.read()
    with pytest.raises(DeviceError) as gone:
        camera.read()
    assert gone.value.disconnected
    with pytest.raises(DeviceNotFoundError):
        camera.open()
    camera.replug()
    camera.open()
    assert camera.read().index == 6


def test_a_frozen_stream_is_reported_as_retryable():
    camera = ReplayCamera(frames(3), fps=1000, faults={2: "freeze"})
    camera.open()
    with pytest.raises(DeviceError) as frozen:
        for _ in range(40):
            camera.read()
    assert frozen.value.code == "frozen" and frozen.value.retryable and not frozen.value.disconnected
    camera.thaw()
    camera.read()


def test_sensor_noise_keeps_a_still_picture_alive():
    with ReplayCamera([samples.portrait("red", 160, 120)], fps=1000, noise=1) as camera:
        for _ in range(40):
            camera.read()
    with ReplayCamera([samples.portrait("red", 160, 120)], fps=1000) as camera, pytest.raises(DeviceError):
        for _ in range(40):
            camera.read()


def test_frozen_detector_resets_on_change():
    detector = FrozenDetector(limit=3)
    a, b = np.zeros((20, 20, 3), np.uint8), np.ones((20, 20, 3), np.uint8)
    for image in (a, a, a, b, b, b):
        detector.check(image, "cam")
    with pytest.raises(DeviceError):
        detector.check(b, "cam")


def test_bad_sources_are_clear(tmp_path):
    with pytest.raises(ValueError, match="no such image"):
        ReplayCamera([tmp_path / "missing.png"])
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"not an image")
    with pytest.raises(ValueError, match="neither an image nor a video"):
        ReplayCamera([junk])
    with pytest.raises(ValueError, match="at least one frame"):
        ReplayCamera([])
    with pytest.raises(ValueError, match="fault at frame 3"):
        ReplayCamera(frames(1), faults={3: "smoke"})


def test_replay_reads_image_and_video_files(tmp_path):
    image = tmp_path / "portrait.png"
    cv2.imwrite(str(image), samples.portrait("blue", 160, 120))
    video = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 30, (160, 120))
    for _ in range(3):
        writer.write(samples.portrait("red", 160, 120))
    writer.release()
    with ReplayCamera([image, video], fps=1000) as camera:
        assert camera.read().image.shape == (120, 160, 3)


def test_v4l2_missing_device_and_bad_modes(tmp_path):
    with pytest.raises(DeviceNotFoundError, match="ls /dev/video"):
        V4L2Camera(str(tmp_path / "video9")).open()
    with pytest.raises(ValueError, match="pixel_format"):
        V4L2Camera(pixel_format="H264")
    assert check_mode(1280, 720, 30) is None
    assert "at least 640x480" in check_mode(320, 240, 30)
    assert "fps" in check_mode(1280, 720, 0)


def test_sensor_noise_saturates_instead_of_wrapping_white_to_black():
    white = np.full((48, 64, 3), 255, np.uint8)
    camera = ReplayCamera([white], fps=1000, noise=3)
    camera.open()
    for _ in range(3):
        assert camera.read().image.min() >= 250


def test_the_noise_is_drawn_before_the_clock_starts():
    """A 1080p noise bank takes tens of ms to draw: drawn on the first read, it made the first frame late and
    the second come right behind it, which a live loop's latency then counted as the analysis's."""
    camera = ReplayCamera([samples.portrait("red", 160, 120), np.zeros((90, 100, 3), np.uint8)], noise=1)
    camera.open()
    assert set(camera._noise_bank) == {(120, 160, 3), (90, 100, 3)}
    assert not ReplayCamera([np.zeros((9, 9, 3), np.uint8)]).__enter__()._noise_bank  # no noise, nothing drawn
