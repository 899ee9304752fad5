"""station.toml (station/config.py `load_config`) against hostile files: random bytes, random valid TOML with
known and unknown sections and keys holding values of any type, numbers around every range bound, and paths
that trip path handling ('~user', NUL). Only ConfigError escapes, with a config.* code; every line of its message
starts with the file's path and names the dotted key (or says it is the file itself), then the reason. A value
inside every bound of a section without cross-field rules is accepted."""

import datetime as dt
import json
import math
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from contract.errors import ConfigError
from station.config import StationConfig, load_config
from tests.fuzz.profiles import fuzz

CODES = {"config.invalid", "config.syntax", "config.encoding", "config.unreadable", "config.missing"}
SECTIONS = {name: field.annotation.model_fields for name, field in StationConfig.model_fields.items()}


def toml_value(value: Any) -> str:
    """A TOML literal for a scalar, array or inline table (the strategies below only make those)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a TOML basic string takes JSON's escapes
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + "}"


def toml_document(doc: dict[str, dict[str, Any]]) -> str:
    lines = []
    for section, keys in doc.items():
        lines.append(f"[{json.dumps(section)}]")
        lines += [f"{json.dumps(key)} = {toml_value(value)}" for key, value in keys.items()]
    return "\n".join(lines) + "\n"


# TOML strings are Unicode scalar values: no lone surrogates; '~' and '/' so paths get expanded and joined.
toml_text = st.text(st.characters(exclude_categories=("Cs",)) | st.sampled_from("~/\x00."), max_size=20)
toml_scalar = (st.booleans() | st.integers(-(2 ** 63), 2 ** 63 - 1) | st.floats() | toml_text
               | st.dates() | st.times() | st.sampled_from(["~", "~nosuchuser-sinopsis/x", "/dev/ttyACM0", "sim"]))
toml_values = st.recursive(toml_scalar, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(toml_text, inner, max_size=3), max_leaves=6)


@st.composite
def documents(draw: st.DrawFn) -> dict[str, dict[str, Any]]:
    """A TOML document mostly of real sections and keys, some unknown ones, any values."""
    doc: dict[str, dict[str, Any]] = {}
    for section in draw(st.lists(st.sampled_from(sorted(SECTIONS)) | toml_text, max_size=4, unique=True)):
        names = sorted(SECTIONS.get(section, {})) or ["x"]
        keys = draw(st.lists(st.sampled_from(names) | toml_text, max_size=4, unique=True))
        doc[section] = {key: draw(toml_values) for key in keys}
    return doc


def dotted(*parts: str) -> str:
    """A dotted key as the message must name it: TOML's bare keys as they are, any other key quoted."""
    return ".".join(p if re.fullmatch(r"[A-Za-z0-9_-]+", p) else json.dumps(p, ensure_ascii=False) for p in parts)


def check_refusal(error: ConfigError, path: Path) -> None:
    """A clear refusal: a known code, and every line says the file and what in it is wrong."""
    assert error.code in CODES, error.code
    message = str(error)
    assert message
    for line in message.split("\n"):
        assert line.startswith(f"{path}: "), f"line without the file name: {line!r}"
        assert len(line) > len(f"{path}: "), "no reason given"


