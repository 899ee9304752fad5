"""Check-in by showing the application QR to the kiosk's camera (kits without a QR line scanner).

A CameraQr thread reads the kit camera (drivers/camera.py surface: open / read / close) a few times a second
while the welcome screen is shown, decodes each frame with drivers.qr_scanner.QrReader, and hands the text to
the UI thread (`on_text`, i.e. KioskApp.on_qr — the same path as the serial scanner). The camera is closed as
soon as the welcome screen is left, because the operator's capture needs it; it is opened again when the
welcome screen comes back. A camera that is missing or unplugged is retried quietly every `retry_s`.

A QR counts once per showing: the same text is not handed on again until the camera has seen no QR (or another
one) for `gone_frames` reads, so a student holding the code up does not restart the check-in five times a second.
"""

import logging
import threading
from collections.abc import Callable
from typing import Any

from kivy.clock import Clock

from drivers.qr_scanner import QrReader

logger = logging.getLogger(__name__)

READ_INTERVAL_S = 0.2  # 5 decodes a second: quick enough for a hand, light on the kiosk's two cores
RETRY_S = 1.0
GONE_FRAMES = 5


class CameraQr:
    """Reads QR codes from `camera` while active (see the module text); `reader` decodes a BGR frame to text."""

    def __init__(self, camera: Any, on_text: Callable[[str], None], reader: Any = None,
                 interval_s: float = READ_INTERVAL_S, retry_s: float = RETRY_S, gone_frames: int = GONE_FRAMES) -> None:
        self.camera, self.on_text = camera, on_text
        self.reader = reader if reader is not None else QrReader()
        self.interval_s, self.retry_s, self.gone_frames = interval_s, retry_s, gone_frames
        self.opened = False  # read by tests and the status line; written only by the thread
        self.failures = 0  # open/read failures so far (unplugged, missing)
        self._active = threading.Event()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="kiosk-camera-qr", daemon=True)
        self._last, self._absent = "", 0

    def start(self) -> "CameraQr":
        self._thread.start()
        return self

    def follow(self, manager: Any, screens: tuple[str, ...] = ("welcome",)) -> "CameraQr":
        """Be active exactly while `manager` (the ScreenManager) shows one of `screens`."""
        def show(_manager: Any, current: str) -> None:
            self.resume() if current in screens else self.pause()

        manager.bind(current=show)
        show(manager, manager.current)
        return self

    def resume(self) -> None:
        """Start reading (the welcome screen is shown)."""
        self._active.set()
        self._wake.set()

    def pause(self) -> None:
        """Stop reading and close the camera within one read (another screen is shown; the operator may need it)."""
        self._active.clear()
        self._wake.set()

    @property
    def active(self) -> bool:
        return self._active.is_set()

    def stop(self) -> None:
        """End the thread and release the camera (the app is stopping)."""
        self._stop.set()
        self._active.clear()
        self._wake.set()
        self._thread.join(timeout=5)

    def _sleep(self, seconds: float) -> None:
        self._wake.wait(seconds)
        self._wake.clear()

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                if not self._active.is_set():
                    self._close()
                    self._sleep(1.0)
                    continue
                try:
                    if not self.opened:
                        self.camera.open()
                        self.opened = True
                    frame = self.camera.read()
                except Exception as exc:  # noqa: BLE001 - unplugged, missing, frozen, a driver bug: the thread
                    # must outlive it (a dead thread means no QR check-in until restart); retried quietly
                    self._failed(exc)
                    continue
                try:
                    text = self.reader.decode(frame.image)
                except Exception:  # an odd frame must not end the thread
                    logger.warning("camera QR: a frame could not be decoded", exc_info=True)
                    text = None
                self._seen(text)
                self._sleep(self.interval_s)
        finally:
            self._close()

    def _failed(self, exc: BaseException) -> None:
        if getattr(exc, "retryable", False) and not getattr(exc, "disconnected", False):
            self._sleep(self.interval_s)  # e.g. a frozen stream: the next frame may be fine
            return
        self.failures += 1
        logger.info("camera QR: %s; retrying in %.1f s", exc, self.retry_s)
        self._close()
        self._sleep(self.retry_s)

    def _seen(self, text: str | None) -> None:
        if text and text != self._last:
            self._last, self._absent = text, 0
            if self._active.is_set():
                Clock.schedule_once(lambda _dt, scanned=text: self.on_text(scanned))
        elif text:
            self._absent = 0
        else:
            self._absent += 1
            if self._absent >= self.gone_frames:
                self._last = ""

    def _close(self) -> None:
        if self.opened:
            self.opened = False
            try:
                self.camera.close()
            except Exception:  # a camera that is gone may fail to close; it is released either way
                logger.info("camera QR: closing the camera failed", exc_info=True)
