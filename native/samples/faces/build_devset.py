"""Build the face development set: 40 real people's public-domain official portraits, each kept as published
and also put on the e-KTP backdrop for their birth year (red for an odd year, blue for an even one).

Why: the face quality gate must be tuned and tested on real, varied people (glasses, hijab, skin tones, ages),
not only on one sample head. Tests never run this script; it documents how the files under
`native/samples/faces/` were made, so that anyone can rebuild or extend them.

Sources (public GitHub repositories, brought here as snapshots):
- portraits: github.com/Hainish/congress-images-225x275 `images/<bioguide>.jpg`, the 225 x 275 copies of
  github.com/unitedstates/images `congress/225x275/` (U.S. Government Publishing Office member photos, public
  domain; the unitedstates project's own files are CC0);
- one portrait in hijab that the 2015 copy predates: github.com/voteview/member_photos
  `images/bio_guide/021950.jpg` (Ilhan Omar, official U.S. House portrait from the Congressional Bioguide);
- names, birth years and gender: github.com/unitedstates/congress-legislators `legislators-current.yaml` (CC0).
The backdrop swap uses MediaPipe's person segmentation model `selfie_segmentation.tflite` (Apache-2.0) from the
`mediapipe==0.10.21` wheel (`mediapipe/modules/selfie_segmentation/`), run by OpenCV; it is not shipped.

Usage:
    python native/samples/faces/build_devset.py --portraits DIR --voteview DIR --legislators YAML \\
        --segmentation selfie_segmentation.tflite [--out native/samples/faces]

Other people for checking that the gate generalises (`--held-out N`, not committed; docs/architecture.md, Face
quality): N people of the same 225 x 275 set who are not in PEOPLE, by a rule that never looks at the images (the
ids sorted, PEOPLE's taken out, every k-th of the rest with k = rest // N), on red at even positions and blue at
odd ones; only the backdrop versions are written, for `sinopsis quality --eval-faces --faces-dir OUT`:
    python native/samples/faces/build_devset.py --held-out 80 --portraits DIR \\
        --segmentation selfie_segmentation.tflite --out /tmp/heldout/faces
"""

import argparse
import hashlib
import re
from pathlib import Path

import cv2
import numpy as np

# (bioguide id, what the set needs this person for). 39 from the 225 x 275 set and Ilhan Omar (O000173).
PEOPLE = (
    ("B001281", "woman, Black, older, grey hair"), ("B001285", "woman, older, white hair"),
    ("C001067", "woman, Black"), ("C001080", "woman, East Asian"), ("D000216", "woman, older"),
    ("F000450", "woman, older, glasses"), ("F000462", "woman, Hispanic"), ("H001042", "woman, Asian"),
    ("K000009", "woman, older, glasses"), ("K000385", "woman, Black"), ("M001160", "woman, Black"),
    ("M001163", "woman, East Asian, older"), ("M001188", "woman, East Asian"), ("N000147", "woman, Black, older"),
    ("S001185", "woman, Black"), ("W000187", "woman, Black, older"), ("W000817", "woman, glasses"),
    ("W000808", "woman, Black, wide-brimmed hat"), ("M001111", "woman, glasses"),
    ("R000600", "woman, Pacific Islander, flag behind"),
    ("B000490", "man, Black, glasses"), ("C000537", "man, Black, older, glasses"),
    ("C001061", "man, Black, moustache"), ("C001068", "man, glasses"), ("C001091", "man, Hispanic, younger"),
    ("D000096", "man, Black, older"), ("G000553", "man, Black, beard"), ("J000294", "man, Black, younger"),
    ("M001137", "man, Black"), ("R000599", "man, Hispanic, younger"), ("S001184", "man, Black"),
    ("T000472", "man, East Asian"), ("V000130", "man, Hispanic"), ("B001287", "man, South Asian"),
    ("M000312", "man, glasses"), ("G000386", "man, older, glasses"), ("T000469", "man, older, glasses"),
    ("M001184", "man, glasses, beard"), ("M001169", "man, younger"),
    ("O000173", "woman, East African, hijab"),
)
VOTEVIEW = {"O000173": "images/bio_guide/021950.jpg"}  # bioguide -> path in voteview/member_photos

