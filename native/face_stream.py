"""The face detector on its own thread, for the live loop: the analysis of a frame never waits for YuNet.

Why: in a live stream YuNet runs every `detect_every` frames. Run inline, those frames took 2-3 x an ordinary
frame (the live loop's p99 at 1080p was 26 ms against a 16 ms target). Here the analysis thread hands the frame
to a worker thread, which scales it down (`FaceDetector.downscale`) into its own buffer, lets go of the frame
and runs YuNet on the small copy; OpenCV releases the GIL for both, so the threads overlap. Meanwhile the
analysis keeps tracking the face with the landmarks of the previous frame (native/face.py), and takes the
detection's result on a later frame. The caller must not write into a frame it has measured until its next
`measure` (cameras hand out a new array per frame): that call waits until the worker has let go of the previous
frame, a millisecond or two after it was handed over.

How stale a detection may be: a frame is always judged against a detection of a frame at most
`detect_every + LAG_FRAMES` frames older (`StreamTracker.max_age`, `detection_age`): the face count
(FACE_MULTIPLE) and the box a tracked face must still be centred in when the detection arrives. Detections are
asked for every `detect_every` frames, so the worker has LAG_FRAMES + 1 frame intervals to answer (100 ms at
30 fps; YuNet takes about 6 ms), enough even when the analysis runs frame after frame with no gap; when it lags
further the analysis waits for it, so the bound holds whatever the load. A second face stepping in is seen
within `detect_every + LAG_FRAMES` frames (7 at the default 5: under a quarter of a second at 30 fps).

The thread starts on the first request and stops on `close()` (joined); a later request starts it again.
"""

import os
import threading
from dataclasses import dataclass

import numpy as np

from native.face_landmarks import PRESENCE, FaceBox, FaceDetector, FaceLandmarker, Landmarks, Roi, roi_from_landmarks

LAG_FRAMES = 2  # frames the detector thread may take beyond detect_every before the analysis waits for it
# The detector thread's niceness above the process's: it has LAG_FRAMES + 1 frame intervals to answer, while each
# frame's verdict is due before the next frame, so on a kit's few cores the verdict goes first.
DETECTOR_NICE = 10


def lower_this_thread(nice: int) -> None:
    """Make the calling thread `nice` steps nicer (Linux: a thread id is a process id to setpriority); nothing
    where the platform cannot (a lower priority is an optimisation, never a requirement)."""
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + nice))
    except (AttributeError, OSError):
        pass


@dataclass(frozen=True)
class Detection:
    """YuNet's faces in the frame numbered `frame_no` of the stream (frame pixels, highest score first)."""

    frame_no: int
    faces: list[FaceBox]


class DetectorThread:
    """One YuNet detector on a worker thread, one request in flight at a time.

    `submit` (analysis thread) hands the frame over and returns at once; the worker scales it down into its own
    buffer and lets go of it (`release_wait` waits for that), then detects. `take`
    returns a finished detection not yet taken; `wait` blocks until the request in flight is answered. `cancel`
    forgets the request in flight and any answer (a new stream). Errors raised on the worker are raised again by
    `take`/`wait` on the analysis thread.
    """

    def __init__(self, detector: FaceDetector) -> None:
        self._detector = detector
        self._cond = threading.Condition()
        self._small: np.ndarray | None = None
        self._job: tuple[int, int, np.ndarray] | None = None  # (epoch, frame_no, frame) to run
        self._holding = False  # the worker still reads the caller's frame
        self._busy = False  # a request is queued or running: the small buffer belongs to the worker
        self._done: Detection | None = None
        self._error: BaseException | None = None
        self._epoch = 0  # bumped by cancel(): an answer of an older epoch is dropped
        self._stopping = False
        self._thread: threading.Thread | None = None

    @property
    def busy(self) -> bool:
        """A request is in flight."""
        with self._cond:
            return self._busy

    def submit(self, frame_bgr: np.ndarray, frame_no: int) -> bool:
        """Ask for the faces of `frame_bgr`; False (nothing done) while another request is in flight."""
        with self._cond:
            if self._busy:
                return False
            self._start()
            self._job, self._busy, self._holding = (self._epoch, frame_no, frame_bgr), True, True
            self._cond.notify_all()
        return True

    def release_wait(self) -> None:
        """Wait until the worker no longer reads the frame last submitted (it has its small copy)."""
        with self._cond:
            while self._holding and self._error is None:
                self._cond.wait()

    def take(self) -> Detection | None:
        """The finished detection not yet taken, if any."""
        with self._cond:
            return self._take()

    def wait(self) -> Detection | None:
        """Wait for the request in flight (if any) and return the finished detection not yet taken."""
        with self._cond:
            while self._busy and self._error is None:
                self._cond.wait()
            return self._take()

    def cancel(self) -> None:
        """Forget the request in flight and any answer not taken (a new stream)."""
        with self._cond:
            self._epoch += 1
            self._done = None

    def close(self) -> None:
        """Stop the worker thread and join it (a request in flight is finished first); idempotent."""
        with self._cond:
            thread, self._thread = self._thread, None
            self._stopping = True
            self._cond.notify_all()
        if thread is not None:
            thread.join()
        with self._cond:
            self._stopping, self._busy, self._holding, self._job, self._done = False, False, False, None, None

    def _take(self) -> Detection | None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        done, self._done = self._done, None
        return done

    def _start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="face-detector", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        lower_this_thread(DETECTOR_NICE)
        while True:
            with self._cond:
                while self._job is None and not self._stopping:
                    self._cond.wait()
                if self._job is None:  # stopping, nothing left to do
                    return
                (epoch, frame_no, frame), self._job = self._job, None
            faces, error = [], None
            try:
                size = (frame.shape[1], frame.shape[0])
                self._small = self._detector.downscale(frame, self._small)
                with self._cond:
                    self._holding, frame = False, None
                    self._cond.notify_all()
                faces = self._detector.detect_scaled(self._small, size)
            except Exception as exc:  # noqa: BLE001 - handed to the analysis thread, which raises it
                error = exc
            with self._cond:
                self._busy = self._holding = False
                if error is not None:
                    self._error = error
                elif epoch == self._epoch:
                    self._done = Detection(frame_no, faces)
                self._cond.notify_all()


