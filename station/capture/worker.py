"""The capture engine on its own thread: the kiosk's UI thread submits work and never waits on a device.

One worker thread owns the engine and its devices (the vendor SDKs are not thread-safe); every call is queued
to it and answered through a Future. Events still arrive on the engine's bus from the worker thread, so a
Kivy screen forwards them with `Clock.schedule_once`. `cancel()` stops the running capture at its next frame.
"""

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from station.capture.engine import CaptureEngine


class CaptureWorker:
    """Runs `CaptureEngine` methods on one background thread."""

    def __init__(self, engine: CaptureEngine) -> None:
        self.engine = engine
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="capture")

    def submit(self, method: str, *args: Any, **kwargs: Any) -> Future:
        """Queue `engine.<method>(*args, **kwargs)`; the Future holds its result or its exception."""
        call: Callable[..., Any] = getattr(self.engine, method)
        return self._pool.submit(call, *args, **kwargs)

    def submit_call(self, work: Callable[[], Any]) -> Future:
        """Queue any work that touches the engine or its devices (e.g. a few engine calls in a row)."""
        return self._pool.submit(work)

    def cancel(self) -> None:
        """Stop the capture in progress (thread-safe); queued calls still run."""
        self.engine.cancel()

    def close(self) -> None:
        """Stop the capture in progress (a recording ended mid-capture must not wait for its timeout), finish the
        queued work, close the devices on the worker thread, and stop the thread."""
        self.engine.cancel()
        self._pool.submit(self.engine.close).result()
        self._pool.shutdown(wait=True)

    def __enter__(self) -> "CaptureWorker":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
