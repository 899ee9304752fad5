"""The application QR a student shows at the kiosk: issued by HQ, checked by the station before check-in.

Payload (ASCII, fits a small QR):  SINOPSIS1:<application id>:<signature>
where <signature> is the URL-safe base64 (no padding) Ed25519 signature by HQ's assignment key over
`sinopsis-app/1|<application id>`. The station already pins that key at enrolment (it verifies assignments
with it), so a QR for a made-up or altered application id is refused without any network.
"""

import base64
import binascii
import re

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from contract.errors import QrError

PREFIX = "SINOPSIS1"
CONTEXT = b"sinopsis-app/1|"
MAX_LENGTH = 200
APPLICATION_ID = re.compile(r"^[A-Za-z0-9-]{4,40}\Z")  # as in the assignment's applicant schema (\Z: no final newline)


def make_application_qr(application_id: str, hq_private_key: Ed25519PrivateKey) -> str:
    """The QR text HQ issues for an application (HQ side, and tests)."""
    if not APPLICATION_ID.match(application_id):
        raise QrError(f"application id {application_id!r} is not 4-40 letters, digits or '-'", "qr.bad_id")
    signature = hq_private_key.sign(CONTEXT + application_id.encode())
    return f"{PREFIX}:{application_id}:{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


def parse_application_qr(text: str, hq_public_key: Ed25519PublicKey) -> str:
    """The application id in a scanned QR, after checking HQ's signature; QrError says what is wrong."""
    if not text or len(text) > MAX_LENGTH:
        raise QrError("this QR is empty or far too long to be a SINOPSIS application QR; show the QR from "
                      "the application page, or type the NIK", "qr.foreign")
    parts = text.strip().split(":")
    if len(parts) != 3 or parts[0] != PREFIX:
        raise QrError("this is not a SINOPSIS application QR (another app's code or a link); show the QR from "
                      "the application page, or type the NIK", "qr.foreign")
    _, application_id, encoded = parts
    if not APPLICATION_ID.match(application_id):
        raise QrError("the QR's application number is malformed; type the NIK instead", "qr.tampered")
    try:
        signature = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        hq_public_key.verify(signature, CONTEXT + application_id.encode())
    except (binascii.Error, ValueError, InvalidSignature) as exc:
        raise QrError("the QR's signature does not match (altered or not issued by the office); type the NIK "
                      "instead, or ask the recording team", "qr.tampered") from exc
    return application_id
