"""HQ's assignment-signing key (Ed25519): it signs the assignment bundles published to stations and the
application QRs students show at the kiosk; stations pin its public half at enrolment.

SINOPSIS_HQ_ASSIGNMENT_KEY names a PEM file (the demo points it at its own HQ key); otherwise the key is made once
in HQ's data dir (keys/hq_assignment.pem, 0600) and never replaced. It is never committed, never in the database.
"""

import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from contract.keys import load_private_key, save_private_key

KEY_FILE = "keys/hq_assignment.pem"


def assignment_key_path() -> Path:
    from django.conf import settings

    return Path(os.environ.get("SINOPSIS_HQ_ASSIGNMENT_KEY") or Path(settings.HQ_DATA_DIR) / KEY_FILE)


def assignment_key() -> Ed25519PrivateKey:
    """HQ's assignment-signing key, made in the data dir on first use unless one is configured."""
    path = assignment_key_path()
    if not path.exists() and not os.environ.get("SINOPSIS_HQ_ASSIGNMENT_KEY"):
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        save_private_key(path, Ed25519PrivateKey.generate())  # `sinopsis hq migrate` makes it before servers start
    return load_private_key(path, Ed25519PrivateKey)
