"""`sinopsis quality`: the live-capture quality metrics and 0-100 score of one image file, per modality.

The same analyzers the capture engine runs on every frame (native/), so an operator or a support engineer can
check why a capture was refused. `--confirm` adds NIST NFIQ 2 for a fingerprint (the slow confirm step);
`--eval-fingerprints` prints how our fingerprint score separates the labelled degradation set, next to NFIQ 2;
`--eval-faces` prints how the face gate decides on everyday variations and defects of the face development set;
`--eval-irises` how often the iris gate passes a folder of real near-infrared eye images, and why it refuses
(`--iris-truth`: and whether it passes them on the right circles, against circles drawn by hand).
"""

import argparse
import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contract.errors import ImageFileError, SinopsisError
from sinopsis.cli.common import add_config_argument, number, print_json
from sinopsis.image_file import read_image

if TYPE_CHECKING:
    import numpy as np

MODALITIES = ("finger", "face", "iris")


def register(sub: argparse._SubParsersAction) -> None:
    """Add `quality`."""
    p = sub.add_parser("quality", help="quality metrics and score of an image file (finger, face or iris)")
    p.add_argument("image", nargs="?", type=Path, help="image file (PNG, PGM, JPEG, BMP…)")
    p.add_argument("--modality", choices=MODALITIES, help="what the image shows")
    p.add_argument("--background", choices=("red", "blue"), help="face: the backdrop colour required")
    p.add_argument("--birth-year", type=number(1900, 2100, whole=True),
                   help="face: require the e-KTP backdrop for this birth year "
                   "(red for odd, blue for even)")
    p.add_argument("--slap", action="store_true", help="finger: segment a 4-4-2 slap and score each finger")
    p.add_argument("--confirm", action="store_true", help="finger: add the NIST NFIQ 2 score (slow)")
    p.add_argument("--eval-fingerprints", action="store_true",
                   help="score the labelled fingerprint degradation set against NFIQ 2 (no IMAGE)")
    p.add_argument("--eval-faces", action="store_true",
                   help="pass/refuse rates of the face gate on the face development set's variations (no IMAGE)")
    p.add_argument("--faces-dir", type=Path, metavar="DIR",
                   help="--eval-faces on another set: every <name>_<red|blue>.jpg (or .png) in DIR, a person on "
                   "that e-KTP backdrop, any size")
    p.add_argument("--prints-dir", type=Path, metavar="DIR",
                   help="--eval-fingerprints on real prints instead: our score against NFIQ 2 at the threshold, "
                   "for every print in DIR and in each of its subfolders (one group each)")
    p.add_argument("--eval-irises", action="store_true",
                   help="pass rate and refusal reasons of the iris gate on real eye images (with --irises-dir)")
    p.add_argument("--irises-dir", type=Path, metavar="DIR",
                   help="--eval-irises: every near-infrared eye image in DIR and in each of its subfolders (one group "
                   "each)")
    p.add_argument("--iris-truth", type=Path, metavar="FILE",
                   help="--eval-irises: hand-drawn circles for some of those images, a tab-separated table with the "
                   "header file, pupil_x, pupil_y, pupil_r, iris_x, iris_y, iris_r (file relative to DIR, pixels): "
                   "adds how many the kernel located and how many the gate passes on wrong circles; an optional eighth "
                   "column usable (a mask's usable share of the annulus, 0-1) adds the usable area against the masks")
    p.add_argument("--json", action="store_true")
    add_config_argument(p)  # the evaluations gate at the configured thresholds; face uses [capture.face]
    p.set_defaults(handler=_quality)


