"""NFIQ 2 confirm scorer gives NIST's scores; the worker scores off the calling thread and surfaces errors."""

import importlib.util
import threading

import cv2
import numpy as np
import pytest

from native import samples
from native.confirm import ConfirmError, ConfirmScorer, ConfirmWorker, Nfiq2Scorer

needs_nbis = pytest.mark.skipif(importlib.util.find_spec("nbis") is None,
                                reason="nbis-py (NFIQ 2) is pinned for x86_64 only")
PRINTS = [cv2.imread(str(p), cv2.IMREAD_GRAYSCALE) for p in samples.FINGERPRINTS]


@pytest.fixture(scope="module")
def nfiq2() -> Nfiq2Scorer:
    return Nfiq2Scorer()


@needs_nbis
def test_nfiq2_exact_on_the_samples(nfiq2):
    assert isinstance(nfiq2, ConfirmScorer) and nfiq2.name == "nfiq2"
    assert [nfiq2.score(p) for p in PRINTS] == [54, 45, 53]


@needs_nbis
def test_nfiq2_crop_is_scored_as_a_copy_would_be(nfiq2):
    crop = PRINTS[0][20:540, 10:400]
    assert nfiq2.score(crop) == nfiq2.score(crop.copy())


@needs_nbis
def test_nfiq2_blank_is_none_and_bad_frames_raise(nfiq2):
    assert nfiq2.score(np.full((560, 416), 250, np.uint8)) is None
    for bad in (np.zeros((64, 64), np.float32), np.zeros((64, 64, 3), np.uint8), np.zeros((64, 128), np.uint8)[:, ::2]):
        with pytest.raises(ValueError):
            nfiq2.score(bad)


def test_missing_nbis_is_a_clear_error(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_nbis(name, *args, **kwargs):
        if name == "nbis":
            raise ImportError("No module named 'nbis'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_nbis)
    with pytest.raises(ConfirmError, match="nbis-py"):
        Nfiq2Scorer()


class ThreadRecorder:
    """A fake scorer that records the thread it scores on."""

    name = "recorder"

    def __init__(self) -> None:
        self.threads: list[str] = []

    def score(self, frame: np.ndarray) -> int | None:
        self.threads.append(threading.current_thread().name)
        if frame[0, 0] == 13:
            raise ConfirmError("unlucky frame")
        return int(frame.mean())


@needs_nbis
def test_worker_scores_nfiq2_off_the_calling_thread():
    with ConfirmWorker() as worker:
        futures = [worker.submit(p) for p in PRINTS]
        assert [f.result(timeout=30) for f in futures] == [54, 45, 53]


def test_worker_thread_copy_and_errors():
    recorder = ThreadRecorder()
    worker = ConfirmWorker(lambda: recorder)
    frame = np.full((40, 40), 100, np.uint8)
    future = worker.submit(frame)
    frame[:] = 0  # the caller reuses its buffer at once: the worker scored its own copy
    assert future.result(timeout=10) == 100
    assert recorder.threads and recorder.threads[0] != threading.current_thread().name
    with pytest.raises(ConfirmError, match="unlucky"):
        worker.submit(np.full((40, 40), 13, np.uint8)).result(timeout=10)
    with pytest.raises(ValueError):
        worker.submit(np.zeros((4, 4, 3), np.uint8))
    worker.close()
    with pytest.raises(RuntimeError, match="closed"):
        worker.submit(frame)


def test_worker_factory_failure_surfaces_through_the_future():
    def broken() -> ConfirmScorer:
        raise ConfirmError("no scorer here")

    with ConfirmWorker(broken) as worker, pytest.raises(ConfirmError, match="no scorer"):
        worker.submit(PRINTS[0]).result(timeout=10)


def test_worker_close_without_waiting_cancels_queued_frames():
    gate = threading.Event()

    class Slow:
        name = "slow"

        def score(self, frame: np.ndarray) -> int | None:
            gate.wait(10)
            return 1

    worker = ConfirmWorker(Slow)
    first, queued = worker.submit(PRINTS[0]), worker.submit(PRINTS[1])
    worker.close(wait=False)
    gate.set()
    assert first.result(timeout=10) == 1 and queued.cancelled()
