"""Hand-drawn pupil and limbus circles for some eye images of an `--irises-dir` folder (`--iris-truth FILE`), read
strictly, and how far the kernel's circles are from them.

The pass rate alone cannot tell a gate that passes real eyes on the right circles from one that passes them on
wrong ones (a capture accepted on an eyelid arc or the pupil's edge taken for the limbus): only circles someone drew
by hand can. FILE is a tab-separated table, UTF-8 (a leading byte-order mark is ignored), the header line exactly
HEADER, then one row per image: `file` relative to DIR in `/`-separated form (`CASIA-Iris-Interval/S1001L01.jpg`),
then the pupil's and the limbus's centre and radius in that image's pixels (0-based, x right, y down). Rows are
optional per image; blank lines are skipped. Everything else is refused before any image is scored, with the file,
the line, what is wrong and what to do (SinopsisError, codes `iris_truth.<reason>`): the file itself through
contract/files.py (missing, a directory, a FIFO, a symlink to a device or to nothing, larger than 16 MB; a symlink
to a regular file is followed, as everywhere the CLI reads a file), text that is not UTF-8, a wrong or missing
header, a row with the wrong number of fields, a cell that is not a plain number, is not finite, is a radius not
above 0 or lies beyond MAX_COORDINATE, a `file` that is absolute, climbs out with `..`, is not an eye image the
evaluation reads (native/image_folders.py), or is on two rows. A centre may be negative (a circle can reach past
the frame's edge); only radii must be positive.

The errors are relative to the true iris radius R, so they mean the same on a 280 px CASIA iris and a 120 px
webcam one: a circle's error is max(distance between the centres, |radius difference|) / R, and an image is
located when the pupil's and the limbus's errors are both at most LOCATED (a missing iris is never located).

An eighth column `usable` (header HEADER + USABLE) may give the truth of the ISO/IEC 29794-6 usable iris area: the
share of the true annulus (between the two circles) that a hand-drawn iris mask keeps, eyelids, lashes and
reflections left out, 0 to 1; an empty cell where an image has no mask. A value that is not a plain number in
[0, 1] is refused like any other cell.
"""

import math
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from contract.errors import SinopsisError
from contract.files import read_bounded
from native.image_folders import IMAGE_SUFFIXES, image_groups
from native.iris import IrisMetrics

HEADER = ("file", "pupil_x", "pupil_y", "pupil_r", "iris_x", "iris_y", "iris_r")
USABLE = "usable"  # the optional eighth column: the true usable share of the annulus, from a hand-drawn mask
MAX_COORDINATE = 100_000.0  # px: far beyond any eye image's width or height
LOCATED = 0.10  # both circles within a tenth of the iris radius: ~12 px on a 240 px iris, about a hand's accuracy
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_NOT_FINITE = ("nan", "inf", "infinity")


@dataclass(frozen=True)
class Circles:
    """One image's hand-drawn pupil and limbus circles, in its pixels."""

    pupil_x: float
    pupil_y: float
    pupil_r: float
    iris_x: float
    iris_y: float
    iris_r: float
    usable: float | None = None  # the true usable share of the annulus (USABLE column), None without a mask


def _refuse(path: Path, line: int, problem: str, fix: str, reason: str) -> SinopsisError:
    return SinopsisError(f"{path}, line {line}: {problem}; {fix}", f"iris_truth.{reason}")


def _value(path: Path, line: int, column: str, text: str) -> float:
    """One cell as a number: plain decimal ASCII, finite, a radius above 0, no further than MAX_COORDINATE from 0."""
    fix = f"give {column} in pixels as a plain number such as 123.5"
    if text.strip().lower().lstrip("+-") in _NOT_FINITE:
        raise _refuse(path, line, f"{column} is {text!r}, not a finite number", fix, "number")
    if not _NUMBER.fullmatch(text):
        raise _refuse(path, line, f"{column} is {text!r}, not a number", fix, "number")
    value = float(text)
    if column == USABLE and not 0.0 <= value <= 1.0:
        raise _refuse(path, line, f"{column} is {text}: a share of the iris, from 0 to 1", "give the mask's usable "
                      "share of the annulus as a number from 0 to 1 (or leave the cell empty)", "range")
    if column.endswith("_r") and value <= 0:
        raise _refuse(path, line, f"{column} is {text}: a radius must be more than 0", fix, "range")
    if abs(value) > MAX_COORDINATE:
        raise _refuse(path, line, f"{column} is {text}, beyond any image (at most {MAX_COORDINATE:.0f} px)", fix,
                      "range")
    return value


