"""Durable and private files: the one way the station and HQ write a file they keep.

After `write_durably` returns, the file is on disk under its final name with its full content, or a power cut
left at most a temp file that `sweep_temp_files` removes. The caller commits the database row naming the file
only after this returns, so a file without a row is garbage and a row without its file is a loud error.

Private by default (issue 19 point 7): students' NIKs, names, faces and prints end up in databases, packets, logs,
slips and screenshots, so every file written here is 0600 and every folder made here 0700, whatever the process
umask (the CLI and the systemd units also set umask 0077, as a second line). `private_dir`, `open_private`,
`write_private` and `make_private` are for the files that need no fsync or that a library writes itself.
"""

import ctypes
import hashlib
import logging
import os
import secrets
import stat
from pathlib import Path
from typing import IO, Any

from contract.failpoints import failpoint

TEMP_PREFIX = ".tmp-"
logger = logging.getLogger(__name__)
PRIVATE_FILE_MODE = 0o600  # owner read/write: the station's and HQ's data files
PRIVATE_DIR_MODE = 0o700  # owner only: the folders that hold them


def fsync_dir(directory: Path) -> None:
    """Flush a directory entry change (create, rename, unlink) to disk."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    """os.write until every byte is written (a write may take fewer)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def write_durably(path: Path, data: bytes, mode: int = PRIVATE_FILE_MODE) -> str:
    """Write `data` to `path` atomically and durably; return its SHA-256 hex digest.

    The parent directory must exist. An existing file at `path` is replaced atomically. `mode` is 0600 unless the
    caller says otherwise (public keys, certificates: 0644).
    Raises OSError from the file system (disk full, permission) with nothing left under the final name.
    """
    path = Path(path)
    directory = path.parent
    tmp = directory / f"{TEMP_PREFIX}{path.name}.{secrets.token_hex(4)}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        _write_all(fd, data)
        failpoint("durable.before_fsync")
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        tmp.unlink(missing_ok=True)
        raise
    os.close(fd)
    failpoint("durable.before_rename")
    tmp.replace(path)
    failpoint("durable.before_dir_fsync")
    fsync_dir(directory)
    failpoint("durable.after_dir_fsync")
    return hashlib.sha256(data).hexdigest()


def write_all_durably(files: list[tuple[Path, bytes]], mode: int = PRIVATE_FILE_MODE) -> None:
    """Write many files atomically and durably with one flush for their contents and one for their names.

    Every temp file is written first; then one flush makes all of them durable (`flush_file_systems`), they are
    renamed to their final names and one more flush makes the names durable. A file is therefore either durable
    under its final name with its full content, or a temp file (a crash before the second flush may also leave
    a complete file under its final name that no database row names yet). Fires the same failpoints as
    `write_durably`, once for the whole set. Parent folders must exist. OSError: no temp file is left, and a
    file already renamed stays (complete: the caller writes it again on its retry, or it is garbage no row names).
    """
    temps: list[tuple[Path, Path]] = []
    try:
        for path, data in files:
            path = Path(path)
            tmp = path.parent / f"{TEMP_PREFIX}{path.name}.{secrets.token_hex(4)}"
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
            temps.append((tmp, path))
            try:
                _write_all(fd, data)
            finally:
                os.close(fd)
        failpoint("durable.before_fsync")
        flush_file_systems([tmp for tmp, _ in temps])
        failpoint("durable.before_rename")
        for tmp, path in temps:
            tmp.replace(path)
    except BaseException:
        for tmp, _ in temps:
            tmp.unlink(missing_ok=True)
        raise
    failpoint("durable.before_dir_fsync")
    flush_file_systems([path.parent for _, path in temps], directories=True)
    failpoint("durable.after_dir_fsync")


_libc = ctypes.CDLL(None, use_errno=True)
_syncfs = getattr(_libc, "syncfs", None)


