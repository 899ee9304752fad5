"""Sample images shipped with the project (licences in README.md beside this file)."""

from pathlib import Path

SAMPLES_DIR = Path(__file__).resolve().parent

FACE = SAMPLES_DIR / "face" / "astronaut.png"
FINGERPRINTS = tuple(sorted((SAMPLES_DIR / "fingerprint").glob("SFinGe_Test0*.pgm")))
IRIS = SAMPLES_DIR / "iris" / "open-iris-anonymized.png"
