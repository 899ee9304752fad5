"""Real parts for capture-engine tests: frames from real images, the simulated vendor SDKs, a ticking clock."""

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from native import samples
from native.vendor import FutronicScanner, IriTechCamera, apply_sim_script


@dataclass(frozen=True)
class Frame:
    image: np.ndarray
    index: int


class FrameFeed:
    """A camera over a list of real BGR frames, served in turn (the last repeats); `unplug_at` makes read()
    fail like an unplugged camera from that read on, until replug()."""

    def __init__(self, frames: list[np.ndarray], unplug_at: int | None = None) -> None:
        self.frames, self.unplug_at, self.index, self.opened = frames, unplug_at, 0, 0
        self.serial = "FEED-1"

    def open(self) -> None:
        if self.unplug_at is not None and self.index >= self.unplug_at:
            raise CameraGoneError()
        self.opened += 1

    def close(self) -> None:
        pass

    def replug(self) -> None:
        self.unplug_at = None

    def read(self) -> Frame:
        if self.unplug_at is not None and self.index >= self.unplug_at:
            raise CameraGoneError()
        frame = self.frames[min(self.index, len(self.frames) - 1)]
        self.index += 1
        return Frame(frame, self.index)


class CameraGoneError(OSError):
    """What an unplugged camera raises (carries the device error contract)."""

    disconnected = True
    retryable = False


class TickClock:
    """A monotonic clock that advances `step` seconds per reading: attempt timeouts in frames, not wall time."""

    def __init__(self, step: float = 0.1) -> None:
        self.now, self.step = 0.0, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def sim_devices(tmp_path: Path, script: str | None = None) -> tuple[FutronicScanner, IriTechCamera]:
    """The simulated Futronic scanner and IriTech camera through the real bindings, with an optional script."""
    if script is None:
        apply_sim_script(None)
    else:
        path = tmp_path / "sim-script.txt"
        path.write_text(script)
        apply_sim_script(path)
    return FutronicScanner("sim"), IriTechCamera("sim")


def slap_pgm(tmp_path: Path, fingers: int) -> str:
    """A 1600x1500 slap platen image with `fingers` sample prints side by side, as a PGM the simulator serves."""
    prints = [cv2.imread(str(p), cv2.IMREAD_GRAYSCALE)[:, 28:388] for p in samples.FINGERPRINTS]
    slap = np.full((1500, 1600), 255, np.uint8)
    for i in range(fingers):
        slap[300:860, 40 + i * 390: 400 + i * 390] = prints[i % 3]
    path = tmp_path / f"slap{fingers}.pgm"
    cv2.imwrite(str(path), slap)
    return str(path)
