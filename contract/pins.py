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
    # plain ASCII digits only (isdigit() alone takes '²' and '٣', which int() then refuses), and short ones
    if len(parts) != 6 or parts[0] != "scrypt" or not all(p.isascii() and p.isdigit() and len(p) <= 9
                                                           for p in parts[1:4]):
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
    _, n_text, r_text, p_text, salt, digest = stored.split("$")
    n, r, p = int(n_text), int(r_text), int(p_text)
    if n > 2**20 or r > 32 or p > 16:
        return False  # refuse parameters that would stall the kiosk
    if n < 2 or n & (n - 1) or r < 1 or p < 1:
        return False  # scrypt needs n a power of two above 1, r and p at least 1: no hash_pin made this
    try:
        candidate = hashlib.scrypt(pin.encode(), salt=base64.b64decode(salt), n=n, r=r, p=p, dklen=32)
    except ValueError:  # parameters within the bounds above that still need more memory than scrypt allows
        return False
    return hmac.compare_digest(candidate, base64.b64decode(digest))
