"""Issue 19 point 3, station.toml: every value must have its own TOML type (no bool for a number, no quoted
number, no quoted switch, no decimal for a whole number; a whole number may stand for a decimal one), numbers are
finite, text holds no control, direction or zero-width character, and pairs of limits agree. Each refusal names
the file, the section.field, the rule, the value given and (for a single key) the default to write instead."""

import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contract.errors import ConfigError
from station.config import StationConfig, load_config
from tests.fuzz.profiles import fuzz

WHOLE = "must be a whole number written without quotes (not true/false, not a decimal)"
NUMBER = "must be a number written without quotes (not true/false)"
SWITCH = "must be true or false written without quotes"


def _refusal(tmp_path: Path, text: str) -> str:
    path = tmp_path / "station.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert err.value.code == "config.invalid"
    message = str(err.value)
    assert all(line.startswith(f"{path}: ") for line in message.split("\n")), message
    return message.removeprefix(f"{path}: ")


@pytest.mark.parametrize(("text", "expected"), [
    ("[capture.thresholds]\nfinger = true\n", f"capture.thresholds.finger: {WHOLE} (got True); the default is "
                                              "finger = 40"),
    ("[capture]\nmax_attempts = false\n", f"capture.max_attempts: {WHOLE} (got False)"),
    ('[broker]\nport = "1883"\n', f"broker.port: {WHOLE} (got '1883'); the default is port = 1883"),
    ("[session]\nidle_logout_s = 300.0\n", f"session.idle_logout_s: {WHOLE} (got 300.0)"),
    ('[broker]\ntls = "yes"\n', f"broker.tls: {SWITCH} (got 'yes'); the default is tls = false"),
    ("[broker]\ntls = 1\n", f"broker.tls: {SWITCH} (got 1)"),
    ("[capture]\nconfirm_fingers = \"false\"\n", f"capture.confirm_fingers: {SWITCH} (got 'false')"),
    ("[agent]\nbackoff_min_s = true\n", f"agent.backoff_min_s: {NUMBER} (got True); the default is "
                                        "backoff_min_s = 1.0"),
    ('[capture]\ntimeout_s = "10"\n', f"capture.timeout_s: {NUMBER} (got '10')"),
    ("[agent]\nbackoff_max_s = nan\n", "agent.backoff_max_s: must be a finite number (not nan or inf) (got nan)"),
    ("[retention]\npurge_every_h = inf\n", "retention.purge_every_h: must be a finite number (not nan or inf)"),
    ("[station]\nid = 7\n", "station.id: must be text in double quotes (got 7)"),
    ("[helpdesk]\nsocial = [1]\n", "helpdesk.social.0: must be text in double quotes (got 1)"),
    ("[station]\ndata_dir = 5\n", "station.data_dir: Input is not a valid path"),
])
def test_a_value_of_another_type_is_refused_not_converted(tmp_path, text, expected):
    assert expected in _refusal(tmp_path, text)


@pytest.mark.parametrize(("text", "expected"), [
    ("[agent]\nbackoff_min_s = 50.0\nbackoff_max_s = 10.0\n",
     "agent: backoff_min_s (50) must not be above backoff_max_s (10): the first wait is the shortest; lower the "
     "first or raise the second"),
    ("[agent]\nbackoff_min_s = 2.5\nbackoff_max_s = 2\n", "agent: backoff_min_s (2.5) must not be above"),
    ("[offline]\nwarn_after_days = 6.0\nblock_after_days = 5.0\n", "offline: warn_after_days (6) must not be above "
                                                                   "block_after_days (5): the warning comes first"),
    ("[offline]\nwarn_unsent = 900\n", "offline: warn_unsent (900) must not be above block_unsent (800)"),
    ("[capture.face]\nmin_eye_distance_px = 200.0\n", "capture.face: best_eye_distance_px (120) must not be below "
                                                      "min_eye_distance_px (200); raise the first or lower the second"),
])
def test_limits_that_belong_together_are_checked_together(tmp_path, text, expected):
    assert _refusal(tmp_path, text).startswith(expected)


@pytest.mark.parametrize(("text", "expected"), [
    ('[helpdesk]\ncall_centre = "0761\\u202e123"\n', "helpdesk.call_centre: has U+202E (an invisible direction or "
                                                     "zero-width character), which a name or label never has; remove "
                                                     "it (got '0761\\u202e123')"),
    ('[helpdesk]\nsocial = ["ig.com/a\\u200b"]\n', "helpdesk.social: has U+200B"),
    ('[station]\ndata_dir = "data\\u0000dir"\n', "station.data_dir: has U+0000 (a control character)"),
    ('[keys]\nbroker_ca = "ca\\n.pem"\n', "keys.broker_ca: has U+000A (a control character)"),
    ('[devices]\nfingerprint_sdk = "/opt/lib\\u2066.so"\n', "devices.fingerprint_sdk: has U+2066"),
    ('[broker]\nhost = "hq.example id"\n', "broker.host: must be a DNS name or an IP address: letters, digits and "
                                           ". - : [ ] only, no spaces (got 'hq.example id')"),
    ("[broker]\nhosts = \"hq\"\n", "broker.hosts: unknown key (check the spelling)"),
])
def test_text_without_invisible_characters_and_unknown_keys_refused(tmp_path, text, expected):
    assert expected in _refusal(tmp_path, text)


def test_a_whole_number_stands_for_a_decimal_and_the_kit_template_loads(tmp_path):
    from provisioning.kit_image import render_station_toml

    path = tmp_path / "station.toml"
    path.write_text("[agent]\nbackoff_min_s = 2\nbackoff_max_s = 2\n[broker]\nhost = \"[::1]\"\n")
    config = load_config(path)
    assert (config.agent.backoff_min_s, config.agent.backoff_max_s, config.broker.host) == (2.0, 2.0, "[::1]")
    path.write_text(render_station_toml("st-pku-07", "hq.disdukcapil.example", 8883))
    assert load_config(path).broker.port == 8883


TYPED = [(section, key, field.annotation) for section, model in StationConfig.model_fields.items()
         for key, field in model.annotation.model_fields.items() if field.annotation in (int, float, bool)]
WRONG = {int: st.booleans() | st.floats(allow_nan=False) | st.integers().map(str),
         float: st.booleans() | st.floats().map(str) | st.sampled_from([math.nan, math.inf, -math.inf]),
         bool: st.integers(0, 1) | st.sampled_from(["true", "yes", "1", "on"])}


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else "inf" if value > 0 else "-inf"
    return f'"{value}"' if isinstance(value, str) else repr(value)


@fuzz(60)
@given(st.sampled_from(TYPED), st.data())
def test_any_value_of_the_wrong_type_is_refused_naming_the_key(tmp_path_factory, typed, data):
    section, key, kind = typed
    value = data.draw(WRONG[kind])
    path = tmp_path_factory.mktemp("strict") / "station.toml"
    path.write_text(f"[{section}]\n{key} = {_toml(value)}\n")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert str(err.value).startswith(f"{path}: {section}.{key}: must be "), str(err.value)