def _analyse(args: argparse.Namespace) -> dict:
    if args.modality == "face":
        from native.face import FaceQuality
        from station.capture.policy import face_background_for
        from station.config import load_config

        required = face_background_for(args.birth_year) if args.birth_year else args.background
        report = FaceQuality(limits=_face_limits(load_config(args.config))).measure(
            read_image(args.image, colour=True), required_background=required)
        return {"modality": "face", "required_background": required, **dataclasses.asdict(report)}
    image = read_image(args.image, colour=False)
    if args.modality == "iris":
        from native.iris import IrisQuality

        return {"modality": "iris", **dataclasses.asdict(IrisQuality().measure(image))}
    from native.fingerprint import FingerQuality, SlapSegmenter

    quality = FingerQuality()
    result: dict = {"modality": "finger", **dataclasses.asdict(quality.measure(image))}
    if args.slap:
        fingers = []
        for box in SlapSegmenter().segment(image):
            crop = image[box.y:box.y + box.height, box.x:box.x + box.width]
            fingers.append({"box": dataclasses.asdict(box), **dataclasses.asdict(FingerQuality().measure(crop))})
        result["fingers"] = fingers
    if args.confirm:
        from native.confirm import Nfiq2Scorer

        result["nfiq2"] = Nfiq2Scorer().score(image)
    return result


def _face_limits(config: object) -> object:
    """native.face.FaceLimits from the station config's [capture.face] (detect_every is the live loop's)."""
    from native.face import FaceLimits

    face = config.capture.face.model_dump()
    face.pop("detect_every")
    return FaceLimits(**face)


def _print_human(result: dict) -> None:
    print(f"{result['modality']}: score {result['score']}/100")
    problems = result.get("problems")
    if problems is not None:
        print("problems: " + (", ".join(problems) if problems else "none"))
    if result.get("nfiq2") is not None:
        print(f"NFIQ 2: {result['nfiq2']}")
    flat = {**(result.get("metrics") or {}), **(result.get("pose") or {}),
            **{k: v for k, v in result.items() if not isinstance(v, dict | list)}}
    for key in ("modality", "score", "nfiq2", "problems"):
        flat.pop(key, None)
    for key, value in flat.items():
        print(f"  {key:<22} {value:.4g}" if isinstance(value, float) else f"  {key:<22} {value}")
    for name, factor in (result.get("factors") or {}).items():
        print(f"  factor {name:<15} {factor:.2f}")
    for i, finger in enumerate(result.get("fingers", []), 1):
        box = finger["box"]
        print(f"  finger {i}: box {box['x']},{box['y']} {box['width']}x{box['height']}  score {finger['score']}")


def _checked_folder(option: str, folder: Path, what: str, holds: Callable[[Path], object], missing: str) -> Path:
    """An evaluation's folder checked before it starts: a folder, holding at least one file of its kind."""
    if not folder.is_dir():
        raise SinopsisError(f"{option} {folder}: {'not a folder' if folder.exists() else 'no such folder'}; give "
                            f"the folder of {what}", "usage")
    if not holds(folder):
        raise SinopsisError(f"{option} {folder}: {missing}", "usage")
    return folder


def _faces_dir(folder: Path) -> Path:
    """--faces-dir: a folder holding at least one backdrop portrait."""
    from native.face_eval import portraits

    return _checked_folder("--faces-dir", folder, "<name>_<red|blue>.jpg portraits", portraits,
                           "no <name>_<red|blue>.jpg (or .png) portrait in it; name each file after the person and "
                           "the e-KTP backdrop they are on, e.g. siti_red.jpg")


def _prints_dir(folder: Path) -> Path:
    """--prints-dir: a folder holding at least one print file, in it or in a subfolder."""
    from native.image_folders import IMAGE_SUFFIXES, image_groups

    return _checked_folder("--prints-dir", folder, "fingerprint images", image_groups,
                           f"no print in it or its subfolders (files ending {', '.join(IMAGE_SUFFIXES)})")


def _irises_dir(folder: Path) -> Path:
    """--irises-dir: a folder holding at least one eye image file, in it or in a subfolder."""
    from native.image_folders import IMAGE_SUFFIXES, image_groups

    return _checked_folder("--irises-dir", folder, "near-infrared eye images", image_groups,
                           f"no eye image in it or its subfolders (files ending {', '.join(IMAGE_SUFFIXES)})")


def _read_grey(path: Path) -> "np.ndarray":
    """An evaluation folder's image as 8-bit grey, through the checked reader (sinopsis/image_file.py)."""
    return read_image(path, colour=False)


def _report(args: argparse.Namespace, result: object, table: Callable[[Any], str]) -> int:
    """An evaluation's result: its dataclass as JSON with --json, else its printable table."""
    if args.json:
        print_json(dataclasses.asdict(result))
    else:
        print(table(result))
    return 0


