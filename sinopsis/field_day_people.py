"""The simulated people of `sinopsis station simulate --day`: who checks in how (QR or NIK, the roster's phone or
a typed one), which of their captures need one retry, and who has worn prints — all drawn from one seed — and how
a person behaves in front of the simulated kit during a capture.

A person acts on the kit's own simulators, as a student in front of the devices would: the camera shows an empty
seat until they sit still, the slap platen stays empty until they put their fingers on it (then serves a 4-4-2
slap image with the right number of fingers), the iris camera loses its first frame once. Retries are therefore
real ones: the capture engine's first attempt finds nothing and the second succeeds, so the attempts the run
counts are the engine's own.
"""

import random
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from station.capture.events import StateChanged
from station.capture.policy import modality_of

QR_SHARE = 0.8  # "80 % QR, 20 % NIK fallback"
LISTED_PHONE_SHARE = 0.7  # the rest type a number (the roster's one is old or missing)
WORN_PRINTS_SHARE = 0.05  # prints the scanner cannot read well: the first slap never reaches its threshold


@dataclass
class Person:
    """One simulated student and the draws that decide how their day at the kit goes."""

    index: int
    method: str  # "qr" or "nik"
    listed_phone: bool  # confirms the roster's phone with one tap (else types `typed_phone`)
    typed_phone: str
    worn_prints: bool
    draws: random.Random = field(repr=False)

    def needs_retry(self, capture: str) -> bool:
        """Whether `capture` (a capture key: face, right_four, left_iris…) needs one retry: the person's next
        draw, below RETRY_SHARE (the signature has no threshold and is never retried)."""
        from sinopsis.field_day_model import needs_retry

        return capture != "signature" and needs_retry(self.draws.random())


def people(count: int, seed: int) -> list[Person]:
    """`count` people drawn from `seed` (the same seed gives the same day)."""
    rng = random.Random(seed)  # noqa: S311 -- a reproducible simulated day, not a secret
    out = []
    for i in range(count):
        out.append(Person(i, "qr" if rng.random() < QR_SHARE else "nik", rng.random() < LISTED_PHONE_SHARE,
                          f"0813{rng.randint(10_000_000, 99_999_999)}", rng.random() < WORN_PRINTS_SHARE,
                          random.Random(rng.getrandbits(64))))  # noqa: S311 -- see above
    return out


def slap_image(folder: Path, fingers: int) -> Path:
    """A 1600x1500 slap platen image holding `fingers` sample prints side by side (PGM, the simulator's format)."""
    import cv2
    import numpy as np

    from native import samples

    path = folder / f"slap-{fingers}.pgm"
    if not path.exists():
        prints = [cv2.imread(str(p), cv2.IMREAD_GRAYSCALE)[:, 28:388] for p in samples.FINGERPRINTS]
        slap = np.full((1500, 1600), 255, np.uint8)
        for i in range(fingers):
            slap[300:860, 40 + i * 390: 400 + i * 390] = prints[i % len(prints)]
        cv2.imwrite(str(path), slap)
    return path


class KitPerson:
    """The person being captured, acting on the kit's simulators from the capture engine's own events (on the
    capture thread, between two device calls: nothing else uses the device then)."""

    def __init__(self, person: Person, kit: Any, slap_mode: bool, workdir: Path, portrait: Any) -> None:
        self.person, self.kit, self.slap_mode, self.portrait = person, kit, slap_mode, portrait
        self.workdir = Path(tempfile.mkdtemp(prefix="person-", dir=workdir))
        self.retries: dict[str, bool] = {}  # capture key → drawn to need one retry
        self.waiting: set[str] = set()  # captures whose person is not ready yet (until the engine retries)
        self.worn_key = ""  # worn prints: the first finger capture, which never reaches its threshold

    def on_event(self, event: object) -> None:
        """A StateChanged from the engine: a capture's first attempt starts (the person is ready or not), or the
        engine retries (the person gets ready)."""
        if not isinstance(event, StateChanged):
            return
        key = event.position
        if event.state == "preview" and event.detail.startswith("attempt 1 "):
            retry = self.retries.setdefault(key, self.person.needs_retry(key))
            if self.person.worn_prints and not self.worn_key and modality_of(key.split("+")[0]) == "finger":
                self.worn_key = key
            self._present(key, ready=not retry)
            if retry:
                self.waiting.add(key)
        elif event.state == "retry" and key in self.waiting:
            self.waiting.discard(key)
            self._present(key, ready=True)

    def _present(self, key: str, ready: bool) -> None:
        never = key == self.worn_key
        modality = modality_of(key.split("+")[0])
        if modality == "face":
            camera = self.kit.camera
            if hasattr(camera, "set_frames"):
                camera.set_frames([self.portrait if ready else empty_seat()])
        elif modality == "finger":
            lines = ["finger slap"] if self.slap_mode else []
            if self.slap_mode:  # the platen shows as many fingers as this slap takes
                lines.append(f"finger image {slap_image(self.workdir.parent, len(key.split('+')))}")
            lines.append("finger ramp 1000000" if never else "finger present" if ready else "finger absent")
            self._replug(self.kit.finger_scanner, "finger", lines)
        elif modality == "iris":
            self._replug(self.kit.iris_camera, "iris", ["iris present"] if ready else
                         ["iris timeout 1", "iris present"])
            self.waiting.discard(key)  # the iris camera's lost frame is the retry: nothing to wait for

    def _replug(self, device: Any, name: str, lines: list[str]) -> None:
        """Reopen a vendor simulator with a new script (it reads its script when opened)."""
        from native.vendor import apply_sim_script

        script = self.workdir / f"{name}.txt"
        script.write_text("\n".join(lines) + "\n")
        device.close()
        apply_sim_script(script)
        device.open()


def empty_seat() -> Any:
    """A camera frame with nobody in front of it (a grey wall)."""
    import numpy as np

    return np.full((480, 640, 3), 150, np.uint8)
