"""`sinopsis quality --eval-irises --irises-dir DIR --iris-truth FILE`: the iris gate against hand-drawn circles
(native/iris_truth.py), on the bundled real eye image; every kind of bad FILE is refused before any image is scored,
naming the file, the line and the problem, exit 2."""

import json
import os
import re

import cv2
import numpy as np
import pytest

from native import samples
from sinopsis.cli import main

HEADER = "file\tpupil_x\tpupil_y\tpupil_r\tiris_x\tiris_y\tiris_r"
# the sample's circles, hand-checked (tests/native/test_iris_robust.py): pupil, then limbus
TRUE = "328.8\t233.5\t63.0\t323.1\t236.2\t121.0"
WRONG = "328.8\t233.5\t63.0\t323.1\t236.2\t151.0"  # the limbus drawn 30 px too large


def _config(tmp_path):
    config = tmp_path / "station.toml"
    config.write_text(f'[station]\ndata_dir = "{tmp_path}"\n[capture.thresholds]\niris = 60\n')
    return config


def _folder(tmp_path):
    """DIR: the real sample at the top and in `right` and `wrong`, an all-zero frame, one too small to score and a
    file that is not an image."""
    eye = cv2.imread(str(samples.IRIS), cv2.IMREAD_GRAYSCALE)
    folder = tmp_path / "irises"
    for sub in ("right", "wrong"):
        (folder / sub).mkdir(parents=True)
        cv2.imwrite(str(folder / sub / "eye.png"), eye)
    cv2.imwrite(str(folder / "sample.png"), eye)
    cv2.imwrite(str(folder / "dark.png"), np.zeros_like(eye))
    cv2.imwrite(str(folder / "tiny.png"), np.full((10, 10), 128, np.uint8))  # left out: too small to score
    (folder / "notes.txt").write_text("not an eye\n")
    return folder


