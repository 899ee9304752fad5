"""Durable files: atomic replace, mode bits, and a real SIGKILL at each step never leaves a half file."""

import hashlib
import os
import subprocess
import sys

import pytest

from contract.durable import (
    TEMP_PREFIX,
    flush_file_systems,
    sha256_file,
    sweep_temp_files,
    write_all_durably,
    write_durably,
)


def test_write_returns_hash_and_sets_mode(tmp_path):
    data = os.urandom(5 * 1024 * 1024)
    path = tmp_path / "f.bin"
    assert write_durably(path, data, mode=0o600) == hashlib.sha256(data).hexdigest() == sha256_file(path)
    assert path.read_bytes() == data and (path.stat().st_mode & 0o777) == 0o600
    write_durably(path, b"new")
    assert path.read_bytes() == b"new"
    assert list(tmp_path.iterdir()) == [path]


def test_missing_directory_leaves_nothing(tmp_path):
    with pytest.raises(FileNotFoundError):
        write_durably(tmp_path / "nope" / "f.bin", b"x")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("point", "new_visible"), [
    ("durable.before_fsync", False), ("durable.before_rename", False),
    ("durable.before_dir_fsync", True), ("durable.after_dir_fsync", True),
])
def test_kill_at_each_step(tmp_path, point, new_visible):
    path = tmp_path / "f.bin"
    path.write_bytes(b"old")
    code = ("import pathlib; from contract.durable import write_durably; "
            f"write_durably(pathlib.Path({str(path)!r}), b'new')")
    child = subprocess.run([sys.executable, "-c", code], env={**os.environ, "SINOPSIS_FAILPOINT": point},
                           capture_output=True, timeout=60)
    assert child.returncode == -9
    assert path.read_bytes() == (b"new" if new_visible else b"old"), "never a half-written file"
    swept = sweep_temp_files(tmp_path)
    assert len(swept) == (0 if new_visible else 1) and not list(tmp_path.glob(f"{TEMP_PREFIX}*"))


def test_many_files_at_once_are_whole_private_and_leave_no_temp_file(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    files = [(tmp_path / "a" / "1", os.urandom(300_000)), (tmp_path / "a" / "2", b""), (tmp_path / "b" / "3", b"x")]
    write_all_durably(files)
    for path, data in files:
        assert path.read_bytes() == data and (path.stat().st_mode & 0o777) == 0o600
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["1", "2", "3", "a", "b"]
    flush_file_systems([tmp_path / "a" / "1"])  # one syncfs for the file system (an fsync each where it is missing)


def test_many_files_where_one_cannot_be_written_leave_no_temp_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        write_all_durably([(tmp_path / "ok", b"1"), (tmp_path / "missing" / "no", b"2")])
    assert list(tmp_path.iterdir()) == []  # the first one's temp file is gone too


@pytest.mark.parametrize(("point", "renamed"), [("durable.before_fsync", False), ("durable.before_rename", False),
                                                ("durable.before_dir_fsync", True)])
def test_many_files_killed_at_a_step_are_all_temp_or_all_whole(tmp_path, point, renamed):
    code = ("import pathlib; from contract.durable import write_all_durably; "
            f"d = pathlib.Path({str(tmp_path)!r}); write_all_durably([(d / 'x', b'xx'), (d / 'y', b'yy')])")
    child = subprocess.run([sys.executable, "-c", code], env={**os.environ, "SINOPSIS_FAILPOINT": point},
                           capture_output=True, timeout=60)
    assert child.returncode == -9
    assert sorted(p.read_bytes() for p in tmp_path.iterdir() if not p.name.startswith(TEMP_PREFIX)) == \
        ([b"xx", b"yy"] if renamed else [])
    assert len(sweep_temp_files(tmp_path)) == (0 if renamed else 2)
