"""`sinopsis quality`: metrics and score of an image file per modality; clear errors for bad files."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from native import samples
from sinopsis.cli import main

ROOT = Path(__file__).resolve().parents[2]


def run_json(argv: list[str], capsys) -> dict:
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_iris_sample(capsys):
    result = run_json(["quality", str(samples.IRIS), "--modality", "iris"], capsys)
    assert result["modality"] == "iris" and result["score"] >= 90
    assert result["metrics"]["found"] is True and result["metrics"]["iris_diameter"] > 150


def test_face_backdrop_follows_the_birth_year(tmp_path, capsys):
    path = tmp_path / "portrait.png"
    cv2.imwrite(str(path), samples.portrait("red"))
    odd = run_json(["quality", str(path), "--modality", "face", "--birth-year", "2009"], capsys)
    assert (odd["required_background"], odd["background"], odd["problems"]) == ("red", "red", [])
    even = run_json(["quality", str(path), "--modality", "face", "--birth-year", "2010"], capsys)
    assert even["required_background"] == "blue" and even["score"] == 0
    assert even["problems"] == ["BACKGROUND_WRONG_COLOUR"]


def test_finger_with_slap_segmentation(tmp_path, capsys):
    print_ = cv2.imread(str(samples.FINGERPRINTS[0]), cv2.IMREAD_GRAYSCALE)
    slap = np.full((1500, 1600), 255, np.uint8)
    for i in range(4):
        slap[300:860, 40 + i * 390: 400 + i * 390] = print_[:, 28:388]
    path = tmp_path / "slap.png"
    cv2.imwrite(str(path), slap)
    result = run_json(["quality", str(path), "--modality", "finger", "--slap"], capsys)
    assert len(result["fingers"]) == 4
    assert all(f["present"] for f in result["fingers"])


def test_human_output_names_score_and_problems(tmp_path, capsys):
    path = tmp_path / "blurred.png"
    cv2.imwrite(str(path), cv2.GaussianBlur(cv2.imread(str(samples.IRIS), cv2.IMREAD_GRAYSCALE), (0, 0), 3))
    assert main(["quality", str(path), "--modality", "iris"]) == 0
    out = capsys.readouterr().out
    assert "iris: score 0/100" in out and "IRIS_BLURRED" in out


@pytest.mark.parametrize(("content", "match"), [(None, "no such file"), (b"not a picture", "not an image"),
                                                (b"\x89PNG\r\n\x1a\n\x00\x00", "not an image")])
def test_bad_files_are_clear_errors(tmp_path, content, match, capsys):
    path = tmp_path / "image.png"
    if content is not None:
        path.write_bytes(content)
    assert main(["quality", str(path), "--modality", "iris"]) == 2
    assert re.search(match, capsys.readouterr().err)


def test_a_too_small_image_is_refused_with_the_reason(tmp_path, capsys):
    path = tmp_path / "tiny.png"
    cv2.imwrite(str(path), np.zeros((8, 8), np.uint8))
    assert main(["quality", str(path), "--modality", "iris"]) == 2
    assert "tiny.png: frame is 8x8; it must be at least 32x32" in capsys.readouterr().err


def test_missing_arguments_are_a_usage_error(capsys):
    assert main(["quality", str(samples.IRIS)]) == 2
    assert "--modality" in capsys.readouterr().err


def test_exit_code_2_from_the_real_command(tmp_path):
    done = subprocess.run([sys.executable, "-m", "sinopsis", "quality", str(tmp_path / "none.png"),
                           "--modality", "face"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "no such file" in done.stderr


def test_eval_fingerprints_uses_the_configured_threshold(tmp_path, capsys):
    config = tmp_path / "station.toml"
    config.write_text(f'[station]\ndata_dir = "{tmp_path}"\n[capture.thresholds]\nfinger = 55\n')
    result = run_json(["quality", "--eval-fingerprints", "--config", str(config)], capsys)
    assert result["threshold"] == 55
    assert result["auc_ours"] >= 0.95


def test_eval_faces_on_another_folder_of_portraits_of_any_size(tmp_path, capsys):
    """`--faces-dir`: the same classes on another set (how a province's own photos or a check set is measured);
    portraits of any size are scaled to the development set's eye distance; what is not a usable portrait is left
    out with the reason, never read as one."""
    from native.face_eval import FACES_DIR

    folder = tmp_path / "faces"
    folder.mkdir()
    for name, factor in (("C001091_blue", 4.0), ("F000450_red", 1.0)):  # a large photo and a small one
        image = cv2.imread(str(FACES_DIR / f"{name}.jpg"))
        cv2.imwrite(str(folder / f"{name.lower()}.png"),
                    cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC))
    (folder / "someone_green.jpg").write_bytes((FACES_DIR / "C001091_blue.jpg").read_bytes())
    (folder / "broken_red.jpg").write_bytes(b"\xff\xd8 not really a JPEG")
    os.mkfifo(folder / "pipe_blue.jpg")  # a special file: refused before anything reads it
    cv2.imwrite(str(folder / "deep_blue.png"), np.zeros((300, 240, 3), np.uint16))  # read as the CLI reads an image
    (folder / "notes.txt").write_text("not a portrait\n")
    config = tmp_path / "station.toml"
    config.write_text(f'[station]\ndata_dir = "{tmp_path}"\n')
    result = run_json(["quality", "--eval-faces", "--faces-dir", str(folder), "--config", str(config)], capsys)
    assert result["set"] == str(folder) and result["sources"] == 2
    left_out = "\n".join(result["left_out"])
    assert "someone_green.jpg: the name must end in _red or _blue" in left_out
    assert "broken_red.jpg: not an image" in left_out and "pipe_blue.jpg" in left_out
    assert "deep_blue.png: a 16-bit image" in left_out
    rates = {c["kind"]: c["rate"] for c in result["classes"]}
    assert rates["portrait"] == 1.0 and rates["brighter"] == 1.0, result["classes"]
    assert rates["two faces"] == 1.0 and rates["blur"] == 1.0, result["classes"]


def test_eval_fingerprints_on_a_folder_of_real_prints_against_nfiq2(tmp_path, capsys):
    """`--prints-dir`: our live score against NFIQ 2 at the configured threshold, a group per subfolder (a scanner,
    a database); what cannot be read or scored is left out with the reason, a linked folder is not followed."""
    from native.finger_eval import build_set

    images = {item.name: item.image for item in build_set()}
    folder, scanner = tmp_path / "prints", tmp_path / "prints" / "scanner-b"
    scanner.mkdir(parents=True)
    cv2.imwrite(str(folder / "test01.png"), images["Test01 original"])
    cv2.imwrite(str(folder / "blank.png"), images["Test01 blank platen"])
    cv2.imwrite(str(scanner / "test02.tif"), images["Test02 original"])
    cv2.imwrite(str(scanner / "blurred.bmp"), images["Test03 heavy blur"])
    os.mkfifo(scanner / "pipe.png")  # a special file: refused before anything reads it
    (scanner / "notes.png").write_text("not a print\n")
    cv2.imwrite(str(scanner / "tiny.png"), np.full((8, 8), 128, np.uint8))  # too small to score
    (tmp_path / "elsewhere").mkdir()
    cv2.imwrite(str(tmp_path / "elsewhere" / "other.png"), images["Test03 original"])
    (folder / "linked").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    config = tmp_path / "station.toml"
    config.write_text(f'[station]\ndata_dir = "{tmp_path}"\n[capture.thresholds]\nfinger = 40\n')
    result = run_json(["quality", "--eval-fingerprints", "--prints-dir", str(folder), "--config", str(config)],
                      capsys)
    assert (result["folder"], result["threshold"]) == (str(folder), 40)
    assert [(g["name"], g["count"]) for g in result["groups"]] == [(".", 2), ("scanner-b", 2)]
    total = result["total"]
    assert total["count"] == 4 and total["both_pass"] == 2 and total["both_refuse"] == 2, total
    assert total["ours_only_refuses"] == total["ours_only_passes"] == 0
    left_out = "\n".join(result["left_out"])
    assert "scanner-b/pipe.png" in left_out and "scanner-b/notes.png: not an image" in left_out
    assert "scanner-b/tiny.png" in left_out and len(result["left_out"]) == 3
    assert main(["quality", "--eval-fingerprints", "--prints-dir", str(folder), "--config", str(config)]) == 0
    table = capsys.readouterr().out
    assert "scanner-b" in table and re.search(r"^all\s+4\s", table, re.M)


def test_eval_irises_on_a_folder_of_real_eye_images(tmp_path, capsys):
    """`--irises-dir`: how often the live iris gate passes real eye images at the configured threshold and why it
    refuses the others, a group per subfolder (a database, a camera); a 24-bit BMP of a grey eye is read as grey;
    what cannot be read or scored is left out with the reason, a linked folder is not followed."""
    eye = cv2.imread(str(samples.IRIS), cv2.IMREAD_GRAYSCALE)
    folder, casia, nd = tmp_path / "irises", tmp_path / "irises" / "casia", tmp_path / "irises" / "nd"
    casia.mkdir(parents=True)
    nd.mkdir()
    cv2.imwrite(str(folder / "sample.png"), eye)
    cv2.imwrite(str(casia / "blurred.png"), cv2.GaussianBlur(eye, (0, 0), 6))
    cv2.imwrite(str(casia / "colour.bmp"), cv2.cvtColor(eye, cv2.COLOR_GRAY2BGR))
    assert cv2.imread(str(casia / "colour.bmp"), cv2.IMREAD_UNCHANGED).shape == (*eye.shape, 3)
    cv2.imwrite(str(nd / "dark.png"), np.zeros_like(eye))
    cv2.imwrite(str(nd / "tiny.png"), np.full((10, 10), 128, np.uint8))  # too small to score
    (tmp_path / "elsewhere").mkdir()
    cv2.imwrite(str(tmp_path / "elsewhere" / "other.png"), eye)
    (folder / "linked").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    config = tmp_path / "station.toml"
    config.write_text(f'[station]\ndata_dir = "{tmp_path}"\n[capture.thresholds]\niris = 65\n')
    argv = ["quality", "--eval-irises", "--irises-dir", str(folder), "--config", str(config)]
    result = run_json(argv, capsys)
    assert (result["folder"], result["threshold"]) == (str(folder), 65)
    groups = {g["name"]: g for g in result["groups"]}
    assert [(g["name"], g["count"], g["passed"]) for g in result["groups"]] == [(".", 1, 1), ("casia", 2, 1),
                                                                                 ("nd", 1, 0)]
    assert groups["casia"]["reasons"] == [["IRIS_BLURRED", 1]] and groups["nd"]["reasons"] == [["IRIS_NOT_FOUND", 1]]
    assert groups["nd"]["diameter_median"] is None and groups["nd"]["ratio_median"] is None
    total = result["total"]
    assert (total["name"], total["count"], total["passed"], total["pass_rate"]) == ("all", 4, 2, 0.5)
    assert total["reasons"] == [["IRIS_BLURRED", 1], ["IRIS_NOT_FOUND", 1]]
    assert total["diameter_median"] > 150 and 0.2 < total["ratio_median"] < 0.6, total
    assert set(total) == {"name", "count", "passed", "pass_rate", "score_median", "diameter_median", "ratio_median",
                          "reasons", "truth", "located", "located_rate", "median_iris_error", "passed_mislocated",
                          "usable_compared", "usable_error_median", "passed_occluded", "refused_on_area"}
    assert result["truth_file"] is None and total["truth"] is None  # no --iris-truth: the truth fields are None
    assert result["left_out"] == ["nd/tiny.png: frame is 10x10; it must be at least 32x32"]
    assert main(argv) == 0
    table = capsys.readouterr().out
    assert re.search(r"^casia\s+2\s+1\s+50\.0\s", table, re.M) and re.search(r"^all\s+4\s+2\s", table, re.M)
    assert re.search(r"^all\s+IRIS_BLURRED 1, IRIS_NOT_FOUND 1$", table, re.M)
    assert re.search(r"^\.\s+none refused$", table, re.M) and "left out: nd/tiny.png" in table


@pytest.mark.parametrize(("argv", "said"), [
    (["--faces-dir", "{tmp}"], "--faces-dir goes with --eval-faces"),
    (["--eval-faces", "--faces-dir", "{tmp}/none"], "no such folder"),
    (["--eval-faces", "--faces-dir", "{tmp}/file.jpg"], "not a folder"),
    (["--eval-faces", "--faces-dir", "{tmp}"], "no <name>_<red|blue>.jpg"),
    (["--prints-dir", "{tmp}"], "--prints-dir goes with --eval-fingerprints"),
    (["--eval-fingerprints", "--prints-dir", "{tmp}/none"], "no such folder"),
    (["--eval-fingerprints", "--prints-dir", "{tmp}/file.jpg"], "not a folder"),
    (["--eval-fingerprints", "--prints-dir", "{tmp}"], "no print in it"),
    (["--irises-dir", "{tmp}"], "--irises-dir goes with --eval-irises"),
    (["--eval-irises"], "needs --irises-dir DIR, a folder of real near-infrared eye images"),
    (["--eval-irises", "--irises-dir", "{tmp}/none"], "no such folder"),
    (["--eval-irises", "--irises-dir", "{tmp}/file.jpg"], "not a folder"),
    (["--eval-irises", "--irises-dir", "{tmp}/pipe"], "not a folder"),
    (["--eval-irises", "--irises-dir", "{tmp}/dangling"], "no such folder"),
    (["--eval-irises", "--irises-dir", "{tmp}/empty"], "no eye image in it or its subfolders"),
    (["--eval-irises", "--irises-dir", "{tmp}"], "no eye image in it could be scored: file.jpg: "),
])
def test_a_folder_that_cannot_be_evaluated_is_refused_before_it_starts(tmp_path, capsys, argv, said):
    (tmp_path / "file.jpg").write_bytes(b"x")  # a portrait's name it is not; a print's suffix, but no image
    (tmp_path / "notes.txt").write_text("neither a portrait nor a print\n")
    os.mkfifo(tmp_path / "pipe")  # a special file, not a folder
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("no image\n")
    (tmp_path / "dangling").symlink_to(tmp_path / "gone", target_is_directory=True)
    assert main(["quality", *(a.replace("{tmp}", str(tmp_path)) for a in argv)]) == 2
    assert said in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["--eval-fingerprints"], ["--eval-fingerprints", "--prints-dir", "PRINTS"]],
                         ids=["degradation set", "prints dir"])
def test_without_nfiq2_the_fingerprint_evaluations_say_what_to_install(tmp_path, argv):
    # a Python path on which `import nbis` fails, as on a machine without the nbis-py wheel (not x86_64)
    (tmp_path / "shadow").mkdir()
    (tmp_path / "shadow" / "nbis.py").write_text("raise ImportError('No module named nbis')\n")
    prints = tmp_path / "prints"
    prints.mkdir()
    cv2.imwrite(str(prints / "one.png"), cv2.imread(str(samples.FINGERPRINTS[0]), cv2.IMREAD_GRAYSCALE))
    argv = [str(prints) if a == "PRINTS" else a for a in argv]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path / "shadow"), str(ROOT)]),
           "SINOPSIS_CACHE_DIR": str(tmp_path / "cache")}  # no NFIQ 2 scores kept from an earlier run
    done = subprocess.run([sys.executable, "-m", "sinopsis", "quality", *argv], capture_output=True, text=True,
                          env=env, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "needs NIST NFIQ 2" in done.stderr and "nbis-py" in done.stderr
