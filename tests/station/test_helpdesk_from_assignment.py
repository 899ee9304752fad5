"""The help desk's contacts reach the station in the signed assignment (`help_desk`, from HQ's help-desk setting):
station.helpdesk.help_desk_for merges them over the config's [helpdesk] — a real store, real signed bundles
imported the way the agent imports them; a malformed `help_desk` refuses the whole bundle with the reason."""

import pytest

from contract.assignment import verify_bundle
from contract.errors import AssignmentError
from sinopsis.demo_data import DEMO_STATION_ID
from station.helpdesk import HelpDesk, help_desk_for
from station.roster import current_assignment, import_assignment

OFFICE = {"call_centre": "(0761) 123456", "whatsapp": "0811-7600-001", "instagram": "@dukcapil.pku",
          "facebook": "https://facebook.com/dukcapilpku", "x": "@dukcapil_pku",
          "website": "https://disdukcapil.pekanbaru.go.id", "hours": "Senin–Jumat 07.30–16.00"}


def with_help_desk(help_desk):
    def edit(content):
        content["help_desk"] = help_desk
    return edit


def imported(store, keys, make_bundle, version=1, help_desk=None):
    edit = with_help_desk(help_desk) if help_desk is not None else None
    return import_assignment(store, make_bundle(version, edit), keys.hq_sign.public_key(), station_id=DEMO_STATION_ID,
                             min_age=16)


def test_without_an_assignment_the_config_speaks(store, station_config):
    assert help_desk_for(store, station_config) == HelpDesk(
        "(0761) 000000", "0811-0000-0000", ("instagram.com/disdukcapil.pekanbaru",), "", "config")


def test_an_assignment_without_help_desk_leaves_the_config(store, keys, make_bundle, station_config):
    imported(store, keys, make_bundle)
    desk = help_desk_for(store, station_config)
    assert (desk.whatsapp, desk.source) == (station_config.helpdesk.whatsapp, "config")


def test_the_assignments_contacts_are_shown(store, keys, make_bundle, station_config):
    result = imported(store, keys, make_bundle, help_desk=OFFICE)
    assert result.outcome == "imported"
    assert help_desk_for(store, station_config) == HelpDesk(
        "(0761) 123456", "0811-7600-001",
        ("Instagram: @dukcapil.pku", "facebook.com/dukcapilpku", "X: @dukcapil_pku", "disdukcapil.pekanbaru.go.id"),
        "Senin–Jumat 07.30–16.00", "assignment")


def test_what_the_assignment_leaves_out_comes_from_the_config(store, keys, make_bundle, station_config):
    imported(store, keys, make_bundle, help_desk={"whatsapp": "0812-0000-1111"})
    desk = help_desk_for(store, station_config)
    assert desk.whatsapp == "0812-0000-1111"
    assert desk.call_centre == station_config.helpdesk.call_centre
    assert desk.social == tuple(station_config.helpdesk.social) and desk.hours == ""


@pytest.mark.parametrize(("url", "shown"), [
    ("https://www.instagram.com/dukcapil.pku/", "instagram.com/dukcapil.pku"),
    ("HTTP://Facebook.com/x", "Facebook.com/x"), ("x.com/dukcapil", "x.com/dukcapil")])
def test_addresses_are_shown_short(url, shown):
    from contract.assignment import HelpDeskContacts
    from station.helpdesk import social_lines

    assert social_lines(HelpDeskContacts(instagram=url)) == (shown,)


def test_a_newer_assignment_brings_the_newer_contacts(store, keys, make_bundle, station_config):
    imported(store, keys, make_bundle, 1, help_desk=OFFICE)
    imported(store, keys, make_bundle, 2, help_desk={**OFFICE, "whatsapp": "0811-7600-999"})
    assert help_desk_for(store, station_config).whatsapp == "0811-7600-999"


@pytest.mark.parametrize(("help_desk", "reason"), [
    ({**OFFICE, "whatsapp": "0" * 3000}, "help_desk.whatsapp: String should have at most 40 characters"),
    ({**OFFICE, "hours": "x" * 101}, "help_desk.hours: String should have at most 100 characters"),
    ({**OFFICE, "telegram": "@dukcapil"}, "help_desk.telegram: unknown field"),
    ({**OFFICE, "call_centre": 761123456}, "help_desk.call_centre: Input should be a valid string"),
    ("call 0761 123456", "help_desk: Input should be a valid dictionary"),
])
def test_a_malformed_help_desk_refuses_the_bundle_with_the_reason(store, keys, make_bundle, station_config,
                                                                   help_desk, reason):
    path = make_bundle(1, with_help_desk(help_desk))
    with pytest.raises(AssignmentError) as refused:
        import_assignment(store, path, keys.hq_sign.public_key(), station_id=DEMO_STATION_ID, min_age=16)
    assert refused.value.code == "assignment.schema"
    assert f"assignment: {reason}" in str(refused.value) and "nothing was imported" in str(refused.value)
    assert current_assignment(store.conn) is None  # all or nothing
    assert help_desk_for(store, station_config).source == "config"


def test_the_verified_content_keeps_the_contacts(keys, make_bundle):
    path = make_bundle(1, with_help_desk(OFFICE))
    verified = verify_bundle(path.read_bytes(), keys.hq_sign.public_key(), station_id=DEMO_STATION_ID)
    assert verified.content.help_desk.model_dump() == OFFICE


def test_a_help_desk_changed_after_signing_breaks_the_signature(keys, make_bundle, store):
    import json

    path = make_bundle(1, with_help_desk(OFFICE))
    bundle = json.loads(path.read_text())
    bundle["content"]["help_desk"]["whatsapp"] = "0899-9999-9999"  # someone redirects the students' chats
    path.write_text(json.dumps(bundle))
    with pytest.raises(AssignmentError) as refused:
        import_assignment(store, path, keys.hq_sign.public_key(), station_id=DEMO_STATION_ID, min_age=16)
    assert refused.value.code == "assignment.signature"
