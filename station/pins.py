"""Operator PINs: stored only as salted scrypt hashes ("scrypt$n$r$p$salt$hash"), checked in constant time.

A short PIN is guessable offline from its hash whatever the KDF; what protects it is that the hash travels
only inside the signed assignment and the station locks an operator out after a few wrong tries (config).
"""

import base64
import hashlib
import hmac
import os

N, R, P = 2**14, 8, 1


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_pin(pin: str) -> str:
    """Hash a PIN of 4–12 digits; raises ValueError for anything else."""
    if not (pin.isdigit() and pin.isascii() and 4 <= len(pin) <= 12):
        raise ValueError("a PIN is 4 to 12 digits")
    salt = os.urandom(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=N, r=R, p=P, dklen=32)
    return f"scrypt${N}${R}${P}${_b64(salt)}${_b64(digest)}"


def is_pin_hash(text: str) -> bool:
    """Whether `text` has the shape of a hash made by `hash_pin` (used to validate assignment bundles)."""
    parts = text.split("$")
    if len(parts) != 6 or parts[0] != "scrypt" or not all(p.isdigit() for p in parts[1:4]):
        return False
    try:
        return len(base64.b64decode(parts[4], validate=True)) >= 8 and len(
            base64.b64decode(parts[5], validate=True)) == 32
    except ValueError:
        return False


def verify_pin(pin: str, stored: str) -> bool:
    """True when `pin` matches the stored hash; False for a wrong PIN or a malformed hash."""
    if not is_pin_hash(stored):
        return False
    _, n, r, p, salt, digest = stored.split("$")
    if int(n) > 2**20 or int(r) > 32 or int(p) > 16:
        return False  # refuse parameters that would stall the kiosk
    candidate = hashlib.scrypt(
        pin.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=32
    )
    return hmac.compare_digest(candidate, base64.b64decode(digest))