class StreamTracker:
    """The live loop's face: landmarks tracked from frame to frame, checked against YuNet on `DetectorThread`.

    `landmarks(frame)` gives the main face's landmarks (None: no face) and the face count of the detection the
    frame is judged against, which is at most `max_age` = `detect_every` + LAG_FRAMES frames older
    (`detection_age`). Without a track
    (a new stream, a lost track, a track that left the detected face, a detection that found no face) the frame
    waits for the detection of itself, as the inline detector did. `other_face_share`: a second box counts as a
    face when at least this share of the main box's width (native/face.py's OTHER_FACE_SHARE).
    """

    def __init__(self, landmarker: FaceLandmarker, detect_every: int, other_face_share: float) -> None:
        self.detect_every = detect_every
        self.max_age = detect_every + LAG_FRAMES
        self._landmarker = landmarker
        self._share = other_face_share
        self._worker = DetectorThread(landmarker.detector.twin())
        self._frame_no = 0
        # frames that waited for the worker: because it lagged past the bound, or for their own detection
        self.waits = {"lag": 0, "own": 0}
        self.reset()

    @property
    def detection_age(self) -> int:
        """Frames between the last frame judged and the frame of the detection it was judged against."""
        return self._frame_no - 1 - self._detected_at

    def reset(self) -> None:
        """A new stream: forget the track and any detection (the next frame waits for its own)."""
        self._worker.cancel()
        self._roi: Roi | None = None
        self._faces, self._main, self._fresh = 0, None, False
        self._detected_at = self._asked_at = -(10**9)
        self._shape: tuple[int, ...] | None = None

    def close(self) -> None:
        """Stop the detector thread (joined); a later frame starts it again."""
        self._worker.close()

    def landmarks(self, frame: np.ndarray) -> tuple[Landmarks | None, int]:
        """The main face's landmarks in `frame` (None when there is none) and the number of faces."""
        if frame.shape != self._shape:  # another camera mode: a new stream
            self.reset()
            self._shape = frame.shape
        self._worker.release_wait()  # the previous frame may be the caller's buffer again
        n = self._frame_no
        self._frame_no += 1
        self._apply(self._worker.take())
        if self._detected_at < n - self.max_age:
            self.waits["lag" if self._roi is not None else "own"] += 1
        while self._detected_at < n - self.max_age:  # the worker lags: wait, so the bound holds
            self._ask_and_wait(frame, n)
        found = self._follow(frame)
        if found is None:  # no usable track: judge this frame against its own detection
            self.waits["own"] += self._detected_at != n
            while self._detected_at != n:
                self._ask_and_wait(frame, n)
            self._fresh = False
            if self._main is None:
                self._roi = None
                return None, 0
            found = self._landmarker.landmarks(frame, self._main)
            if found.presence < PRESENCE:
                self._roi = None
                return None, self._faces
        self._roi = roi_from_landmarks(found.points)
        return found, self._faces

    def ask(self, frame: np.ndarray) -> None:
        """After the last frame's verdict: ask for its detection when one is due (every `detect_every` frames).
        Asked then, YuNet runs in the gap before the next frame rather than alongside this frame's analysis."""
        n = self._frame_no - 1
        if n - self._asked_at >= self.detect_every and frame.shape == self._shape and self._worker.submit(frame, n):
            self._asked_at = n

    def _follow(self, frame: np.ndarray) -> Landmarks | None:
        """The landmarks where the last frame's were, or None when there is no track, the face was lost, or a
        new detection disagrees (no face, or the tracked face's centre outside the main box)."""
        fresh, self._fresh = self._fresh, False
        if self._roi is None or (fresh and self._main is None):
            return None
        found = self._landmarker.landmarks_in(frame, self._roi)
        if found.presence < PRESENCE:
            return None
        if fresh:
            x, y = found.points[:, 0], found.points[:, 1]
            cx, cy = (float(x.min()) + float(x.max())) / 2, (float(y.min()) + float(y.max())) / 2
            box = self._main
            if not (box.x <= cx <= box.x + box.width and box.y <= cy <= box.y + box.height):
                return None
        return found

    def _ask_and_wait(self, frame: np.ndarray, n: int) -> None:
        if not self._worker.busy and self._worker.submit(frame, n):
            self._asked_at = n
        self._apply(self._worker.wait())

    def _apply(self, detection: Detection | None) -> None:
        if detection is None:
            return
        found = sorted(detection.faces, key=lambda b: b.width * b.height, reverse=True)
        faces = [b for b in found if b.width >= self._share * found[0].width]
        self._faces, self._main, self._fresh = len(faces), (faces[0] if faces else None), True
        self._detected_at = detection.frame_no