# e-KTP backdrops in BGR; both pass native.face's colour classes (red: r >= 90, r >= 1.5 g and b; blue:
# b >= 90, b >= 1.5 r, b >= 1.1 g)
RED = (40, 30, 200)
BLUE = (190, 100, 30)
SEGMENT = 256


def legislators(path: Path) -> dict[str, dict[str, str | int]]:
    """{bioguide: {name, born, gender}} from congress-legislators YAML, read with regexes (no YAML library)."""
    people: dict[str, dict[str, str | int]] = {}
    for block in path.read_text(encoding="utf-8").split("\n- id:"):
        bioguide = re.search(r"bioguide: (\w+)", block)
        born = re.search(r"birthday: '?(\d{4})-", block)
        if not bioguide or not born:
            continue
        first = re.search(r"\n    first: (.+)", block)
        last = re.search(r"\n    last: (.+)", block)
        gender = re.search(r"gender: (\w)", block)
        people[bioguide.group(1)] = {
            "name": f"{first.group(1) if first else ''} {last.group(1) if last else ''}".strip(),
            "born": int(born.group(1)),
            "gender": gender.group(1) if gender else "?",
        }
    return people


def person_mask(net: cv2.dnn.Net, image: np.ndarray) -> np.ndarray:
    """Person probability (0..1, float32, image size) from the selfie segmentation model, edges softened."""
    blob = cv2.dnn.blobFromImage(image, 1 / 255, (SEGMENT, SEGMENT), swapRB=True)
    net.setInput(blob)
    mask = net.forward().reshape(SEGMENT, SEGMENT)
    mask = cv2.resize(mask, (image.shape[1], image.shape[0]), interpolation=cv2.INTER_LINEAR)
    return cv2.GaussianBlur(mask, (5, 5), 0)


def on_backdrop(image: np.ndarray, mask: np.ndarray, colour: tuple[int, int, int]) -> np.ndarray:
    """The person over a plain backdrop of `colour`, alpha-blended with the mask."""
    alpha = mask[..., None]
    backdrop = np.empty_like(image)
    backdrop[:] = colour
    return (image * alpha + backdrop * (1 - alpha)).round().astype(np.uint8)