def flush_file_systems(paths: list[Path], directories: bool = False) -> None:
    """Make `paths` (files, or `directories` for their entries) durable: one syncfs(2) per file system they are on,
    where the C library has it (Linux); else an fsync of each. syncfs also flushes whatever else is waiting on
    that file system, which is why HQ's data folder is best on a file system of its own (docs/scaling.md)."""
    devices: dict[int, Path] = {}
    for p in paths:
        devices.setdefault(Path(p).stat().st_dev, p)
    for p in (devices.values() if _syncfs is not None else dict.fromkeys(paths)):
        fd = os.open(p, os.O_RDONLY | (os.O_DIRECTORY if directories else 0))
        try:
            if _syncfs is None:
                os.fsync(fd)
            elif _syncfs(fd) != 0:
                err = ctypes.get_errno()
                raise OSError(err, f"syncfs: {os.strerror(err)}", str(p))
        finally:
            os.close(fd)


def remove_durably(path: Path) -> None:
    """Delete a file and flush the directory, so a purge or sweep survives a power cut."""
    path = Path(path)
    path.unlink(missing_ok=True)
    fsync_dir(path.parent)


def sweep_temp_files(directory: Path) -> list[Path]:
    """Remove temp files a crash left in `directory`; return what was removed."""
    removed = [p for p in Path(directory).glob(f"{TEMP_PREFIX}*") if p.is_file()]
    for p in removed:
        p.unlink(missing_ok=True)
    if removed:
        fsync_dir(Path(directory))
    return removed


def sha256_file(path: Path) -> str:
    """SHA-256 hex digest of a file's content, read in chunks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def private_dir(path: Path, tighten: bool = True) -> Path:
    """Make the folder `path`, and any missing parent, 0700 (owner only); return it.

    An existing folder keeps its owner bits and loses group and other access when `tighten` (the station's and
    HQ's own data folders); pass `tighten=False` for a folder a person named (`--out`), whose mode is theirs.
    Folders above the first missing one are never touched.
    """
    path = Path(path)
    if not path.is_dir():
        if not path.parent.is_dir():
            private_dir(path.parent, tighten=False)
        try:
            path.mkdir(mode=PRIVATE_DIR_MODE)
        except FileExistsError:  # made by another process meanwhile (or a file is there: mkdir said so)
            if not path.is_dir():
                raise
        else:
            return path
    if tighten:
        make_private(path)
    return path


def make_private(path: Path) -> None:
    """Take group and other access away from an existing file or folder (one a library made: a screenshot, an
    SQLite file); a missing path is left alone, and one this user does not own is only logged (the owner's
    mode stands; refusing to start over it would stop the station)."""
    path = Path(path)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return
    if mode & 0o077:
        try:
            path.chmod(mode & ~0o077)
        except PermissionError:
            logger.warning("%s is readable by others (mode %o) and not ours to change: make it 0%o", path, mode,
                           mode & ~0o077)


def private_opener(path: str, flags: int) -> int:
    """An `opener` for open(): a new file is created 0600, an existing one loses group and other access."""
    fd = os.open(path, flags | os.O_CLOEXEC, PRIVATE_FILE_MODE)
    try:
        mode = stat.S_IMODE(os.fstat(fd).st_mode)
        if mode & 0o077:
            os.fchmod(fd, mode & ~0o077)
    except BaseException:
        os.close(fd)
        raise
    return fd


def open_private(path: Path, mode: str = "w", **kwargs: Any) -> IO[Any]:
    """open() for writing a private file (logs, demo output): same arguments, the file 0600."""
    return open(path, mode, opener=private_opener, **kwargs)  # the caller closes it


def write_private(path: Path, data: bytes | str, encoding: str = "utf-8") -> Path:
    """Write `data` to `path` as a private file (0600), without the fsync dance (for what can be made again)."""
    with open_private(path, "wb") as f:
        f.write(data.encode(encoding) if isinstance(data, str) else data)
    return Path(path)
