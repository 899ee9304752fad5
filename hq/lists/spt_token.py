"""The token in an SPT's verification QR (/verify/spt/<token>): anyone who scans the printed letter sees at HQ
whether it is genuine, its number, dates and schools — never the students.

Token (URL-safe ASCII):  <year>-<serial>.<signature>
where <signature> is the URL-safe base64 (no padding) Ed25519 signature by HQ's assignment key (hq/keys.py, the
key that already signs the application QRs and the stations' assignments) over `sinopsis-spt/1|<SPT number>`.
A made-up or altered token names no letter: it cannot be signed without HQ's private key, and the letter's number
is looked up and checked, so a token copied from one letter does not verify another.
"""

import base64
import binascii
import re

from cryptography.exceptions import InvalidSignature

from hq.keys import assignment_key
from hq.lists.models import Spt

CONTEXT = b"sinopsis-spt/1|"
TOKEN = re.compile(r"^(\d{4})-(\d{1,6})\.([A-Za-z0-9_-]{80,90})\Z")


def spt_token(spt: Spt) -> str:
    """The signed token of `spt` for its QR."""
    signature = assignment_key().sign(CONTEXT + spt.number.encode())
    return f"{spt.year}-{spt.serial:03d}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


def spt_for_token(token: str) -> Spt | None:
    """The SPT a token names, when HQ's signature over its number holds; None for anything else."""
    match = TOKEN.match(token or "")
    if not match:
        return None
    year, serial, encoded = match.groups()
    spt = Spt.objects.filter(year=int(year), serial=int(serial)).select_related("application_list__school").first()
    if spt is None:
        return None
    try:
        signature = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        assignment_key().public_key().verify(signature, CONTEXT + spt.number.encode())
    except (binascii.Error, ValueError, InvalidSignature):
        return None
    return spt
