"""A disk scanner for the privacy tests (DESIGN.md §4: no plaintext biometric image is ever written to disk).

`DiskScanner` walks folders over and over on its own thread while captures run, and once more after them. Every
new version of a file (path, inode, size, mtime) is read whole and kept, so a temp file that exists only for a
moment is still judged after the captures, against pixel markers that only exist once the images were taken.

Two kinds of folder:
- *private* folders (the station's data dir, the test's tmp_path, the private TMPDIR the test gives the process):
  every file is checked for image magic bytes (strong signatures anywhere in the file, weak ones at its start)
  and for the markers;
- *shared* folders (the machine's temp dir, which other programs and other test runs share): the files directly in
  it and everything in the folders made in it since the scan began (the folders already there belong to other
  programs and test runs), only files that changed since the scan began, only against the markers (byte runs of
  this run's own images: another program may legitimately keep a PNG there), at most SHARED_VERSIONS versions of
  one path (a log another program keeps appending to is not read a thousand times).

A finding names the file and what was seen; `findings()` is empty when nothing leaked.
"""

import hashlib
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# Signatures specific enough (≥ 8 bytes) to look for anywhere in a file, an SQLite page or a zip.
STRONG_MAGIC = {
    b"\x89PNG\r\n\x1a\n": "PNG",
    b"\x00\x00\x00\x0cjP  \r\n\x87\n": "JPEG 2000 (JP2)",
    b"\xff\x4f\xff\x51\x00": "JPEG 2000 codestream",
}
# Short signatures: only at a file's start (random ciphertext holds 3 given bytes every ~16 MB).
WEAK_MAGIC = {
    b"\xff\xd8\xff": "JPEG",
    b"\xff\xa0\xff": "WSQ",
    b"BM": "BMP",
    b"II*\x00": "TIFF",
    b"MM\x00*": "TIFF",
    b"P5\n": "PGM",
    b"P5 ": "PGM",
    b"P6\n": "PPM",
    b"P6 ": "PPM",
    b"P2\n": "PGM (text)",
    b"PK\x03\x04": "zip (an unsealed payload?)",
}
MAX_FILE_BYTES = 64 * 1024 * 1024  # bigger files are not ours (the packets here are a few MB)
SHARED_MAX_BYTES = 16 * 1024 * 1024  # one image of ours, or all of a record's, is far smaller
SHARED_VERSIONS = 4


@dataclass(frozen=True)
class Finding:
    path: str
    what: str


def magic_in(data: bytes) -> list[str]:
    """The image formats whose signature `data` shows (strong ones anywhere, weak ones at the start)."""
    found = [name for sig, name in STRONG_MAGIC.items() if sig in data]
    found += [name for sig, name in WEAK_MAGIC.items() if data.startswith(sig)]
    return found


