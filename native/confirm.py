"""Slow reference scorers that confirm a candidate frame, off the UI thread (DESIGN §5: never per frame).

The live gate is our C score (native.fingerprint); when it passes, the capture engine hands the candidate to a
`ConfirmWorker`, whose one background thread runs a `ConfirmScorer` (NFIQ 2 for fingerprints, ~230 ms a frame)
and answers through a `concurrent.futures.Future`, so the UI thread never waits on it.

`nbis` (nbis-py, NIST's NFIQ 2) and OpenCV are imported only when an `Nfiq2Scorer` is made: nbis-py is pinned for
x86_64 only, and the rest of native/ must import without it.
"""

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Protocol, runtime_checkable

import numpy as np

from native.frames import grey_frame_pointer


class ConfirmError(RuntimeError):
    """A reference scorer failed on a frame (not "no score": that is None)."""


@runtime_checkable
class ConfirmScorer(Protocol):
    """A slow, trusted scorer: `score(frame)` is 0–100, or None when it finds nothing it can score."""

    name: str

    def score(self, frame: np.ndarray) -> int | None:
        """Score one 2-D uint8 grey frame."""
        ...


class Nfiq2Scorer:
    """NIST NFIQ 2 through nbis-py: the standard fingerprint quality score, 0–100 (500 ppi images).

    The frame is encoded losslessly as PNG (what nbis reads). None means NFIQ 2 could not compute a score
    (a blank platen, a frame too small for it); other nbis errors raise ConfirmError. Not thread-safe: use one
    scorer per thread (ConfirmWorker runs it on a single thread).
    """

    name = "nfiq2"

    def __init__(self) -> None:
        try:
            import cv2
            import nbis
        except ImportError as exc:
            raise ConfirmError(
                "NFIQ 2 needs the nbis-py package (pinned in pyproject.toml for x86_64 only): "
                f"{exc}; install it with `.venv/bin/pip install nbis-py==0.1.3` on x86_64"
            ) from exc
        self._cv2, self._nbis = cv2, nbis
        settings = nbis.NbisExtractorSettings(min_quality=0.0, get_center=False, check_fingerprint=False,
                                              compute_nfiq2=True, ppi=None)
        self._extractor = nbis.new_nbis_extractor(settings)

    def score(self, frame: np.ndarray) -> int | None:
        """NFIQ 2 of a 2-D uint8 grey frame (crops are fine); ValueError for a frame of the wrong kind."""
        grey_frame_pointer(frame)
        ok, png = self._cv2.imencode(".png", frame)
        if not ok:
            raise ConfirmError("could not encode the frame as PNG for NFIQ 2")
        try:
            quality = self._extractor.extract_minutiae(png.tobytes()).quality()
        except self._nbis.NbisError.Nfiq2ComputeFailed:
            return None
        except self._nbis.NbisError as exc:
            raise ConfirmError(f"NFIQ 2 failed: {type(exc).__name__} {exc}") from exc
        return None if quality is None else int(quality.score)


class ConfirmWorker:
    """Runs a ConfirmScorer on one background thread: `submit(frame)` returns at once with a Future.

    The frame is copied on submit, so the caller may reuse its buffer (a camera ring buffer) right away. The
    scorer is made on the worker thread from `factory` (so a non-thread-safe scorer never crosses threads), and a
    failure to make it, like any scoring error, surfaces through the Future. `close()` waits for queued frames.
    """

    def __init__(self, factory: Callable[[], ConfirmScorer] = Nfiq2Scorer) -> None:
        self._factory = factory
        self._scorer: ConfirmScorer | None = None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="confirm")
        self._lock = threading.Lock()
        self._closed = False

    def _run(self, frame: np.ndarray) -> int | None:
        if self._scorer is None:
            self._scorer = self._factory()
        return self._scorer.score(frame)

    def submit(self, frame: np.ndarray) -> "Future[int | None]":
        """Queue a copy of the frame for scoring; RuntimeError after close(), ValueError for a bad frame."""
        grey_frame_pointer(frame)
        with self._lock:
            if self._closed:
                raise RuntimeError("ConfirmWorker is closed")
            return self._pool.submit(self._run, np.array(frame, copy=True))

    def close(self, wait: bool = True) -> None:
        """Stop taking frames; with wait, finish the queued ones first (without, they are cancelled)."""
        with self._lock:
            self._closed = True
        self._pool.shutdown(wait=wait, cancel_futures=not wait)

    def __enter__(self) -> "ConfirmWorker":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
