"""contract/files.py `read_bounded`, the one reader of files from outside (issue 19, point 4), against every class
of path a person, a config or another machine can name: only a regular file within its kind's limit is read; a
FIFO, a device (directly or through a symlink), a directory, a socket, a dangling or looping symlink, an oversize
file and one that yields more than it claimed are refused with a coded error naming the file, what it was read
as, what is wrong, the limit and what to do. Then the commands that read such files, through `main()`: each
refuses with that message and exit 2, quickly (nothing blocks on a FIFO, nothing reads /dev/zero)."""

import os
import socket
import threading
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contract.errors import AssignmentError, ConfigError
from contract.files import KINDS, FileReadError, read_bounded, read_bounded_text
from sinopsis.cli import main
from tests.fuzz.profiles import fuzz

SECRET = KINDS["secret"].limit  # the smallest limit (4 KB): oversize cases stay cheap


def _bounded(call, *args, **kwargs):
    """Run `call` in a thread and give up after 30 s: a regression to a blocking read fails instead of hanging
    the suite (O_NONBLOCK and the check before open mean it returns at once)."""
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["value"] = call(*args, **kwargs)
        except Exception as e:  # noqa: BLE001 - handed back to the test
            outcome["error"] = e

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(30)
    assert not thread.is_alive(), f"{call.__name__} blocked on {args}"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _socket(path: Path) -> None:
    s = socket.socket(socket.AF_UNIX)
    s.bind(str(path))
    s.close()  # the socket file stays


BAD = [  # name, make(path), code, words in the message
    ("oversize", lambda p: p.write_bytes(b"x" * (SECRET + 1)), "secret.too_large", "at most 4 KB"),
    ("fifo", os.mkfifo, "secret.not_a_file", "a FIFO (named pipe)"),
    ("zero-link", lambda p: p.symlink_to("/dev/zero"), "secret.not_a_file", "a character device -> /dev/zero"),
    ("null", None, "secret.not_a_file", "a character device"),
    ("folder", lambda p: p.mkdir(), "secret.not_a_file", "a directory"),
    ("socket", _socket, "secret.not_a_file", "a socket"),
    ("dangling", lambda p: p.symlink_to(p.parent / "gone"), "secret.missing", "which does not exist"),
    ("missing", lambda p: None, "secret.missing", "not found"),
    ("loop", lambda p: p.symlink_to(p), "secret.unreadable", "does not resolve"),
    # /proc files say st_size 0 and then yield more: exactly a file that grows while it is read
    ("grows", None, "secret.too_large", "grew past 4 KB while being read"),
    ("nul\0name", lambda p: None, "secret.unreadable", "not usable"),
]
SPECIAL = {"null": Path("/dev/null"), "grows": Path("/proc/self/smaps")}


@pytest.mark.parametrize(("name", "make", "code", "words"), BAD, ids=[b[0].replace("\0", "") for b in BAD])
def test_each_class_of_bad_path_is_refused_with_its_code(tmp_path, name, make, code, words):
    path = SPECIAL.get(name, tmp_path / name)
    if make is not None:
        make(path)
    with pytest.raises(FileReadError) as caught:
        _bounded(read_bounded, path, "secret")
    message = str(caught.value)
    assert caught.value.code == code and words in message, message
    assert message.startswith(f"{path}: cannot read the secret (password) file: ")  # names the file and kind
    assert "give the path of the file holding the password" in message  # and what to do


def test_a_regular_file_and_a_symlink_to_one_are_read_whole(tmp_path):
    data = os.urandom(SECRET)  # exactly at the limit
    (tmp_path / "pw").write_bytes(data)
    (tmp_path / "link").symlink_to(tmp_path / "pw")
    assert read_bounded(tmp_path / "pw", "secret") == read_bounded(tmp_path / "link", "secret") == data
    (tmp_path / "empty").write_bytes(b"")
    assert read_bounded(tmp_path / "empty", "secret") == b""


def test_the_caller_chooses_the_error_class_code_and_words(tmp_path):
    (tmp_path / "latin1.toml").write_bytes(b"name = 'caf\xe9'\n")
    with pytest.raises(ConfigError) as caught:
        read_bounded_text(tmp_path / "latin1.toml", "config", error=ConfigError, code="cfg", what="station.toml")
    assert caught.value.code == "cfg.encoding" and "cannot read the station.toml: not UTF-8" in str(caught.value)


@given(size=st.integers(0, SECRET + 64), kind=st.sampled_from(["regular", "fifo", "folder", "zero-link"]))
@fuzz(40)
def test_only_a_regular_file_within_the_limit_is_read(tmp_path_factory, size, kind):
    path = tmp_path_factory.mktemp("f") / "input"
    {"regular": lambda: path.write_bytes(b"a" * size), "fifo": lambda: os.mkfifo(path),
     "folder": path.mkdir, "zero-link": lambda: path.symlink_to("/dev/zero")}[kind]()
    try:
        data = _bounded(read_bounded, path, "secret")
    except FileReadError as e:
        assert e.code == ("secret.too_large" if kind == "regular" else "secret.not_a_file") and str(path) in str(e)
        assert kind != "regular" or size > SECRET
    else:
        assert kind == "regular" and len(data) == size <= SECRET


# --- through the commands that read such files ---------------------------------------------------------------


@pytest.mark.parametrize("make", [os.mkfifo, lambda p: p.symlink_to("/dev/zero")], ids=["fifo", "zero-link"])
def test_station_config_check_refuses_a_fifo_and_dev_zero(tmp_path, capsys, make):
    path = tmp_path / "station.toml"
    make(path)
    assert _bounded(main, ["station", "config", "check", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}: cannot read the station config: is a " in err and "not a regular file" in err


def test_assignment_import_refuses_a_fifo_and_changes_nothing(tmp_path, station_config, capsys):
    bundle = tmp_path / "assignment.json"
    os.mkfifo(bundle)
    argv = ["station", "assignment", "import", str(bundle), "--config", str(tmp_path / "station.toml")]
    assert _bounded(main, argv) == 2
    assert f"{bundle}: cannot read the assignment bundle: is a FIFO" in capsys.readouterr().err
    from station.roster import import_assignment

    with pytest.raises(AssignmentError) as caught:
        import_assignment(None, tmp_path, None, station_id="x", min_age=17)  # type: ignore[arg-type]
    assert caught.value.code == "assignment.not_a_file"  # refused before the store or the key is touched


def test_packet_verify_refuses_dev_zero_and_a_directory(tmp_path, keys, capsys):
    from contract.keys import save_public_key

    save_public_key(tmp_path / "st.pub.pem", keys.station_sign.public_key())
    (tmp_path / "zero.sinopkt").symlink_to("/dev/zero")
    (tmp_path / "dir.sinopkt").mkdir()
    for name, words in (("zero.sinopkt", "a character device"), ("dir.sinopkt", "a directory")):
        argv = ["packet", "verify", str(tmp_path / name), "--station-key", str(tmp_path / "st.pub.pem")]
        assert _bounded(main, argv) == 2
        assert f"{tmp_path / name}: cannot read the packet: is {words}" in capsys.readouterr().err


def test_a_key_that_is_a_fifo_is_refused(tmp_path, capsys):
    os.mkfifo(tmp_path / "key.pem")
    (tmp_path / "p.sinopkt").write_bytes(b"SINOPKT1")
    argv = ["packet", "verify", str(tmp_path / "p.sinopkt"), "--station-key", str(tmp_path / "key.pem")]
    assert _bounded(main, argv) == 2
    assert "is a FIFO (named pipe), not a regular file" in capsys.readouterr().err