def _eval_prints(args: argparse.Namespace) -> int:
    from native.confirm import ConfirmError
    from native.print_agreement import evaluate_prints, format_agreement
    from station.config import load_config

    folder = _prints_dir(args.prints_dir)
    try:
        result = evaluate_prints(folder, read=_read_grey, threshold=load_config(args.config).capture.thresholds.finger)
    except ConfirmError as e:  # NFIQ 2 is the reference here: without it there is nothing to compare with
        raise SinopsisError(f"--prints-dir needs NIST NFIQ 2: {e}", "quality.nfiq2") from None
    return _report(args, result, format_agreement)


def _eval_irises(args: argparse.Namespace) -> int:
    from native.iris_agreement import evaluate_irises, format_iris_gate
    from station.config import load_config

    if args.irises_dir is None:
        raise SinopsisError("--eval-irises needs --irises-dir DIR, a folder of real near-infrared eye images (a "
                            "group per subfolder); there is no bundled iris set to evaluate on", "usage")
    folder = _irises_dir(args.irises_dir)
    truth = None
    if args.iris_truth is not None:  # read and checked whole before any image is scored
        from native.iris_truth import read_truth

        truth = read_truth(args.iris_truth, folder)
    result = evaluate_irises(folder, read=_read_grey, threshold=load_config(args.config).capture.thresholds.iris,
                             truth=truth, truth_file=args.iris_truth)
    return _report(args, result, format_iris_gate)


# (an evaluation's input, the evaluation it needs, and what it is for): each input alone is a usage error
GOES_WITH = (
    ("faces_dir", "eval_faces", "--faces-dir goes with --eval-faces (the set to evaluate the face gate on)"),
    ("prints_dir", "eval_fingerprints", "--prints-dir goes with --eval-fingerprints (the prints to compare with "
     "NFIQ 2)"),
    ("irises_dir", "eval_irises", "--irises-dir goes with --eval-irises (the eye images to evaluate the iris gate on)"),
    ("iris_truth", "eval_irises", "--iris-truth goes with --eval-irises --irises-dir DIR (hand-drawn circles for "
     "some of DIR's eye images)"),
)


def _quality(args: argparse.Namespace) -> int:
    for given, needs, message in GOES_WITH:
        if getattr(args, given) is not None and not getattr(args, needs):
            raise SinopsisError(message, "usage")
    if args.prints_dir is not None:
        return _eval_prints(args)
    if args.eval_irises:
        return _eval_irises(args)
    if args.eval_fingerprints:
        from native.confirm import ConfirmError
        from native.finger_eval import evaluate, format_table
        from station.config import load_config

        try:
            evaluation = evaluate(threshold=load_config(args.config).capture.thresholds.finger)
        except ConfirmError as e:  # the table sets our score beside NFIQ 2: without it there is no table
            raise SinopsisError(f"--eval-fingerprints needs NIST NFIQ 2: {e}", "quality.nfiq2") from None
        return _report(args, evaluation, format_table)
    if args.eval_faces:
        from native.face_eval import evaluate as evaluate_faces
        from native.face_eval import format_table as face_table
        from station.config import load_config

        config = load_config(args.config)
        faces = evaluate_faces(threshold=config.capture.thresholds.face, limits=_face_limits(config),
                               folder=None if args.faces_dir is None else _faces_dir(args.faces_dir),
                               read=lambda path: read_image(path, colour=True))
        if args.json:
            print_json({"set": faces.set_name, "threshold": faces.threshold, "sources": faces.sources,
                        "left_out": faces.left_out, "classes": faces.summary()})
        else:
            print(face_table(faces))
        return 0
    if args.image is None or args.modality is None:
        raise SinopsisError("give an IMAGE and --modality finger|face|iris (or --eval-fingerprints, --eval-faces, "
                            "--eval-irises)", "usage")
    try:
        result = _analyse(args)
    except ValueError as exc:  # the analyzers refuse frames they cannot read, with the reason (native FrameError)
        raise ImageFileError(f"{args.image}: {exc}", getattr(exc, "code", "image.unusable")) from exc
    if args.json:
        print_json(result)
    else:
        _print_human(result)
    return 0
