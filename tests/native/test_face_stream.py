"""The live loop's detector thread (native/face_stream.py): frames are judged against a detection at most
N + LAG_FRAMES frames old, a second face is seen within that many frames, the verdicts are the inline detector's,
and the thread stops on close()."""

import os
import threading

import numpy as np
import pytest

from native import samples
from native.face import FaceQuality
from native.face_landmarks import FaceDetector
from native.face_stream import DETECTOR_NICE, LAG_FRAMES, DetectorThread

N = 3


def detector_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "face-detector"]


@pytest.fixture(scope="module")
def portrait() -> np.ndarray:
    return samples.portrait("red", 400, 480, face_share=0.4)


def test_stream_keeps_the_verdict_and_the_staleness_bound_then_stops(portrait):
    inline = FaceQuality().measure(portrait, required_background="red")
    with FaceQuality(detect_every=N) as quality:
        ages = []
        for _ in range(4 * N):
            report = quality.measure(portrait, required_background="red")
            assert report.problems == inline.problems == ()
            assert abs(report.score - inline.score) <= 2  # tracked crops, not the detector's: a point or two
            ages.append(quality.detection_age)
        assert detector_threads(), "the detector ran on its own thread"
        assert quality.detector_waits["own"] == 1  # only the stream's first frame waited for its own detection
    assert 0 < max(ages) <= N + LAG_FRAMES, ages  # some frames were judged against an earlier frame's detection
    assert not detector_threads(), "close() joined the detector thread"


def test_second_face_in_the_same_stream_is_seen_within_n_frames(portrait):
    one = np.concatenate([portrait, np.broadcast_to(portrait[:1, :1], portrait.shape)], axis=1)  # backdrop right
    two = np.concatenate([portrait, portrait], axis=1)  # the same frame size: the stream goes on
    with FaceQuality(detect_every=N) as quality:
        for _ in range(N + 2):
            assert "FACE_MULTIPLE" not in quality.measure(one).problems
        verdicts = [quality.measure(two).problems for _ in range(N + LAG_FRAMES + 1)]
    assert verdicts[-1] == ("FACE_MULTIPLE",), verdicts  # the frame N + LAG_FRAMES after the change: detected


def test_worker_answers_and_restarts_after_close(portrait):
    worker = DetectorThread(FaceDetector())
    for frame_no in (7, 8):
        assert worker.submit(portrait, frame_no)
        detection = worker.wait()
        assert detection is not None and detection.frame_no == frame_no and len(detection.faces) == 1
        worker.close()
        worker.close()
        assert not detector_threads()


def test_the_detector_thread_runs_nicer_than_the_analysis(portrait):
    """YuNet has LAG_FRAMES + 1 frame intervals to answer, a frame's verdict one: on a kit's two cores the
    verdict goes first (the detector thread alone is reniced, DETECTOR_NICE steps; Linux's per-thread nice)."""
    worker = DetectorThread(FaceDetector())
    try:
        assert worker.submit(portrait, 1) and worker.wait() is not None
        (thread,) = detector_threads()
        own = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        assert os.getpriority(os.PRIO_PROCESS, thread.native_id) == min(19, own + DETECTOR_NICE)
    finally:
        worker.close()
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == own  # the caller is left as it was
