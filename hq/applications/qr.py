"""The application QR a student shows at the kiosk (`contract.application_qr`): HQ's signature over the
application number, drawn as an SVG data URI by segno so the page needs no image file and prints as it shows."""

from dataclasses import dataclass

import segno

from contract.application_qr import make_application_qr
from hq.keys import assignment_key


@dataclass(frozen=True)
class ApplicationQr:
    text: str  # what the QR holds (also shown, for a kiosk whose scanner fails: the team types the number)
    data_uri: str  # data:image/svg+xml,… for an <img>


def application_qr(number: str) -> ApplicationQr:
    """The signed QR of application `number` (signed with HQ's assignment key, hq/keys.py)."""
    text = make_application_qr(number, assignment_key())
    code = segno.make(text, error="m", micro=False)
    return ApplicationQr(text=text, data_uri=code.svg_data_uri(scale=5, border=4, dark="#000", light="#fff"))
