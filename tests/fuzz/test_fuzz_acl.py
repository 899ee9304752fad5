"""The broker's ACL (provisioning/broker.py `acl_text`) read the way mosquitto's acl_file reads it — `user`
blocks of `topic` rules, `pattern` rules for every client with `%u` replaced by its username, a rule matching
by MQTT topic-filter rules (paho's `topic_matches_sub`) — and asked about random station ids and random topics:
no topic a station may write is readable by any station (itself included: no station-to-station path), a
station writes only under its own `st/<id>/` what HQ reads, it reads only its own topics HQ writes and HQ's
ingest state, and HQ never writes what it reads outside its own `hq/` topics. tests/provisioning/test_broker.py
and test_broker_tls.py prove on a real mosquitto that the broker applies these rules.
"""

from hypothesis import given
from hypothesis import strategies as st
from paho.mqtt.client import topic_matches_sub

from contract.wire import INGEST_STATE, PREFIX
from provisioning.broker import acl_text
from tests.fuzz.profiles import fuzz

HQ_USERS = ("hq-ingest", "hq-web")
ACCESS = {"read": {"read"}, "write": {"write"}, "readwrite": {"read", "write"}}


def _rules(text: str) -> list[tuple[str | None, str, set[str], str]]:
    """(user or None for a pattern, kind, access, topic filter) for each rule line of the ACL file."""
    rules, current = [], None
    for words in (line.split() for line in text.splitlines()):
        if words and words[0] == "user":
            current = words[1]
        elif words:
            rules.append((current if words[0] == "topic" else None, words[0], ACCESS[words[1]], words[2]))
    return rules


RULES = _rules(acl_text(HQ_USERS))


def allowed(user: str, topic: str, access: str) -> bool:
    """Whether mosquitto's acl_file grants `user` `access` ("read" or "write") on `topic`."""
    return any(access in can and topic_matches_sub(rule.replace("%u", user) if kind == "pattern" else rule, topic)
               for owner, kind, can, rule in RULES if kind == "pattern" or owner == user)


station_ids = st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9._-]{0,20}\Z").filter(
    lambda s: not s.lower().startswith("hq"))  # provisioning/enrolment.py reserves HQ's names
LEVELS = ["sinopsis", "v1", "st", "hq", "ingest", "state", "up", "batch", "correction", "ack", "cmd", "job",
          "desired", "status", "health", "reported", "", "$share", "x"]


@st.composite
def topics(draw: st.DrawFn, ids: list[str]) -> str:
    """A topic a client could publish on: mostly station-shaped, with known and unknown levels."""
    levels = st.sampled_from(LEVELS + ids) | st.text(st.characters(exclude_characters="/+#\x00"), max_size=6)
    tail = draw(st.lists(levels, min_size=0, max_size=4))
    head = draw(st.sampled_from([[PREFIX, "st", draw(st.sampled_from(ids))], [PREFIX, "hq"], [PREFIX], []]))
    return "/".join([*head, *tail]) or "x"


@fuzz(200)
@given(data=st.data())
def test_no_topic_lets_a_station_speak_to_a_station_or_for_hq(data: st.DataObject) -> None:
    a, b = data.draw(station_ids), data.draw(station_ids)
    topic = data.draw(topics([a, b]))
    hq = data.draw(st.sampled_from(HQ_USERS))
    for station in (a, b):
        if allowed(station, topic, "write"):
            assert not allowed(a, topic, "read") and not allowed(b, topic, "read"), topic
            assert topic.startswith(f"{PREFIX}/st/{station}/") and allowed(hq, topic, "read"), topic
            assert not allowed(hq, topic, "write"), f"{topic}: HQ could forge what {station} sends"
        if allowed(station, topic, "read"):
            assert topic == INGEST_STATE or topic.startswith(f"{PREFIX}/st/{station}/"), topic
            assert allowed(hq, topic, "write"), topic
    if allowed(hq, topic, "write") and allowed(hq, topic, "read"):
        assert f"{topic}/".startswith(f"{PREFIX}/hq/"), f"{topic}: HQ would read its own messages as a station's"


def test_the_named_topics_go_one_way() -> None:
    """Each topic of the MQTT contract (DESIGN.md §7) by its direction, for a station and HQ."""
    s, other = "st-1", "st-2"
    up = ["status", "health", "reported", "job/j-1", "up/batch", "up/correction"]
    down = ["desired", "cmd/j-1", "ack", "correction/ack"]
    for leaf in up:
        topic = f"{PREFIX}/st/{s}/{leaf}"
        assert allowed(s, topic, "write") and not allowed(s, topic, "read"), topic
        assert allowed("hq-ingest", topic, "read") and not allowed("hq-ingest", topic, "write"), topic
    for leaf in down:
        topic = f"{PREFIX}/st/{s}/{leaf}"
        assert allowed(s, topic, "read") and not allowed(s, topic, "write"), topic
        assert allowed("hq-ingest", topic, "write") and not allowed("hq-ingest", topic, "read"), topic
    for leaf in up + down:
        topic = f"{PREFIX}/st/{s}/{leaf}"
        assert not allowed(other, topic, "read") and not allowed(other, topic, "write"), topic
    assert allowed(s, INGEST_STATE, "read") and not allowed(s, INGEST_STATE, "write")
    assert allowed("hq-ingest", INGEST_STATE, "write") and allowed("hq-ingest", INGEST_STATE, "read")
