"""Durable files: the one way the station writes a file it keeps (temp name, fsync, rename, fsync directory).

After `write_durably` returns, the file is on disk under its final name with its full content, or a power cut
left at most a temp file that `sweep_temp_files` removes. The caller commits the database row naming the file
only after this returns, so a file without a row is garbage and a row without its file is a loud error.
"""

import hashlib
import os
import secrets
from pathlib import Path

from contract.failpoints import failpoint

TEMP_PREFIX = ".tmp-"


def fsync_dir(directory: Path) -> None:
    """Flush a directory entry change (create, rename, unlink) to disk."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_durably(path: Path, data: bytes, mode: int = 0o640) -> str:
    """Write `data` to `path` atomically and durably; return its SHA-256 hex digest.

    The parent directory must exist. An existing file at `path` is replaced atomically.
    Raises OSError from the file system (disk full, permission) with nothing left under the final name.
    """
    path = Path(path)
    directory = path.parent
    tmp = directory / f"{TEMP_PREFIX}{path.name}.{secrets.token_hex(4)}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
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
