"""The live loop, measured: camera frame → per-frame analysis → event, at 30 fps, as the kiosk will run it.

Threads: the camera thread reads frames at the camera's pace (ReplayCamera paced to 30 fps) and puts each in a
one-slot mailbox, replacing a frame the analysis has not taken yet (that frame is *dropped*: a live preview wants
the newest frame, not a queue); the analysis thread takes the newest frame, runs the motion gate and the whole
face analysis (landmarks tracked from frame to frame, C metrics, score; YuNet on a downscaled copy every 5th
frame on its own thread, native/face_stream.py) on a real portrait and puts an event on the consumer queue, where
the UI thread would pick it up. Latency is from the frame's capture timestamp to the event's arrival on the
consumer queue. The analyzer is warmed up on one frame first (the models' first inference), as a kiosk is at
start-up; the stream itself starts afresh, so its first frame waits for its own detection.
"""

import queue
import statistics
import threading
import time
from dataclasses import dataclass

from drivers.camera import ReplayCamera
from native import samples
from native.face import FaceQuality
from native.motion import StillnessGate

FRAME_BUDGET_MS = 1000.0 / 30.0


@dataclass(frozen=True)
class LiveLoopReport:
    """What one run of the live loop measured."""

    frame: str
    seconds: float
    frames: int  # frames the camera delivered
    analysed: int  # frames that reached the consumer as events
    dropped: int  # frames replaced in the mailbox before analysis, plus frames the camera skipped
    p50_ms: float
    p99_ms: float
    # analysed frames that waited for the detector thread: it lagged past detect_every frames / no usable track
    detector_lag_waits: int = 0
    detector_own_waits: int = 0

    @property
    def budget_share(self) -> float:
        """p50 latency as a share of the 33.3 ms frame budget."""
        return self.p50_ms / FRAME_BUDGET_MS


def run_live_loop(width: int, height: int, seconds: float = 3.0, fps: float = 30.0) -> LiveLoopReport:
    """Run the loop for `seconds` on a real portrait at width x height and report latency and drops."""
    camera = ReplayCamera([samples.real_portrait(width, height)], fps=fps, noise=1)
    mailbox: queue.Queue = queue.Queue(maxsize=1)
    events: queue.Queue = queue.Queue()
    stop = threading.Event()
    replaced = 0
    quality, gate = FaceQuality(detect_every=5), StillnessGate()  # as the engine runs it ([capture.face])
    # warm up as a kiosk does at start-up (the models' first inference allocates); the stream then starts afresh
    quality.measure(samples.real_portrait(width, height), required_background="red")
    quality.reset()
    warm = quality.detector_waits

    def camera_thread() -> None:
        nonlocal replaced
        with camera:
            while not stop.is_set():
                frame = camera.read()
                try:
                    mailbox.put_nowait(frame)
                except queue.Full:
                    try:
                        mailbox.get_nowait()
                        replaced += 1
                    except queue.Empty:
                        pass
                    mailbox.put_nowait(frame)
        mailbox.put(None)

    def analysis_thread() -> None:
        while True:
            frame = mailbox.get()
            if frame is None:
                events.put(None)
                return
            report = quality.measure(frame.image, required_background="red")
            still = gate.update(quality.grey)
            events.put((frame.timestamp, report.score, still.is_still, time.monotonic()))

    threads = [threading.Thread(target=camera_thread, name="camera"),
               threading.Thread(target=analysis_thread, name="analysis")]
    for t in threads:
        t.start()
    latencies, delivered = [], 0
    deadline = time.monotonic() + seconds
    while True:
        if time.monotonic() >= deadline:
            stop.set()
        event = events.get()
        if event is None:
            break
        captured_at, _score, _still, _done = event
        latencies.append((time.monotonic() - captured_at) * 1000)
        delivered += 1
    for t in threads:
        t.join()
    quality.close()  # the detector thread
    latencies.sort()
    p50 = statistics.median(latencies) if latencies else 0.0
    p99 = latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))] if latencies else 0.0
    waits = {k: v - warm[k] for k, v in quality.detector_waits.items()}  # the stream's, not the warm-up's
    return LiveLoopReport(f"{width}x{height}", seconds, camera._index, delivered, replaced + camera.dropped,
                          p50, p99, waits["lag"], waits["own"])
