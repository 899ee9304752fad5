"""The vendored face models are the files their README names: same SHA-256 and size, licences beside them."""

import hashlib
import re

import pytest

from native.face_landmarks import CANONICAL_FILE, LANDMARK_FILE, MODELS, YUNET_FILE

ROW = re.compile(r"^\| `(?P<file>[^`]+)` \|.*\| (?P<size>\d+) \| `(?P<sha>[0-9a-f]{64})` \|$")


def readme_rows() -> dict[str, tuple[int, str]]:
    """{file: (size, sha256)} from the table in native/models/README.md."""
    rows = {}
    for line in (MODELS / "README.md").read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match:
            rows[match["file"]] = (int(match["size"]), match["sha"])
    return rows


def test_readme_lists_every_model_the_code_loads() -> None:
    assert set(readme_rows()) == {YUNET_FILE, LANDMARK_FILE, CANONICAL_FILE}


@pytest.mark.parametrize("name", sorted(readme_rows()))
def test_model_file_matches_its_readme_row(name: str) -> None:
    size, sha = readme_rows()[name]
    data = (MODELS / name).read_bytes()
    assert len(data) == size
    assert hashlib.sha256(data).hexdigest() == sha


def test_licences_and_notice_ship_with_the_models() -> None:
    apache = (MODELS / "LICENSE-Apache-2.0").read_text(encoding="utf-8")
    assert "Apache License" in apache and "Version 2.0, January 2004" in apache
    mit = (MODELS / "LICENSE-MIT-YuNet").read_text(encoding="utf-8")
    assert "MIT License" in mit and "Shiqi Yu" in mit
    notice = (MODELS / "NOTICE").read_text(encoding="utf-8")
    for name in (YUNET_FILE, LANDMARK_FILE, CANONICAL_FILE):
        assert name in notice
