"""What each kiosk screenshot claims to show, checked on the live widget tree before the PNG is written.

A screenshot's name is a promise to the reader of the docs: `review` is a review with a thumbnail and a score (or
an exception) for every position, `saved` the saved screen with its receipt number, `queue-board` a board with
students waiting and one being served. The set-up of a state (sinopsis/screenshots.py) can go wrong silently — a
refresh from the station overwriting what was set, a worker's answer not back yet, a state left over from the
previous one — so `problems(stem, app)` reads what the window really shows (the widgets' text, textures, children,
visibility, the popups open) and says what is missing; `sinopsis kiosk screenshots` and its test save nothing
that fails. One row per screenshot in CLAIMS: the screen that must be current, then checks over its widgets.
No Kivy import at module level: the screenshot process sets the window size before Kivy starts.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Check = Callable[[Any, Any], str | None]  # (app, root widget: the screen, or the popup open) -> what is wrong


def shown(widget: Any) -> bool:
    """The widget is drawn: it and every parent are not transparent, and it has a size."""
    if widget.width <= 1 or widget.height <= 1:
        return False
    while widget is not None:
        if getattr(widget, "opacity", 1) == 0:
            return False
        widget = None if widget.parent is widget else widget.parent  # the Window is its own parent
    return True


def _widget(root: Any, wid: str) -> Any:
    widget = root.ids.get(wid)
    if widget is None:
        raise KeyError(f"{type(root).__name__} has no widget {wid!r}")
    return widget


def _text(widget: Any) -> str:
    """A label's or button's text; a row's value (the identity check's rows)."""
    return getattr(widget, "text", None) if hasattr(widget, "text") else str(getattr(widget, "value", ""))


def text(wid: str, pattern: str = r"\S", what: str = "") -> Check:
    """ids[wid] is shown and its text matches the regular expression `pattern` (`what` names it in the problem)."""
    def check(_app: Any, root: Any) -> str | None:
        widget = _widget(root, wid)
        if not shown(widget):
            return f"{wid} is not shown"
        if not re.search(pattern, _text(widget)):
            return f"{wid} shows {_text(widget)[:60]!r}, not {what or pattern}"
        return None
    return check


def says(wid: str, msgid: str, **values: Any) -> Check:
    """ids[wid] is shown and its text contains the translation of `msgid` (in the language shown)."""
    def check(app: Any, root: Any) -> str | None:
        expected = app.t(msgid, app.lang, **values)
        return text(wid, re.escape(expected), repr(expected))(app, root)
    return check


def blank(wid: str) -> Check:
    """ids[wid] shows no text (no error left over from another state)."""
    def check(_app: Any, root: Any) -> str | None:
        widget = _widget(root, wid)
        return f"{wid} shows {widget.text[:60]!r}" if shown(widget) and widget.text.strip() else None
    return check


def button(wid: str, enabled: bool = True) -> Check:
    """ids[wid] is shown, enabled (or, with enabled=False, shown but disabled)."""
    def check(_app: Any, root: Any) -> str | None:
        widget = _widget(root, wid)
        if not shown(widget):
            return f"button {wid} is not shown"
        if widget.disabled == enabled:
            return f"button {wid} is {'disabled' if enabled else 'enabled'}"
        return None
    return check


def hidden(wid: str) -> Check:
    """ids[wid] is not shown."""
    def check(_app: Any, root: Any) -> str | None:
        return f"{wid} is shown" if shown(_widget(root, wid)) else None
    return check


def picture(wid: str) -> Check:
    """ids[wid] (an Image) is shown with a picture in it."""
    def check(_app: Any, root: Any) -> str | None:
        widget = _widget(root, wid)
        if not shown(widget):
            return f"picture {wid} is not shown"
        return f"picture {wid} is empty" if widget.texture is None else None
    return check


def children(wid: str, at_least: int, kind: str = "") -> Check:
    """ids[wid] holds at least `at_least` shown children (of class `kind`, when given)."""
    def check(_app: Any, root: Any) -> str | None:
        found = [c for c in _widget(root, wid).children if shown(c) and (not kind or type(c).__name__ == kind)]
        return None if len(found) >= at_least else f"{wid} holds {len(found)} {kind or 'widgets'}, not {at_least}+"
    return check


def lines(wid: str, pattern: str, at_least: int) -> Check:
    """ids[wid] is shown with at least `at_least` lines matching `pattern` (a board's queue numbers)."""
    def check(_app: Any, root: Any) -> str | None:
        widget = _widget(root, wid)
        found = [line for line in widget.text.splitlines() if re.search(pattern, line)] if shown(widget) else []
        return None if len(found) >= at_least else f"{wid} lists {len(found)} ({widget.text[:60]!r}), not {at_least}+"
    return check


def circles(wid: str, count: int) -> Check:
    """ids[wid]'s canvas.after draws `count` visible ellipses of a size (the iris's pupil and limbus)."""
    def check(_app: Any, root: Any) -> str | None:
        from kivy.graphics import Color, Line

        alpha, drawn = 1.0, 0
        for instruction in _widget(root, wid).canvas.after.children:
            if isinstance(instruction, Color):
                alpha = instruction.a
            elif isinstance(instruction, Line) and alpha > 0 and instruction.ellipse and \
                    min(instruction.ellipse[2:4]) > 4 and len(instruction.points) > 4:
                drawn += 1
        return None if drawn >= count else f"{wid} draws {drawn} circles, not {count}"
    return check


def finger_shown(_app: Any, screen: Any) -> str | None:
    """The capture screen is at a finger's position (a state about the fingerprint scanner shows a finger)."""
    from station.capture.policy import FINGERS

    return None if screen.position in FINGERS else f"the screen is at {screen.position!r}, not a finger"


def no_white_box(wid: str) -> Check:
    """ids[wid], an Image without a picture, draws nothing over its dark box (Kivy draws a textureless Image as a
    white rectangle in its `color`)."""
    def check(_app: Any, root: Any) -> str | None:
        image = _widget(root, wid)
        if image.texture is not None:
            return f"{wid} shows a picture"
        return None if image.color[3] == 0 else f"{wid} draws a white box where there is no picture"
    return check


def review_tiles(_app: Any, screen: Any) -> str | None:
    """Every captured position has its tile: a picture (an exception may have none) and a score or a reason."""
    results = screen.app.recording.results() if screen.app.recording is not None else {}
    tiles = {t.position: t for t in screen.ids.grid.children if shown(t)}
    if not results or set(tiles) != set(results):
        return f"the review shows {len(tiles)} tiles for {len(results)} results"
    for position, tile in tiles.items():
        result = results[position]
        if result.image is not None and tile.ids.picture.texture is None:
            return f"the tile of {position} has no picture"
        said = str(result.score) if result.score is not None else "\n" if result.outcome == "exception" else ""
        if said not in tile.caption:
            return f"the tile of {position} says {tile.caption!r}: not its score nor its reason"
    return None


def bar(wid: str, pattern: str = r"\S", what: str = "") -> Check:
    """The screen's status bar shows ids[wid] (link, outbox, devices, disk, battery, printer) matching `pattern`."""
    def check(app: Any, screen: Any) -> str | None:
        problem = text(wid, pattern, what)(app, screen.ids.status)
        return f"status bar: {problem}" if problem else None
    return check


def bar_says(wid: str, msgid: str) -> Check:
    """The status bar's ids[wid] says the translation of `msgid` (a printer state: printer.paper_out)."""
    def check(app: Any, screen: Any) -> str | None:
        expected = app.t(msgid, app.lang)
        return bar(wid, re.escape(expected), repr(expected))(app, screen)
    return check


def count(msgid: str, at_least: int) -> Check:
    """The end-of-day row named `msgid` ("Recorded") shows a number of at least `at_least`."""
    def check(app: Any, screen: Any) -> str | None:
        name = app.t(msgid, app.lang)
        row = next((r for r in screen.ids.count_rows.children if getattr(r, "name", None) == name), None)
        value = re.sub(r"\[/?color[^]]*\]", "", row.value) if row is not None else ""
        return None if value.isdigit() and int(value) >= at_least else f"the row {name!r} shows {value!r}"
    return check


@dataclass(frozen=True)
class Claim:
    """`screen` is current; with `popup`, a popup of that class is open on top (the checks run over it), and
    `under` are checked over the screen beneath."""

    screen: str
    checks: tuple[Check, ...]
    popup: str = ""
    under: tuple[Check, ...] = ()


NUMBER = r"\b\d{3}\b"  # a queue number as the kiosk shows it (007)
RECEIPT = r"[A-Z]{2}-[A-Z0-9-]+-\d{6}"  # a record's receipt number (ST-PKU-01-000001)
LIVE = (picture("preview"), text("score", r"\d", "a score"), text("state", r"\S", "what is wrong or under way"))
CAPTURE_POPUP = (text("position", r"\S", "the position"),)
SAVED = (says("title", "Saved"), text("hint", RECEIPT, "the receipt number"), review_tiles, says("save", "Call next"))

CLAIMS: dict[str, Claim] = {
    "welcome": Claim("welcome", (button("start"), button("operator"), button("board"))),
    "nik": Claim("nik_entry", (text("field", r"\d{6} \d", "NIK digits"), blank("error"))),
    "nik-error": Claim("nik_entry", (text("field", r"\d"), text("error"))),
    "birth-date": Claim("nik_entry", (text("field", r"^\d\d \d\d \d{4}$", "the date from the NIK"),
                                      blank("error"))),
    "confirm": Claim("confirm", (text("name"), text("school"), button("yes"), button("no"))),
    "phone": Claim("phone", (text("field", r"\d{4}"), blank("error"), text("use_listed", r"\d{4}", "the roster's"))),
    "phone-error": Claim("phone", (text("field", r"\d"), text("error"))),
    "phone-busy": Claim("phone", (text("field", r"\d{10}"), text("error"))),
    "ticket": Claim("ticket", (text("number", NUMBER), says("slip", "Remember your number {number}.", number="042"),
                               hidden("print_again"))),
    "ticket-printing": Claim("ticket", (text("number", NUMBER), says("slip", "Your slip is being printed…"))),
    "ticket-printed": Claim("ticket", (text("number", NUMBER), says("slip", "Take your slip from the printer."))),
    "ticket-failed": Claim("ticket", (text("number", NUMBER), text("slip", NUMBER), button("print_again"))),
    "not-on-list": Claim("problem", (text("title"), text("message"), button("restart"))),
    "already-recorded": Claim("problem", (text("title"), text("message"))),
    "already-in-queue": Claim("problem", (text("title"), text("message", NUMBER, "their queue number"))),
    "mismatch": Claim("problem", (text("title"), text("message"), button("help"))),
    "help": Claim("help", (text("contacts", r"\d{4}", "a number to call"), text("qr_caption"))),
    "correction": Claim("correction", (button("name_mismatch"), button("kk_mismatch"), button("other"))),
    "correction-phone": Claim("phone", (text("field", r"\d"), blank("error"))),
    "correction-sent": Claim("correction_sent", (text("title"), text("reason"), text("message", r"\d{4}"))),
    "correction-already": Claim("correction_sent", (text("title"), text("reason"))),
    "queue-board": Claim("board", (text("serving", NUMBER, "the number served"), lines("next", NUMBER, 2),
                                   button("back"), hidden("start"))),
    "checkin-board": Claim("board", (text("serving", NUMBER, "the number served"), lines("next", NUMBER, 2),
                                     button("start"), text("qr_first"), button("help"))),
    "operator-login": Claim("operator_login", (children("team", 2), text("pin", "•"))),
    "operator-queue": Claim("operator_queue", (text("current", NUMBER, "the student called"),
                                               text("waiting", NUMBER, "numbers waiting"), button("record"),
                                               button("not_here"))),
    "operator-queue-passed": Claim("operator_queue", (text("waiting", NUMBER, "numbers waiting"),
                                                      children("passed_box", 2, "RecallButton"), button("call_next"),
                                                      bar("link", r"\d\d[.:]\d\d", "offline since"), bar("devices"),
                                                      bar_says("printer", "printer.paper_low"))),
    "operator-locked": Claim("operator_login", (says("title", "Screen locked"), text("hint"), hidden("unlock"))),
    "operator-login-leader": Claim("operator_login", (text("error"), button("unlock"),
                                                      says("unlock", "Unlock with the team leader's PIN"))),
    "day-summary": Claim("day_summary", (text("heading"), count("Recorded", 1), count("Not yet sent to HQ", 1),
                                         text("details"), button("reprint"), bar("devices"))),
    "identity-check": Claim("identity", (text("name", r"\w\w", "a name"), text("nik", r"\d{16}"), button("confirm"))),
    "capture-face": Claim("capture", (*LIVE, says("state", "problem.FACE_OFF_CENTRE"), text("backdrop"),
                                      says("start", "Stop"))),
    "capture-fingers": Claim("capture", (*LIVE, says("state", "problem.LOW_CONTRAST"), text("attempt", r"\d"),
                                         button("keep_best"), button("more_attempts"),
                                         button("exception"))),
    "capture-iris": Claim("capture", (*LIVE, circles("preview", 2), says("start", "Stop"))),
    "capture-iris-glare": Claim("capture", (*LIVE, says("state", "problem.IRIS_REFLECTION"), says("start", "Stop"))),
    "capture-no-device": Claim("capture", (finger_shown, says("state", "state.no_device"), no_white_box("preview"),
                                           button("exception"), button("start"),
                                           bar("devices", "sidik jari|fingerprint", "the missing scanner"))),
    "capture-exception": Claim("capture", (children("reasons", 4), button("shoot")), "ReasonPopup", CAPTURE_POPUP),
    "capture-keep-best": Claim("capture", (children("reasons", 5), button("cancel")), "ReasonPopup", CAPTURE_POPUP),
    "capture-more-attempts": Claim("capture", (text("title"), text("note"), button("cancel")), "SupervisorPopup",
                                   CAPTURE_POPUP),
    "capture-withdraw": Claim("capture", (children("reasons", 3), button("confirm"),
                                          says("confirm", "Withdraw the student")), "ReasonPopup", CAPTURE_POPUP),
    "review": Claim("review", (review_tiles, says("title", "Check the captures"), button("save"))),
    "review-preview": Claim("review", (picture("picture"), text("caption", r"\d", "its score"), button("discard")),
                            "CapturePreview", (review_tiles,)),
    "saved": Claim("review", (*SAVED, hidden("print_again"))),
    "saved-print-failed": Claim("review", (*SAVED, button("print_again"), bar_says("printer", "printer.paper_out"))),
    "save-disk-full": Claim("review", (review_tiles, text("hint"), button("save"))),
}


def problems(stem: str, app: Any) -> list[str]:
    """What the window does not show of what `stem` claims ([] when it shows it all); a stem without a claim is
    itself a problem (every screenshot states what it shows)."""
    from kivy.core.window import Window

    claim = CLAIMS.get(stem)
    if claim is None:
        return [f"{stem}: no claim in sinopsis/screenshot_claims.py"]
    if app.root.current != claim.screen:
        return [f"{stem}: the screen shown is {app.root.current}, not {claim.screen}"]
    screen = app.root.get_screen(claim.screen)
    popups = [w for w in Window.children if type(w).__name__ == claim.popup] if claim.popup else []
    if claim.popup and not popups:
        return [f"{stem}: no {claim.popup} open"]
    checks = [(popups[-1] if claim.popup else screen, c) for c in claim.checks] + [(screen, c) for c in claim.under]
    found = []
    for root, check in checks:
        try:
            problem = check(app, root)
        except (KeyError, AttributeError) as e:  # a claim naming a widget the screen does not have
            problem = f"the claim does not fit the screen: {e}"
        if problem:
            found.append(problem)
    return [f"{stem}: {p}" for p in found]