@fuzz(150)
@given(st.binary(max_size=300))
@example(b"\xff\xfe[station]")
@example(b"a = " + b"[" * 3000)
@example(b"a = " + b"9" * 5000)
def test_random_bytes_only_raise_config_error(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "station.toml"
    path.write_bytes(data)
    try:
        load_config(path)
    except ConfigError as e:
        check_refusal(e, path)


@fuzz(200)
@given(documents())
@example({"station": {"data_dir": "~nosuchuser-sinopsis/data"}})
@example({"devices": {"sim_script": "~nosuchuser-sinopsis/script.txt"}})
@example({"devices": {"fingerprint_sdk": "~nosuchuser-sinopsis/libScanAPI.so"}})
@example({"station": {"data_dir": "data\x00dir"}})
@example({"station": {"data_dir": "~\x00"}})
def test_any_valid_toml_loads_or_names_the_key(tmp_path: Path, doc: dict[str, dict[str, Any]]) -> None:
    path = tmp_path / "station.toml"
    path.write_text(toml_document(doc), encoding="utf-8")
    try:
        config = load_config(path)
    except ConfigError as e:
        check_refusal(e, path)
        if e.code == "config.invalid":
            message = str(e)
            for section, keys in doc.items():
                if section not in SECTIONS:
                    assert f"{path}: {dotted(section)}: unknown key" in message
                    continue
                for key in keys:
                    if key not in SECTIONS[section]:
                        assert f"{path}: {dotted(section, key)}: unknown key" in message
        return
    assert isinstance(config, StationConfig) and config.station.data_dir.is_absolute()


CROSS_FIELD = {"offline": set(SECTIONS["offline"]), "agent": {"backoff_min_s", "backoff_max_s"}}  # min ≤ max on top
BOUNDED = [(section, key, field.metadata[0].ge, field.metadata[1].le, field.annotation)
           for section, fields in SECTIONS.items()
           for key, field in fields.items() if field.annotation in (int, float) and len(field.metadata) == 2
           and key not in CROSS_FIELD.get(section, ())]


@fuzz(200)
@given(st.sampled_from(BOUNDED), st.data())
def test_a_number_is_accepted_exactly_inside_its_range(tmp_path: Path, bounded: tuple, data: st.DataObject) -> None:
    section, key, low, high, kind = bounded
    near = st.sampled_from([low, high, low - 1, high + 1]) if kind is int else st.sampled_from(
        [low, high, math.nextafter(low, -math.inf), math.nextafter(high, math.inf)])
    value = data.draw(near | (st.integers(low - 10, high + 10) if kind is int else st.floats(low - 10, high + 10)))
    path = tmp_path / "station.toml"
    path.write_text(f"[{section}]\n{key} = {toml_value(value)}\n")
    try:
        config = load_config(path)
    except ConfigError as e:
        check_refusal(e, path)
        assert not low <= value <= high, f"{section}.{key} = {value} is in range but refused: {e}"
        assert f"{section}.{key}: " in str(e) and f"(got {value!r})" in str(e)
        return
    assert low <= value <= high and getattr(getattr(config, section), key) == value


@pytest.mark.parametrize(("text", "key"), [
    ('[station]\ndata_dir = "~nosuchuser-sinopsis/data"\n', "station.data_dir"),
    ('[devices]\nsim_script = "~nosuchuser-sinopsis/script.txt"\n', "devices.sim_script"),
    ('[devices]\nfingerprint_sdk = "~nosuchuser-sinopsis/libScanAPI.so"\n', "devices.fingerprint_sdk"),
    ('[station]\ndata_dir = "~\\u0000"\n', "station.data_dir"),
    ('[station]\ndata_dir = "data\\u0000dir"\n', "station.data_dir"),
    ('[keys]\nbroker_ca = "keys/ca\\u0000.pem"\n', "keys.broker_ca"),
    ('a = ' + '[' * 3000 + ']' * 3000 + '\n', None),
    ('a = ' + '9' * 5000 + '\n', None),
    ('[""]\nx = 1\n', '""'),
    ('["capture.thresholds"]\nface = 1\n', '"capture.thresholds"'),
    ('[capture]\n"max attempts\\nx" = 1\n', 'capture."max attempts\\nx"'),
])
def test_regression_refusals_found_by_fuzzing(tmp_path: Path, text: str, key: str | None) -> None:
    """Found by fuzzing: a '~user' path of a user that does not exist, a NUL after '~', TOML nested past the
    recursion limit and an integer past Python's 4300-digit limit escaped load_config as RuntimeError,
    ValueError or RecursionError instead of ConfigError; a path with a NUL byte was accepted (and crashed the
    station later); a section named "" was reported as "(top level)" and a key with a dot or newline was
    named ambiguously. Each is now a ConfigError naming the file, the dotted key (quoted as TOML quotes it)
    and the reason, on one line."""
    path = tmp_path / "station.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    check_refusal(err.value, path)
    if key is None:
        assert err.value.code == "config.syntax"
    else:
        assert err.value.code == "config.invalid" and str(err.value).startswith(f"{path}: {key}: ")