def test_truth_tells_located_eyes_from_eyes_passed_on_wrong_circles(tmp_path, capsys):
    """The sample with its true circles is located; the same image with a limbus drawn 30 px too large is not, and
    as the gate passes it, it is counted in passed_mislocated; an all-zero frame with a row is neither located nor
    passed; an image without a row and a row for an image left out are not counted. FILE as a spreadsheet may save
    it: a byte-order mark, CRLF line ends, a blank line at the end."""
    folder = _folder(tmp_path)
    truth = tmp_path / "circles.tsv"
    rows = [HEADER, f"right/eye.png\t{TRUE}", f"./wrong/eye.png\t{WRONG}", f"dark.png\t{TRUE}", f"tiny.png\t{TRUE}"]
    truth.write_bytes(("\ufeff" + "\r\n".join(rows) + "\r\n\r\n").encode())
    argv = ["quality", "--eval-irises", "--irises-dir", str(folder), "--iris-truth", str(truth),
            "--config", str(_config(tmp_path))]
    assert main([*argv, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["truth_file"] == str(truth) and result["left_out"][0].startswith("tiny.png: ")
    groups = {g["name"]: g for g in result["groups"]}
    top, right, wrong, total = groups["."], groups["right"], groups["wrong"], result["total"]
    assert (top["count"], top["passed"], top["truth"], top["located"], top["passed_mislocated"]) == (2, 1, 1, 0, 0)
    assert top["located_rate"] == 0.0 and top["median_iris_error"] is None  # the dark frame: no iris found
    assert (right["passed"], right["truth"], right["located"], right["located_rate"]) == (1, 1, 1, 1.0)
    assert right["passed_mislocated"] == 0 and right["median_iris_error"] < 0.05, right
    assert (wrong["passed"], wrong["truth"], wrong["located"], wrong["passed_mislocated"]) == (1, 1, 0, 1)
    assert 0.15 < wrong["median_iris_error"] < 0.3, wrong  # ~30 px of a 151 px radius
    assert (total["count"], total["truth"], total["located"], total["passed_mislocated"]) == (4, 3, 1, 1)
    assert total["located_rate"] == pytest.approx(1 / 3)
    assert main(argv) == 0
    table = capsys.readouterr().out
    assert f"Against the hand-drawn circles in {truth}" in table
    assert re.search(r"^wrong\s+1\s+0\s+0\.0\s+\d+\.\d\s+1$", table, re.M), table
    assert re.search(r"^\.\s+1\s+0\s+0\.0\s+-\s+0$", table, re.M), table
    assert re.search(r"^all\s+3\s+1\s+33\.3\s+\d+\.\d\s+1$", table, re.M), table


def test_without_truth_the_fields_are_none_and_the_table_is_not_printed(tmp_path, capsys):
    folder = _folder(tmp_path)
    argv = ["quality", "--eval-irises", "--irises-dir", str(folder), "--config", str(_config(tmp_path))]
    assert main([*argv, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["truth_file"] is None
    keys = ("truth", "located", "located_rate", "median_iris_error", "passed_mislocated", "usable_compared",
            "usable_error_median", "passed_occluded", "refused_on_area")
    for group in [*result["groups"], result["total"]]:
        assert [group[k] for k in keys] == [None] * len(keys)
    assert main(argv) == 0
    assert "hand-drawn" not in capsys.readouterr().out


def test_a_usable_column_compares_the_usable_area_with_the_masks(tmp_path, capsys):
    """With the optional eighth column: over the located images with a mask's share, how far the kernel's usable
    fraction is from it, and how many the gate passes although the mask keeps under 70 % (the sample's true
    circles with a mask that says half the iris is lid) or refuses on area although the mask does not; a mislocated
    image and an empty cell are not compared."""
    folder = _folder(tmp_path)
    truth = tmp_path / "circles.tsv"
    _table(f"right/eye.png\t{TRUE}\t0.5", f"sample.png\t{TRUE}\t0.95", f"wrong/eye.png\t{WRONG}\t0.9",
           f"dark.png\t{TRUE}\t", header=USABLE_HEADER)(truth)
    argv = ["quality", "--eval-irises", "--irises-dir", str(folder), "--iris-truth", str(truth),
            "--config", str(_config(tmp_path))]
    assert main([*argv, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    groups, total = {g["name"]: g for g in result["groups"]}, result["total"]
    kernel = groups["right"]  # the sample's usable fraction as the kernel measures it: ~0.93 (tests/native)
    assert (kernel["usable_compared"], kernel["passed_occluded"], kernel["refused_on_area"]) == (1, 1, 0)
    assert 0.35 < kernel["usable_error_median"] < 0.5, kernel  # ~0.93 - 0.5
    assert (groups["wrong"]["usable_compared"], groups["wrong"]["usable_error_median"]) == (0, None)
    assert (total["usable_compared"], total["passed_occluded"], total["refused_on_area"]) == (2, 1, 0)
    assert main(argv) == 0
    table = capsys.readouterr().out
    assert "Usable iris area against the masks" in table
    assert re.search(r"^all\s+2\s+\+0\.\d{3}\s+1\s+0$", table, re.M), table
    truth.write_bytes(_text(HEADER, f"right/eye.png\t{TRUE}"))  # no usable column: compared none, no table
    assert main(argv) == 0
    assert "Usable iris area" not in capsys.readouterr().out


def _text(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def _table(*rows: str, header: str = HEADER):
    """Writes a table with the header (the right one unless given) and these rows."""
    return lambda path: path.write_bytes(_text(header, *rows))


USABLE_HEADER = f"{HEADER}\tusable"


def _big(path):
    with path.open("wb") as f:
        f.truncate(16 * 1024 * 1024 + 1)  # sparse: refused on its size, before it is read


# (FILE's name in tmp_path, how it is made, the line named or None, what the message must say)
BAD = {
    "missing": ("none.tsv", None, None, "not found (no such file)"),
    "directory": ("dir.tsv", lambda p: p.mkdir(), None, "is a directory"),
    "fifo": ("pipe.tsv", os.mkfifo, None, "is a FIFO (named pipe)"),
    "symlink to a device": ("zero.tsv", lambda p: p.symlink_to("/dev/zero"), None, "character device -> /dev/zero"),
    "dangling symlink": ("gone.tsv", lambda p: p.symlink_to(p.parent / "elsewhere.tsv"), None, "does not exist"),
    "too large": ("big.tsv", _big, None, "more than a table of hand-drawn iris circles (--iris-truth) may be (at "
                  "most 16 MB)"),
    "not utf-8": ("latin.tsv", lambda p: p.write_bytes(_text(HEADER, f"sample.png\t{TRUE}") + b"S\xe9rie.png\t1\n"),
                  3, "not UTF-8 text"),
    "empty": ("empty.tsv", lambda p: p.write_bytes(b""), 1, "the file is empty"),
    "wrong header": ("comma.tsv", lambda p: p.write_bytes(_text(HEADER.replace("\t", ","))), 1,
                     "the header must be exactly 'file\\tpupil_x"),
    "missing header": ("rows.tsv", lambda p: p.write_bytes(_text(f"sample.png\t{TRUE}")), 1,
                       "the first line is 'sample.png"),
    "too few fields": ("six.tsv", _table(f"sample.png\t{TRUE}", "dark.png\t1\t2\t3"),
                       3, "4 fields, not 7"),
    "spaces for tabs": ("spaces.tsv", _table("sample.png 1 2 3 4 5 6"), 2,
                        "1 field, not 7 (are the columns separated by tabs?)"),
    "not a number": ("text.tsv", _table("sample.png\tleft\t2\t3\t4\t5\t6"), 2,
                     "pupil_x is 'left', not a number"),
    "digit separators": ("sep.tsv", _table("sample.png\t1_000\t2\t3\t4\t5\t6"), 2,
                         "pupil_x is '1_000', not a number"),
    "nan": ("nan.tsv", _table("sample.png\t1\tnan\t3\t4\t5\t6"), 2,
            "pupil_y is 'nan', not a finite number"),
    "infinity": ("inf.tsv", _table("sample.png\t1\t2\t3\t4\t5\t-inf"), 2,
                 "iris_r is '-inf', not a finite number"),
    "negative radius": ("neg.tsv", _table("sample.png\t1\t2\t-3\t4\t5\t6"), 2,
                        "pupil_r is -3: a radius must be more than 0"),
    "zero radius": ("zero_r.tsv", _table("sample.png\t1\t2\t3\t4\t5\t0"), 2,
                    "iris_r is 0: a radius must be more than 0"),
    "huge": ("huge.tsv", _table("sample.png\t1\t2\t3\t100001\t5\t6"), 2,
             "iris_x is 100001, beyond any image (at most 100000 px)"),
    "absolute file": ("abs.tsv", lambda p: p.write_bytes(_text(HEADER, f"{p.parent}/irises/sample.png\t{TRUE}")), 2,
                      "is absolute; give it relative to DIR"),
    "file with ..": ("up.tsv", _table(f"right/../sample.png\t{TRUE}"), 2,
                     "file 'right/../sample.png' contains '..'"),
    "file not in DIR": ("none_in.tsv", _table(f"right/S1001L01.jpg\t{TRUE}"), 2,
                        "file 'right/S1001L01.jpg': no such image in"),
    "file not an image": ("notes.tsv", _table(f"notes.txt\t{TRUE}"), 2,
                          "file 'notes.txt' is in"),
    "usable above 1": ("share.tsv", _table(f"sample.png\t{TRUE}\t1.5", header=USABLE_HEADER),
                       2, "usable is 1.5: a share of the iris, from 0 to 1"),
    "usable nan": ("share_nan.tsv", _table(f"sample.png\t{TRUE}\tnan", header=USABLE_HEADER),
                   2, "usable is 'nan', not a finite number"),
    "usable header, 7 fields": ("short.tsv", _table(f"sample.png\t{TRUE}", header=USABLE_HEADER),
                                2, "7 fields, not 8"),
    "unknown eighth column": ("eighth.tsv", _table(f"sample.png\t{TRUE}\t1", header=f"{HEADER}\tlids"),
                              1, "optionally with 'usable' after it"),
    "duplicate file": ("twice.tsv", _table(f"sample.png\t{TRUE}", f"dark.png\t{TRUE}",
                                                                  f"sample.png\t{WRONG}"), 4,
                       "file 'sample.png' is already on line 2"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_truth_file_is_refused_naming_the_file_and_line(tmp_path, capsys, case):
    name, make, line, said = BAD[case]
    folder, truth = _folder(tmp_path), tmp_path / name
    if make is not None:
        make(truth)
    argv = ["quality", "--eval-irises", "--irises-dir", str(folder), "--iris-truth", str(truth), "--config",
            str(_config(tmp_path))]
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # refused before any image is scored
    assert captured.err.startswith(f"sinopsis: {truth}{'' if line is None else f', line {line}'}: "), captured.err
    assert said in captured.err, captured.err


def test_truth_goes_with_eval_irises(tmp_path, capsys):
    assert main(["quality", "--iris-truth", str(tmp_path / "circles.tsv")]) == 2
    assert "--iris-truth goes with --eval-irises --irises-dir DIR" in capsys.readouterr().err
