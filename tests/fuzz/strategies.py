"""Hostile-input strategies shared by the fuzz tests: JSON values, mutations of real bytes (flip, insert, delete,
cut, repeat), and text that breaks naive parsers (control characters, lone surrogates, non-ASCII digits,
separators, huge numbers, deep nesting)."""

import json
from typing import Any

from hypothesis import strategies as st

from contract import wire
from contract.wire import Message

# A few characters that have broken parsers before: NUL, CR/LF, separators, a BOM, a lone surrogate, Arabic-Indic
# and full-width digits (str.isdigit() says yes), a combining mark, '~' (home-directory expansion), and quotes.
NASTY_CHARS = "\x00\r\n\t ;,:|\"'\\/~.-+=@#\ufeff\ud800\u0661\uff11\u0301\u202e\x1b"

# st.text() never yields a lone surrogate, so the text is joined from single characters instead
nasty_text = st.lists(st.characters() | st.sampled_from(NASTY_CHARS), max_size=60).map("".join)

json_scalars = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True)
                | nasty_text)
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(nasty_text, inner, max_size=4), max_leaves=12)


def dumps(value: object) -> bytes:
    """JSON bytes of a value, surrogates and all (what a hostile sender can put on the wire)."""
    return json.dumps(value).encode("utf-8", "surrogatepass")


# Byte strings JSON parsers choke on: deep nesting, integers past Python's 4300-digit limit, NaN, bad UTF-8.
pathological_json = st.sampled_from([
    b"[" * 5000, b'{"a":' * 3000, b"9" * 5000, b'{"version": ' + b"1" * 4400 + b"}", b"NaN", b"-Infinity",
    b'"\\ud800"', b"\xff\xfe{}", b"\xef\xbb\xbf{}", b"", b"\x00", b"{}" * 100, b'{"a":1,"a":2}',
])


@st.composite
def mutated(draw: st.DrawFn, original: bytes) -> bytes:
    """`original` with one to three random edits: a flipped byte, an inserted run, a deleted or repeated stretch,
    a cut end. Never the original itself."""
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["flip", "insert", "delete", "repeat", "truncate"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "flip" and data:
            data[at] ^= draw(st.integers(1, 255))
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif kind == "delete" and data:
            del data[at:at + draw(st.integers(1, 16))]
        elif kind == "repeat" and data:
            data[at:at] = data[at:at + draw(st.integers(1, 16))]
        elif kind == "truncate":
            del data[at:]
    result = bytes(data)
    if result == original:  # e.g. two flips that cancel: make it differ for sure
        result = original + b"\x00"
    return result


@st.composite
def zip_directory_mutated(draw: st.DrawFn, archive: bytes) -> bytes:
    """A zip (an XLSX) with one to four bytes changed in the fixed fields of its central directory records and end
    record: what a zip reader parses before it reads any member (versions, flags, name lengths, offsets)."""
    records, at = [], archive.find(b"PK\x01\x02")
    while at >= 0:
        records.append((at, 46))  # a central directory record's fixed part
        at = archive.find(b"PK\x01\x02", at + 4)
    records.append((archive.rindex(b"PK\x05\x06"), 22))  # the end of central directory record
    data = bytearray(archive)
    for _ in range(draw(st.integers(1, 4))):
        start, size = draw(st.sampled_from(records))
        data[start + draw(st.integers(4, size - 1))] = draw(st.integers(0, 255))
    return bytes(data)


# every JSON message of the MQTT contract (contract/wire.py)
MESSAGE_MODELS = sorted((m for m in vars(wire).values()
                         if isinstance(m, type) and issubclass(m, Message) and m is not Message),
                        key=lambda m: m.__name__)


# plausible field values, so shaped objects often pass all but one check (2**63 is one past a database integer)
NEAR_VALUES: list[Any] = [
    0, 1, -1, "", "x", "2026-11-25T08:00:00Z", None, [], {}, True, 2 ** 63 - 1, 2 ** 63, 2 ** 64, 1e308, "r1", "st-a",
    "sync_now", "online", "kk_mismatch", "+6281234567890", "a" * 64, "0" * 64, [{"record_id": "r1", "code": "x"}],
    [{"record_id": "r1", "seq": 1, "sha256": "0" * 64, "size": 1}], {"a": 1}, {"a": True}, {"a": "b"},
]


@st.composite
def shaped_objects(draw: st.DrawFn, model: type[Message]) -> bytes:
    """A JSON object with some of the model's fields (and maybe an unknown one), each any JSON value or a
    plausible one (so most objects are near misses, not hopeless)."""
    fields = sorted(model.model_fields)
    chosen = draw(st.lists(st.sampled_from(fields), unique=True, max_size=len(fields)))
    obj: dict[str, Any] = {name: draw(json_values | st.sampled_from(NEAR_VALUES)) for name in chosen}
    if draw(st.booleans()):
        obj.update(draw(st.dictionaries(nasty_text, json_values, max_size=1)))
    return dumps(obj)
