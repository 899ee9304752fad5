"""Key files: generate, save and load the Ed25519 (signing) and X25519 (packet encryption) keys as PEM.

Private keys are written with mode 0600 through the durable-file helper; keys are generated at provisioning
or test time and never committed to the repository.
"""

from pathlib import Path
from typing import TypeVar

from cryptography.exceptions import InternalError, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from contract.durable import private_dir, write_durably
from contract.errors import KeyFileError
from contract.files import read_bounded

PrivateKey = Ed25519PrivateKey | X25519PrivateKey
PublicKey = Ed25519PublicKey | X25519PublicKey
K = TypeVar("K")


def save_private_key(path: Path, key: PrivateKey) -> None:
    """Write a private key as unencrypted PKCS#8 PEM, readable by the owner only."""
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    private_dir(Path(path).parent, tighten=False)  # a folder made here is 0700; one the user named keeps its mode
    write_durably(Path(path), pem, mode=0o600)


def save_public_key(path: Path, key: PublicKey) -> None:
    """Write a public key as SubjectPublicKeyInfo PEM."""
    pem = key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    write_durably(Path(path), pem, mode=0o644)


def public_pem(key: PublicKey) -> str:
    """A public key as PEM text (for embedding in a bundle or a config)."""
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def _read(path: Path, what: str) -> bytes:
    """The key file's bytes: a regular file of at most a few KB (contract/files.py), else KeyFileError."""
    if not Path(path).exists() and not Path(path).is_symlink():
        raise KeyFileError(f"{path}: {what} not found; generate it (sinopsis demo-data) or fix the path",
                           "key.missing")
    return read_bounded(path, "key", error=KeyFileError, what=what)


def load_private_key(path: Path, kind: type[K]) -> K:
    """Load a PEM private key of the given class (Ed25519PrivateKey or X25519PrivateKey).

    Raises KeyFileError naming the file when it is missing, not PEM, or a key of another kind.
    """
    data = _read(path, f"{kind.__name__} file")
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm, InternalError) as e:  # an unknown key type; OpenSSL's
        # "key setup failed" for a key of the wrong length (e.g. 32 bytes under the X448 OID) is an InternalError
        raise KeyFileError(f"{path}: not a readable PEM private key ({e})") from None
    if not isinstance(key, kind):
        raise KeyFileError(f"{path}: holds a {type(key).__name__}, expected a {kind.__name__}")
    return key


def load_public_key(path: Path, kind: type[K]) -> K:
    """Load a PEM public key of the given class; raises KeyFileError like `load_private_key`."""
    return parse_public_key(_read(path, f"{kind.__name__} file"), kind, source=str(path))


def parse_public_key(pem: bytes | str, kind: type[K], source: str = "key") -> K:
    """Parse PEM public key text of the given class; raises KeyFileError naming `source`."""
    try:
        data = pem.encode("ascii") if isinstance(pem, str) else pem
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError, UnicodeError, UnsupportedAlgorithm, InternalError) as e:
        raise KeyFileError(f"{source}: not a readable PEM public key ({e})") from None
    if not isinstance(key, kind):
        raise KeyFileError(f"{source}: holds a {type(key).__name__}, expected a {kind.__name__}")
    return key
