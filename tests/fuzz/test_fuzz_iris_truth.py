"""native/iris_truth.py `read_truth`: the table of hand-drawn iris circles (`--iris-truth`) from random and damaged
bytes only raises SinopsisError with an `iris_truth` code and a message that starts with the file."""

from pathlib import Path

import cv2
import numpy as np
from hypothesis import example, given
from hypothesis import strategies as st

from contract.errors import SinopsisError
from native.iris_truth import HEADER, USABLE, read_truth
from tests.fuzz.profiles import fuzz

GOOD = "\t".join(HEADER) + "\nsub/eye.png\t328.8\t233.5\t63\t323.1\t236.2\t121\n"


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "eyes"
    (folder / "sub").mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(folder / "sub" / "eye.png"), np.full((40, 40), 90, np.uint8))
    return folder


def _read(tmp_path: Path, data: bytes) -> None:
    folder = _folder(tmp_path)
    path = tmp_path / "circles.tsv"
    path.write_bytes(data)
    try:
        truth = read_truth(path, folder)
    except SinopsisError as e:
        assert e.code.startswith("iris_truth"), e.code
        assert str(e).startswith(str(path)), str(e)
        return
    assert set(truth) <= {"sub/eye.png"}


@fuzz(150)
@given(st.binary(max_size=300))
@example(b"\xff\xfe" + GOOD.encode("utf-16-le"))
@example(GOOD.encode() + b"sub/eye.png\t1\t2\t3\t4\t5\t6\n")
def test_random_bytes_only_raise_the_tables_error(tmp_path: Path, data: bytes) -> None:
    _read(tmp_path, data)


@fuzz(150)
@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12), min_size=7, max_size=7),
       st.sampled_from(["\n", "\r\n"]))
@example(["sub/eye.png", "nan", "1", "1", "1", "1", "1"], "\n")
@example(["sub/eye.png", "1e400", "1", "1", "1", "1", "1"], "\n")
@example(["../eye.png", "1", "1", "1", "1", "1", "1"], "\n")
@example(["/etc/passwd", "1", "1", "1", "1", "1", "1"], "\n")
@example(["sub/eye.png", "1", "1", "-3", "1", "1", "1"], "\n")
def test_a_row_of_any_text_is_read_or_refused_by_line(tmp_path: Path, cells: list[str], newline: str) -> None:
    row = "\t".join(c.replace("\t", " ").replace("\n", " ").replace("\r", " ") for c in cells)
    _read(tmp_path, ("\t".join(HEADER) + newline + row + newline).encode())


@fuzz(150)
@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12), min_size=8, max_size=8))
@example(["sub/eye.png", "1", "1", "1", "1", "1", "2", "-0.1"])
@example(["sub/eye.png", "1", "1", "1", "1", "1", "2", "1e-400"])
@example(["sub/eye.png", "1", "1", "1", "1", "1", "2", " "])
def test_a_row_with_a_usable_share_is_read_or_refused_by_line(tmp_path: Path, cells: list[str]) -> None:
    row = "\t".join(c.replace("\t", " ").replace("\n", " ").replace("\r", " ") for c in cells)
    _read(tmp_path, ("\t".join((*HEADER, USABLE)) + "\n" + row + "\n").encode())
