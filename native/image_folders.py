"""The folder layout the real-image evaluations read (`--prints-dir`, `--irises-dir`): image files grouped by folder.

Every image file (`IMAGE_SUFFIXES`) directly in DIR is one group, ".", and each subfolder one more, named after it
(a scanner, a database, a day at a school). One level only, and a subfolder that is a symbolic link is not a group:
an evaluation reads the folder it was given, never one elsewhere that a link points to.
"""

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np

from contract.errors import SinopsisError

Reader = Callable[[Path], np.ndarray]  # an image file's 8-bit grey image; a SinopsisError says why it is not one
T = TypeVar("T")

IMAGE_SUFFIXES = (".tif", ".tiff", ".png", ".bmp", ".pgm", ".jpg", ".jpeg")


def image_groups(folder: Path) -> dict[str, list[Path]]:
    """Group name ("." for DIR itself, else the subfolder's name) -> its image files, sorted; empty groups dropped.
    Symbolic links are not followed into other folders: a subfolder that is a link is not a group."""
    folder = Path(folder)
    groups = {".": sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)}
    for sub in sorted(p for p in folder.iterdir() if p.is_dir() and not p.is_symlink()):
        groups[sub.name] = sorted(p for p in sub.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    return {name: files for name, files in groups.items() if files}


def score_groups(folder: Path, read: Reader, score: Callable[[np.ndarray], T],
                 what: str) -> tuple[dict[str, list[tuple[str, T]]], list[str]]:
    """Every image of every group of `folder` read by `read` and scored by `score`: group -> [(path relative to
    `folder`, `/`-separated, score)] for the groups with at least one image scored, and the files left out with why
    (unreadable, a special file, too small to score: a SinopsisError or ValueError). SinopsisError when no image
    could be scored, naming the first reasons; `what` names the images in it ("print", "eye image")."""
    folder = Path(folder)
    groups: dict[str, list[tuple[str, T]]] = {}
    left_out: list[str] = []
    for name, files in image_groups(folder).items():
        for path in files:
            relative = path.relative_to(folder).as_posix()
            try:
                result = score(np.ascontiguousarray(read(path)))
            except (SinopsisError, ValueError) as e:
                left_out.append(f"{relative}: {e}")
                continue
            groups.setdefault(name, []).append((relative, result))
    if not groups:
        raise SinopsisError(f"{folder}: no {what} in it could be scored: {'; '.join(left_out[:5])}"
                            f"{' …' if len(left_out) > 5 else ''}", "usage")
    return groups, left_out
