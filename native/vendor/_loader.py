"""Load a vendor SDK in cffi ABI mode from a header we wrote, and refuse a library that cannot serve it.

ABI mode (`ffi.dlopen`) because the vendor ships only a binary `.so`: nothing is compiled against it, the path
comes from config, and the same code loads the real SDK or our simulator. Every function the header declares
is looked up at load, so a wrong library (another vendor's, an old ABI) fails at start with the missing names
instead of in the middle of a capture.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from cffi import FFI

from native.vendor.errors import VendorLibraryError

HERE = Path(__file__).resolve().parent
SIM_DIR = HERE.parent / "sim"
SIM = "sim"

_INT_DEFINE = re.compile(r"^\s*#\s*define\s+(\w+)\s+(0x[0-9A-Fa-f]+|\d+)\s*$")


def cdef_from_header(text: str, drop_tokens: tuple[str, ...] = ()) -> str:
    """The cffi-parsable part of one of our headers: no comments, no preprocessor lines except integer
    #defines (cffi turns those into constants), and without attribute macros such as FTR_PACKED."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    lines = []
    for line in text.splitlines():
        if line.lstrip().startswith("#") and not _INT_DEFINE.match(line):
            continue
        for token in drop_tokens:
            line = re.sub(rf"\b{token}\b", "", line)
        lines.append(line)
    return "\n".join(lines)


def int_defines(cdef: str) -> dict[str, int]:
    """name -> value of the integer #defines in a cdef."""
    return {m.group(1): int(m.group(2), 0) for m in map(_INT_DEFINE.match, cdef.splitlines()) if m}


def declared_functions(cdef: str) -> tuple[str, ...]:
    """Names of the functions a cdef declares (typedefs, including function-pointer types, are skipped)."""
    body = "\n".join(line for line in cdef.splitlines() if not line.lstrip().startswith("#"))
    names = []
    for statement in body.split(";"):
        statement = " ".join(statement.split())
        if "(" not in statement or statement.startswith("typedef") or "}" in statement:
            continue
        match = re.search(r"(\w+)\s*\($", statement[: statement.index("(") + 1])
        if match:
            names.append(match.group(1))
    return tuple(names)


def header_functions(header: str, drop_tokens: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Functions declared by one of our headers in native/vendor/ (what a library must export)."""
    return declared_functions(cdef_from_header((HERE / header).read_text(), drop_tokens))


def resolve_sdk_path(value: str | Path, sim_library: str) -> Path:
    """Library path from config: the literal "sim" means our simulator built beside this package
    (native/sim/<sim_library>); anything else is taken as a path (a leading ~ is expanded)."""
    if str(value) == SIM:
        return SIM_DIR / sim_library
    return Path(value).expanduser()


@dataclass(frozen=True)
class SdkLibrary:
    """A loaded SDK: its ffi (types from our header), the dlopen'ed lib, and what the header declares."""

    ffi: FFI
    lib: object
    path: Path
    functions: tuple[str, ...]
    defines: dict[str, int]


def load_sdk(header: str, lib_path: str | Path, what: str, hint: str,
             packed: bool = False, drop_tokens: tuple[str, ...] = ()) -> SdkLibrary:
    """dlopen `lib_path` with the cdef of `header` and check that every declared function is exported.

    Raises VendorLibraryError naming the path and what to do; `what` names the SDK in messages ("Futronic
    ftrScanAPI"), `hint` says where the right library comes from.
    """
    path = Path(lib_path).expanduser()
    if not path.is_absolute():
        path = Path.cwd() / path  # dlopen must never search the system library path for a bare name
    cdef = cdef_from_header((HERE / header).read_text(), drop_tokens)
    functions = declared_functions(cdef)
    if not path.is_file() and path.parent == SIM_DIR:
        raise VendorLibraryError(
            f"simulated {what} library not built: {path}. Build the simulators with ./setup.sh --no-run (or "
            f"python setup.py build_ext --inplace), or set the vendor's library in [devices]", str(path))
    if not path.is_file():
        raise VendorLibraryError(
            f"{what} library not found: {path}. Check [devices] in station.toml, or {hint}", str(path))
    ffi = FFI()
    ffi.cdef(cdef, packed=packed)
    try:
        lib = ffi.dlopen(str(path))
    except OSError as e:
        raise VendorLibraryError(
            f"{what} library cannot be loaded: {path}: {e}. It must be a shared library for this machine; "
            f"{hint}", str(path)) from None
    missing = []
    for name in functions:
        try:
            getattr(lib, name)
        except AttributeError:
            missing.append(name)
    if missing:
        raise VendorLibraryError(
            f"{path} is not a usable {what} library: it does not export {', '.join(missing)}. Wrong library "
            f"or SDK version? Check [devices] in station.toml, or {hint}", str(path), tuple(missing))
    return SdkLibrary(ffi, lib, path, functions, int_defines(cdef))
