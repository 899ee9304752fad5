"""The folder layout the real-image evaluations read (`--prints-dir`, `--irises-dir`): image files grouped by folder.

Every image file (`IMAGE_SUFFIXES`) directly in DIR is one group, ".", and each subfolder one more, named after it
(a scanner, a database, a day at a school). One level only, and a subfolder that is a symbolic link is not a group:
an evaluation reads the folder it was given, never one elsewhere that a link points to.
"""

from pathlib import Path

IMAGE_SUFFIXES = (".tif", ".tiff", ".png", ".bmp", ".pgm", ".jpg", ".jpeg")


def image_groups(folder: Path) -> dict[str, list[Path]]:
    """Group name ("." for DIR itself, else the subfolder's name) -> its image files, sorted; empty groups dropped.
    Symbolic links are not followed into other folders: a subfolder that is a link is not a group."""
    folder = Path(folder)
    groups = {".": sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)}
    for sub in sorted(p for p in folder.iterdir() if p.is_dir() and not p.is_symlink()):
        groups[sub.name] = sorted(p for p in sub.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    return {name: files for name, files in groups.items() if files}
