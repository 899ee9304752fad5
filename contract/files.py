"""Bounded reads: the one way a file that comes from outside the process is read (issue 19, point 4).

A path a person, a config or another machine names can be anything: a symlink to /dev/zero (an endless read), a
FIFO (a read that never returns), a directory, a socket, or a regular file far larger than anything the project
handles. `read_bounded` resolves symlinks first, refuses everything that is not a regular file, opens the resolved
path with O_NONBLOCK|O_NOFOLLOW (so a FIFO swapped in after the check cannot block and a symlink swapped in cannot
be followed), checks the OPEN descriptor again with fstat, and reads in bounded chunks, stopping at limit + 1 bytes,
so a file that grows while it is read is refused too. Every refusal is a `FileReadError` (or the caller's own
`SinopsisError` class) coded `<kind>.<reason>` that names the file, what it was read as, what is wrong and the limit.
"""

import errno
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from contract.errors import SinopsisError
from contract.wire import MAX_BATCH_BYTES, MAX_DESIRED_BYTES, MAX_JSON_BYTES

CHUNK = 1024 * 1024
_MB = 1024 * 1024


class FileReadError(SinopsisError):
    """A file that is refused before or while it is read: missing, not a regular file, too large, unreadable."""


@dataclass(frozen=True)
class Kind:
    """What a file is read as: its size limit, the words that name it and what a person does when it is wrong."""

    limit: int
    label: str
    fix: str


KINDS: dict[str, Kind] = {
    # a station.toml is a few KB; 1 MB leaves room for comments and every optional table
    "config": Kind(1 * _MB, "station config", "give the path of the station's TOML config file"),
    # an assignment travels as the station's desired state, so it can never be larger than that message
    "assignment": Kind(MAX_DESIRED_BYTES, "assignment bundle", "give the path of the bundle HQ issued"),
    # a sealed packet travels inside one batch message, so it can never be larger than the broker's limit
    "packet": Kind(MAX_BATCH_BYTES, "sealed packet", "give the path of a .sinopkt file"),
    "manifest": Kind(64 * _MB, "export manifest", "give the export directory the station wrote"),
    # a 1080p PNG is a few MB, a slap TIFF at 500 ppi about 2.5 MB
    "image": Kind(64 * _MB, "image", "give the path of an image file"),
    # PEM keys, certificates and certificate requests are a few KB; a CRL of every kit ever revoked well under 1 MB
    "key": Kind(64 * 1024, "key or certificate", "give the path of the PEM file"),
    "crl": Kind(4 * _MB, "certificate revocation list", "give the path of the CA's PEM CRL"),
    "secret": Kind(4 * 1024, "secret (password) file", "give the path of the file holding the password"),
    # small JSON state (link state, job lists, an issued-certificate ledger): the wire's JSON limit
    "json": Kind(MAX_JSON_BYTES, "JSON state file", "check the path; the file may be damaged"),
    # spreadsheets (xlsx/csv) an office imports: hq/applications/tabular.py's MAX_BYTES
    "import": Kind(10 * _MB, "import file (xlsx/csv)", "export a smaller file or split it"),
    # hand-drawn iris circles for `sinopsis quality --iris-truth`: a row is ~60 bytes, so 16 MB is ~250,000 images
    "circles": Kind(16 * _MB, "table of hand-drawn iris circles (--iris-truth)",
                    "give the path of the tab-separated file of circles"),
    # anything the station prints or shows as text (receipts captured by the printer simulator, SQL migrations)
    "text": Kind(4 * _MB, "text file", "check the path"),
}


def _size(n: int) -> str:
    return f"{n // _MB} MB" if n >= _MB and n % _MB == 0 else f"{n // 1024} KB" if n % 1024 == 0 else f"{n} bytes"


_NOT_REGULAR = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
                (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def _not_regular(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    return next((words for test, words in _NOT_REGULAR if test(mode)), "not a regular file")


def read_bounded(path: Path | str, kind: str, *, error: Callable[[str, str], Exception] = FileReadError,
                 code: str | None = None, what: str | None = None) -> bytes:
    """The bytes of the regular file at `path`, read as `kind` (a key of KINDS), at most that kind's limit.

    Raises `error(message, code)` (FileReadError unless the caller has its own error class) with `<code>.missing`,
    `<code>.not_a_file`, `<code>.too_large` or `<code>.unreadable` (`code` defaults to `kind`); the message,
    "<path>: cannot read the <what>: <problem>; <what to do>", names the file (and where a symlink points), what it
    was read as (`what`, default the kind's label), what is wrong, the limit where it applies, and what to do.
    """
    spec = KINDS[kind]
    path = Path(path)

    def refuse(reason: str, problem: str) -> Exception:
        return error(f"{path}: cannot read the {what or spec.label}: {problem}; {spec.fix}", f"{code or kind}.{reason}")

    try:
        resolved = path.resolve(strict=True)
    except FileNotFoundError:
        dangling = path.is_symlink()
        raise refuse("missing", f"a symlink to {path.readlink()}, which does not exist" if dangling
                     else "not found (no such file)") from None
    except (OSError, RuntimeError) as e:  # a symlink loop (RuntimeError on 3.11), a directory we may not enter
        raise refuse("unreadable", f"the path does not resolve ({getattr(e, 'strerror', None) or e})") from None
    except ValueError as e:  # a NUL in the path
        raise refuse("unreadable", f"the path is not usable ({e})") from None
    shown = "" if resolved == path.absolute() else f" -> {resolved}"
    try:
        words = _not_regular(resolved.stat().st_mode)  # before open: a device is never even opened
    except OSError as e:
        raise refuse("unreadable", f"{e.strerror} (check the path and its permissions)") from None
    if words:
        raise refuse("not_a_file", f"is {words}{shown}, not a regular file")
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_NOCTTY | os.O_CLOEXEC
    try:
        fd = os.open(resolved, flags)
    except FileNotFoundError:
        raise refuse("missing", "not found (no such file: removed while being opened)") from None
    except OSError as e:
        if e.errno in (errno.ELOOP, errno.ENXIO):  # swapped for a symlink or a socket since the check above
            raise refuse("not_a_file", f"was replaced by something that is not a regular file{shown}") from None
        raise refuse("unreadable", f"{e.strerror} (check its permissions)") from None
    try:
        info = os.fstat(fd)
        words = _not_regular(info.st_mode)
        if words:  # the check that counts: on the descriptor actually read from
            raise refuse("not_a_file", f"is {words}{shown}, not a regular file")
        if info.st_size > spec.limit:
            raise refuse("too_large", f"{info.st_size} bytes is more than a {spec.label} may be (at most "
                                      f"{_size(spec.limit)})")
        chunks, total = [], 0
        while total <= spec.limit:
            try:
                chunk = os.read(fd, min(CHUNK, spec.limit + 1 - total))
            except OSError as e:
                raise refuse("unreadable", f"{e.strerror} while reading it") from None
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > spec.limit:
            raise refuse("too_large", f"grew past {_size(spec.limit)} while being read (the limit for a "
                                      f"{spec.label})")
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_bounded_text(path: Path | str, kind: str, *, error: Callable[[str, str], Exception] = FileReadError,
                      code: str | None = None, what: str | None = None) -> str:
    """`read_bounded` decoded as UTF-8 (as any editor writes it); `<code>.encoding` otherwise."""
    data = read_bounded(path, kind, error=error, code=code, what=what)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise error(f"{path}: cannot read the {what or KINDS[kind].label}: not UTF-8 text (byte {e.start}); save "
                    "the file as UTF-8", f"{code or kind}.encoding") from None