def _image(path: Path, line: int, name: str, folder: Path, images: set[str]) -> str:
    """The `file` cell as the image's path relative to `folder`, `/`-separated; refused unless the evaluation
    reads that image."""
    relative = PurePosixPath(name)
    if not name.strip():
        raise _refuse(path, line, "the file column is empty", "give the image's path relative to DIR", "file")
    if relative.is_absolute() or re.match(r"[A-Za-z]:[\\/]", name):
        raise _refuse(path, line, f"file {name!r} is absolute", "give it relative to DIR, e.g. "
                      "CASIA-Iris-Interval/S1001L01.jpg", "file")
    if ".." in relative.parts or ".." in name.split("\\"):
        raise _refuse(path, line, f"file {name!r} contains '..'", "give a path inside DIR, relative to it", "file")
    key = relative.as_posix()
    if key not in images:
        if (folder / key).exists():
            raise _refuse(path, line, f"file {name!r} is in {folder} but not an eye image the evaluation reads",
                          f"name an image directly in DIR or in one of its subfolders (not through a link), ending "
                          f"{', '.join(IMAGE_SUFFIXES)}", "file")
        raise _refuse(path, line, f"file {name!r}: no such image in {folder}",
                      "check the name, and that the circles are for this --irises-dir", "file")
    return key


def read_truth(path: Path, folder: Path) -> dict[str, Circles]:
    """The hand-drawn circles in `path` by image path relative to `folder` (`/`-separated, as the evaluation
    names images); SinopsisError naming the file and line for anything the module docstring refuses."""
    path, folder = Path(path), Path(folder)
    data = read_bounded(path, "circles", error=SinopsisError, code="iris_truth")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise _refuse(path, data[:e.start].count(b"\n") + 1, f"not UTF-8 text (byte {e.start})",
                      "save the file as UTF-8", "encoding") from None
    lines = text.removeprefix("\ufeff").split("\n")
    header = lines[0].removesuffix("\r")
    if header.split("\t") not in (list(HEADER), [*HEADER, USABLE]):
        shown = ("the file is empty" if not text.strip() else "the first line is blank" if not header.strip()
                 else f"the first line is {header[:80]!r}")
        raise _refuse(path, 1, f"the header must be exactly {chr(9).join(HEADER)!r} (tab-separated), optionally "
                      f"with {USABLE!r} after it; {shown}", "put that header line first", "header")
    columns = tuple(header.split("\t"))
    images = {p.relative_to(folder).as_posix() for files in image_groups(folder).values() for p in files}
    truth: dict[str, Circles] = {}
    first_line: dict[str, int] = {}
    for number, raw in enumerate(lines[1:], 2):
        row = raw.removesuffix("\r")
        if not row.strip():
            continue
        cells = row.split("\t")
        if len(cells) != len(columns):
            hint = " (are the columns separated by tabs?)" if len(cells) == 1 else ""
            raise _refuse(path, number, f"{len(cells)} field{'' if len(cells) == 1 else 's'}, not {len(columns)}{hint}",
                          f"give one tab-separated value per column: {', '.join(columns)}", "fields")
        key = _image(path, number, cells[0], folder, images)
        if key in first_line:
            raise _refuse(path, number, f"file {key!r} is already on line {first_line[key]}",
                          "give each image one row", "duplicate")
        first_line[key] = number
        truth[key] = Circles(*(None if column == USABLE and not cell.strip() else _value(path, number, column, cell)
                               for column, cell in zip(columns[1:], cells[1:], strict=True)))
    return truth


def circle_errors(truth: Circles, metrics: IrisMetrics) -> tuple[float, float] | None:
    """(pupil error, iris error) of what the kernel found against `truth`, each relative to the true iris radius;
    None when the kernel found no iris."""
    if not metrics.found:
        return None

    def error(x: float, y: float, r: float, true_x: float, true_y: float, true_r: float) -> float:
        return max(math.hypot(x - true_x, y - true_y), abs(r - true_r)) / truth.iris_r

    return (error(metrics.pupil_x, metrics.pupil_y, metrics.pupil_radius, truth.pupil_x, truth.pupil_y,
                  truth.pupil_r),
            error(metrics.iris_x, metrics.iris_y, metrics.iris_radius, truth.iris_x, truth.iris_y, truth.iris_r))


def located(errors: tuple[float, float] | None) -> bool:
    """Both circles within LOCATED of the true iris radius (a missing iris is not located)."""
    return errors is not None and max(errors) <= LOCATED