def distinct_run(data: bytes, length: int = 48, min_distinct: int = 24) -> bytes | None:
    """A run of `length` bytes from the middle outwards with at least `min_distinct` different byte values (a
    plain backdrop or a white margin would match too much), or None when the data has none."""
    if len(data) < length:
        return None
    middle = (len(data) - length) // 2
    step = max(1, length // 2)
    for offset in range(0, len(data), step):
        for start in (middle + offset, middle - offset):
            if 0 <= start <= len(data) - length:
                window = data[start:start + length]
                if len(set(window)) >= min_distinct:
                    return window
    return None


class MarkerIndex:
    """Finds which of many equal-length byte markers occur in a buffer without one full search per marker.

    Every marker is `length` bytes; any occurrence of one covers a `KEY`-byte slice that starts at a multiple of
    `length - KEY + 1`, and that slice is one of the marker's own KEY-grams. So the buffer is sampled at those
    offsets only (numpy), looked up among all the markers' KEY-grams, and only the candidates are searched for in
    full."""

    KEY = 8

    def __init__(self, markers: dict[str, bytes]) -> None:
        lengths = {len(m) for m in markers.values()}
        assert len(lengths) <= 1 and all(n > self.KEY for n in lengths), "markers of one length > KEY"
        self.markers = markers
        self.step = (lengths.pop() - self.KEY + 1) if lengths else 1
        self.grams: dict[int, set[str]] = {}
        for label, marker in markers.items():
            for i in range(len(marker) - self.KEY + 1):
                gram = int.from_bytes(marker[i:i + self.KEY], "little")
                self.grams.setdefault(gram, set()).add(label)
        self.keys = np.fromiter(self.grams, dtype=np.uint64, count=len(self.grams))

    def find(self, data: bytes) -> list[str]:
        """The labels of the markers that occur in `data`."""
        if not self.markers or len(data) < self.KEY:
            return []
        buffer = np.frombuffer(data, np.uint8)
        starts = np.arange(0, len(data) - self.KEY + 1, self.step)
        grams = buffer[starts[:, None] + np.arange(self.KEY)].copy().view("<u8").ravel()
        hits = np.unique(grams[np.isin(grams, self.keys)])
        candidates = set().union(*(self.grams[int(g)] for g in hits)) if len(hits) else set()
        return sorted(label for label in candidates if self.markers[label] in data)


class DiskScanner(threading.Thread):
    """Walk `private` and `shared` folders until `stop()`; `passes` counts the whole walks done."""

    def __init__(self, private: list[Path], shared: list[Path], excluded: list[Path],
                 pause_s: float = 0.02) -> None:
        super().__init__(name="privacy-disk-scanner", daemon=True)
        self.private = [Path(p).resolve() for p in private]
        self.shared = [Path(p).resolve() for p in shared if Path(p).resolve() not in self.private]
        self.excluded = [Path(p).resolve() for p in excluded]
        self.started_ns = time.time_ns() - 2_000_000_000  # mtime granularity and clock skew
        self.already_there = {root: {p.name for p in root.iterdir()} for root in self.shared}
        self.per_path: dict[str, int] = {}
        self.pause_s = pause_s
        self.passes = 0
        self.versions: dict[tuple[str, int, int, int], bytes] = {}  # every file version read, kept
        self.private_versions: set[tuple[str, int, int, int]] = set()
        self.magic: list[Finding] = []
        self.errors: list[str] = []
        self._halt = threading.Event()
        self._lock = threading.Lock()

    # ---- walking --------------------------------------------------------------------------------------------
    def run(self) -> None:
        while not self._halt.is_set():
            self.scan_once()
            self._halt.wait(self.pause_s)

    def stop(self) -> None:
        """Stop walking, then walk once more (the state after the captures)."""
        self._halt.set()
        self.join(60)
        self.scan_once()

    def _skip(self, path: Path) -> bool:
        return any(path == e or e in path.parents for e in self.excluded)

    def scan_once(self) -> None:
        with self._lock:
            for root in self.private:
                self._walk(root, private=True)
            for root in self.shared:
                self._walk(root, private=False)
            self.passes += 1

    def _walk(self, root: Path, private: bool) -> None:
        for folder, dirs, files in os.walk(root, onerror=None):
            here = Path(folder)
            if not private and any(here == p or p in here.parents for p in self.private):
                dirs[:] = []  # judged as a private folder already
                continue
            dirs[:] = [d for d in dirs if not self._skip(here / d) and
                       (private or here != root or d not in self.already_there[root])]
            for name in files:
                self._read(here / name, private)

    def _read(self, path: Path, private: bool) -> None:
        if self._skip(path):
            return
        try:
            st = path.stat(follow_symlinks=False)
        except OSError:
            return  # gone between the listing and the stat (a temp file renamed): seen or not, nothing to read
        if not path.is_file() or path.is_symlink() or st.st_size > MAX_FILE_BYTES:
            return
        if not private and (st.st_mtime_ns < self.started_ns or st.st_size > SHARED_MAX_BYTES or
                            self.per_path.get(str(path), 0) >= SHARED_VERSIONS):
            return  # older than the captures (cannot hold their images), too big, or read often enough
        key = (str(path), st.st_ino, st.st_size, st.st_mtime_ns)
        if key in self.versions:
            return
        self.per_path[str(path)] = self.per_path.get(str(path), 0) + 1
        try:
            data = path.read_bytes()
        except PermissionError as e:
            self.errors.append(f"{path}: {e}")
            return
        except OSError:
            return  # vanished while read
        self.versions[key] = data
        if private:
            self.private_versions.add(key)
            for what in magic_in(data):
                self.magic.append(Finding(str(path), f"{what} signature"))

    # ---- judging --------------------------------------------------------------------------------------------
    def findings(self, markers: dict[str, bytes]) -> list[Finding]:
        """Every magic signature seen in a private folder, and every marker seen in any file version read."""
        found = list(self.magic)
        index = MarkerIndex(markers)
        judged: dict[bytes, list[str]] = {}  # many versions of a file share their content
        for key, data in self.versions.items():
            digest = hashlib.sha256(data).digest()
            if digest not in judged:
                judged[digest] = index.find(data)
            found += [Finding(key[0], f"marker {label}") for label in judged[digest]]
        return sorted(set(found), key=lambda f: (f.path, f.what))

    def seen(self, suffix: str) -> set[str]:
        """Paths of the files read whose name ends with `suffix`."""
        return {k[0] for k in self.versions if k[0].endswith(suffix)}
