"""cffi build script for native._native: the cdef is read from our own headers, so C and Python never drift.

Built once at install time (setup.py's cffi_modules) with -O3 and no -march=native: the kit's CPU may differ
from the build machine's. Nothing is compiled at run time.
"""

import re
from pathlib import Path

from cffi import FFI

HERE = Path(__file__).resolve().parent
# One .c/.h pair per concern; add a concern here and its header becomes part of the cdef.
CONCERNS = [
    "image_stats",
    "sharpness",
    "motion",
    "fingerprint",
    "face",
    "rank_filter",
    "iris",
]
# Further .c files of a concern (internal: their shared header is not part of the cdef).
PARTS = {"iris": ["iris_seed", "iris_fit", "iris_limbus", "iris_annulus"]}


def _cdef_from_header(text: str) -> str:
    """Strip what cffi's cdef cannot parse (comments, preprocessor lines) from a header."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


ffibuilder = FFI()
ffibuilder.cdef("\n".join(_cdef_from_header((HERE / f"{c}.h").read_text()) for c in CONCERNS))
ffibuilder.set_source(
    "native._native",
    "\n".join(f'#include "{c}.h"' for c in CONCERNS),
    sources=[str((HERE / f"{c}.c").relative_to(HERE.parent)) for concern in CONCERNS
             for c in (concern, *PARTS.get(concern, ()))],
    include_dirs=[str(HERE.relative_to(HERE.parent))],
    # a changed header (a #define in iris_parts.h) rebuilds the module too, not only a changed .c
    depends=sorted(str(h.relative_to(HERE.parent)) for h in HERE.glob("*.h")),
    extra_compile_args=["-O3", "-std=c11", "-Wall", "-Wextra", "-Werror"],
    libraries=["m"],
)

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
