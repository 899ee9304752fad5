"""What a log must never hold (issue 10, point 5c): a test applicant's NIK in full (a masked NIK is fine), or an
image — its magic bytes, raw or escaped as Python prints bytes, or the base64 of an image's first bytes."""

import base64
import re

# The first bytes of each image format, and how they look after repr() of bytes or base64.
IMAGE_STARTS = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"\xff\xa0\xff", b"\x00\x00\x00\x0cjP  ")
TEXT_SIGNS = ("\\x89PNG", "\\xff\\xd8\\xff", "\\xff\\xa0\\xff", "IHDR", "JFIF",
              *(base64.b64encode(s).decode()[:8] for s in IMAGE_STARTS[:3]))


def leaks(text: str, niks: list[str], images: list[bytes] = ()) -> list[str]:
    """What in `text` should not be there: each full NIK of `niks`, each image sign, each base64 run of
    `images` (at least 24 characters of any of them). Empty when the text is clean."""
    found = [f"NIK {nik[:4]}…{nik[-2:]}" for nik in niks if nik in text]
    found += [f"image sign {sign!r}" for sign in TEXT_SIGNS if sign in text]
    raw = text.encode("utf-8", "surrogateescape")
    found += [f"image bytes {start[:4]!r}" for start in IMAGE_STARTS if start in raw]
    for image in images:
        for offset in (0, len(image) // 2):
            chunk = image[offset - offset % 3:][:18]
            if len(chunk) == 18 and base64.b64encode(chunk).decode() in text:
                found.append(f"base64 of an image at {offset}")
    return found


def nik_like(text: str) -> list[str]:
    """Every 16-digit run in `text` (a NIK or KK number in full has 16 digits), for the failure message."""
    return re.findall(r"(?<!\d)\d{16}(?!\d)", text)