def main() -> None:
    """Copy the portraits, make the backdrop versions and write LICENSES.md."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--portraits", type=Path, required=True, help="Hainish/congress-images-225x275 images/")
    parser.add_argument("--voteview", type=Path, help="a checkout of voteview/member_photos")
    parser.add_argument("--legislators", type=Path, help="congress-legislators current YAML")
    parser.add_argument("--segmentation", type=Path, required=True, help="selfie_segmentation.tflite")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    parser.add_argument("--held-out", type=int, metavar="N", help="N other people instead (see the docstring)")
    args = parser.parse_args()
    net = cv2.dnn.readNetFromTFLite(str(args.segmentation))
    if args.held_out:
        held_out(args.portraits, net, args.held_out, args.out)
        return
    if args.voteview is None or args.legislators is None:
        parser.error("the development set needs --voteview and --legislators")
    who = legislators(args.legislators)
    rows = []
    for bioguide, note in PEOPLE:
        source = args.voteview / VOTEVIEW[bioguide] if bioguide in VOTEVIEW else args.portraits / f"{bioguide}.jpg"
        data = source.read_bytes()
        (args.out / f"{bioguide}.jpg").write_bytes(data)
        image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
        person = who[bioguide]
        colour = "red" if int(person["born"]) % 2 else "blue"
        composite = on_backdrop(image, person_mask(net, image), RED if colour == "red" else BLUE)
        cv2.imwrite(str(args.out / f"{bioguide}_{colour}.jpg"), composite, [cv2.IMWRITE_JPEG_QUALITY, 92])
        origin = ("voteview/member_photos " + VOTEVIEW[bioguide] if bioguide in VOTEVIEW
                  else f"Hainish/congress-images-225x275 images/{bioguide}.jpg")
        rows.append(f"| `{bioguide}.jpg`, `{bioguide}_{colour}.jpg` | {person['name']} | {person['born']} | "
                    f"{note} | {origin} | `{hashlib.sha256(data).hexdigest()}` |")
    write_licenses(args.out / "LICENSES.md", rows)


def held_out(portraits: Path, net: cv2.dnn.Net, count: int, out: Path) -> None:
    """`count` people of `portraits` not in PEOPLE, chosen and coloured by the docstring's rule, on their
    backdrops in `out` (a line per person: file, source SHA-256)."""
    rest = sorted(p.stem for p in portraits.glob("*.jpg") if p.stem not in {b for b, _ in PEOPLE})
    out.mkdir(parents=True, exist_ok=True)
    for i, bioguide in enumerate(rest[::max(1, len(rest) // count)][:count]):
        data = (portraits / f"{bioguide}.jpg").read_bytes()
        image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
        if image is None:
            print(f"{bioguide}.jpg: not an image, skipped")
            continue
        colour = "red" if i % 2 == 0 else "blue"
        composite = on_backdrop(image, person_mask(net, image), RED if colour == "red" else BLUE)
        cv2.imwrite(str(out / f"{bioguide}_{colour}.jpg"), composite, [cv2.IMWRITE_JPEG_QUALITY, 92])
        print(f"{bioguide}_{colour}.jpg  {hashlib.sha256(data).hexdigest()}")


def write_licenses(path: Path, rows: list[str]) -> None:
    """LICENSES.md: where each file comes from, its licence and the published file's SHA-256."""
    head = """# Face development set: sources and licences

Made by `build_devset.py` (not run by the tests; its docstring says how). 40 people, each in two files:
`<bioguide>.jpg` is the portrait exactly as published (the SHA-256 below is of that file) and
`<bioguide>_<colour>.jpg` is the same person on the e-KTP backdrop for their birth year (red for an odd year,
blue for an even one), cut out with MediaPipe's selfie segmentation model (Apache-2.0, mediapipe 0.10.21 wheel)
and saved as JPEG quality 92.

Snapshots used: Hainish/congress-images-225x275 commit 20531e981f99cd8fd42023d3e71000582f2e04c2,
voteview/member_photos commit 687cf7a9212a445431ad7441d8bfd0b7bf297eff, unitedstates/congress-legislators commit
dfa9622263dd4c8d08636926e498f1845704d7eb.

Licence: official portraits of members of the U.S. Congress. The 39 files from the 225 x 275 set are
U.S. Government Publishing Office member-guide photos, which the unitedstates/images project reports as public
domain (GPO's assurance, github.com/sunlightlabs/congress/issues/432); that project's own files are CC0 1.0.
`O000173.jpg` is the official U.S. House portrait of Rep. Ilhan Omar from the Congressional Bioguide, taken from
github.com/voteview/member_photos; as a work of the U.S. federal government it is in the public
domain in the United States, but the voteview repository itself states only a fair-use basis, so check it
before redistributing beyond development. Names and birth years are from github.com/unitedstates/congress-legislators
`legislators-current.yaml` (CC0). The people are public figures shown in their official capacity; the set is for
testing face detection and quality only.

Limits: 225 x 275 px sources (eye distance about 45-60 px), so the set tests detection, landmarks, pose and the
backdrop check, not the e-KTP minimum of 90 px between the eyes without upscaling; adults only (about 30-85);
all frontal studio portraits on a grey-blue backdrop with even lighting. Lighting and pose variations are to be
made from them in code, with fixed seeds.

| files | person | born | what the set needs them for | source (repository, path) | SHA-256 of the source file |
|---|---|---|---|---|---|
"""
    path.write_text(head + "\n".join(rows) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
