"""Where HQ's static files (the office's and the dashboard's CSS, scripts, icon) come from and how they are named.

`sinopsis hq serve` collects them into <data>/static at every start (collectstatic, hq/fleet/server.py) with
whitenoise's storage: each file also under a name with its content's hash (fleet.3f2a….css) and precompressed
(.gz), so the pages link the hashed names and whitenoise answers them with a year-long `immutable` cache and
gzip. Where nothing was collected (the tests, `python -m django` without serve) the pages link the plain names,
which whitenoise serves from the apps' static folders (WHITENOISE_USE_FINDERS) with a short cache.
Like everything in HQ's data directory the copies are the HQ user's only (folders 0700, files 0600; the
gzipped ones too): nginx never reads them, it asks gunicorn.
"""

import os
from pathlib import Path
from typing import Any

from whitenoise.compress import Compressor
from whitenoise.storage import CompressedManifestStaticFilesStorage

FILE_MODE, DIRECTORY_MODE = 0o600, 0o700


class _PrivateCompressor(Compressor):
    """whitenoise's compressor, writing its .gz files 0600."""

    def write_data(self, path: str, data: bytes, suffix: str, stat_result: os.stat_result) -> str:
        filename = super().write_data(path, data, suffix, stat_result)
        Path(filename).chmod(FILE_MODE)
        return filename


class HqStaticStorage(CompressedManifestStaticFilesStorage):
    """whitenoise's hashed + compressed storage that falls back to the plain name for a file not collected."""

    manifest_strict = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("file_permissions_mode", FILE_MODE)
        kwargs.setdefault("directory_permissions_mode", DIRECTORY_MODE)
        super().__init__(*args, **kwargs)

    def create_compressor(self, **kwargs: Any) -> Compressor:
        return _PrivateCompressor(**kwargs)

    def stored_name(self, name: str) -> str:
        """The hashed name from the manifest; the plain name when the file was not collected (no manifest)."""
        try:
            return super().stored_name(name)
        except ValueError:  # not in <data>/static: served from the app's folder under its own name
            return name
