"""A modal chooser of coded reasons (withdrawal, correction request, capture exception, keeping the best below
the threshold): one large button per code, the text translated, an optional photo step for capture exceptions
(the exception photo) and an optional confirmation (a withdrawal: the reason is chosen, then confirmed).

The popup never touches the station: it calls `on_choose(code, photo)` and, for the photo, `take_photo(on_done,
on_error)` (the Recording's worker does the camera work).
"""

from collections.abc import Callable, Sequence
from pathlib import Path

from kivy.app import App
from kivy.factory import Factory
from kivy.graphics.texture import Texture
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, ObjectProperty, StringProperty

from kiosk.widgets.debounce import PopupGuard

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


def texture_from_rgb(rgb: object) -> Texture:
    """An RGB uint8 array (H x W x 3, top row first) as a Kivy texture."""
    height, width = rgb.shape[:2]
    texture = Texture.create(size=(width, height), colorfmt="rgb")
    texture.flip_vertical()
    texture.blit_buffer(rgb.tobytes(), colorfmt="rgb", bufferfmt="ubyte")
    return texture


class ReasonPopup(PopupGuard):
    """Pick one of `codes` (msgids "reason.<code>"); with `needs_photo`, also take the exception photo first; with
    `confirm_text`, the choice is only made when that button is pressed."""

    title = StringProperty("")
    codes = ListProperty([])
    chosen = StringProperty("")
    needs_photo = BooleanProperty(False)
    photo_texture = ObjectProperty(None, allownone=True)
    message = StringProperty("")
    busy = BooleanProperty(False)
    confirm_text = StringProperty("")  # the confirm button's text when a choice needs confirming (no photo)

    def __init__(self, title: str, codes: Sequence[str], on_choose: Callable[..., None],
                 take_photo: Callable | None = None, targets: Sequence[str] = (), confirm_text: str = "",
                 **kwargs: object) -> None:
        """`targets`: the positions the exception may be for (a slap's fingers), the first chosen; then
        `on_choose(code, photo, target)`. Without targets, `on_choose(code, photo)`. `confirm_text`: picking a
        reason only selects it; the button with this text confirms (a withdrawal)."""
        super().__init__(size_hint=(0.92, 0.92), auto_dismiss=False, **kwargs)
        self.title, self.codes, self.confirm_text = title, list(codes), confirm_text
        self.on_choose, self.take_photo = on_choose, take_photo
        self.needs_photo = take_photo is not None
        self.photo: bytes | None = None
        self.target = targets[0] if targets else ""
        app = App.get_running_app()
        for code in self.codes:
            button = Factory.ReasonButton(text=app.t("reason." + code, app.lang))
            button.code = code
            button.bind(on_release=lambda b: self.pick(b.code))
            self.ids.reasons.add_widget(button)
        for position in targets if len(targets) > 1 else ():
            button = Factory.ReasonButton(text=app.t("short." + position, app.lang), selected=position == self.target)
            button.code = position
            button.bind(on_release=lambda b: self.aim(b.code))
            self.ids.targets.add_widget(button)

    def aim(self, position: str) -> None:
        """A finger of the slap was touched: the exception is for that one."""
        self.target = position
        for button in self.ids.targets.children:
            button.selected = button.code == position

    def pick(self, code: str) -> None:
        """A reason was touched: done, or (exception) wait for the photo."""
        self.chosen = code
        for button in self.ids.reasons.children:
            button.selected = button.code == code
        if not self.needs_photo and not self.confirm_text:
            self.confirm()

    def shoot(self) -> None:
        """Take the exception photo (on the capture worker)."""
        if self.busy or self.take_photo is None:
            return
        self.busy, self.message = True, ""
        self.take_photo(self._photo_taken, self._photo_failed)

    def _photo_taken(self, taken: tuple) -> None:
        self.busy = False
        self.photo, preview = taken
        self.photo_texture = texture_from_rgb(preview)

    def _photo_failed(self, error: BaseException) -> None:
        self.busy = False
        self.message = str(error)

    def confirm(self) -> None:
        """Hand the choice back and close."""
        if not self.chosen or (self.needs_photo and self.photo is None):
            return
        self.dismiss()
        if self.target:
            self.on_choose(self.chosen, self.photo, self.target)
        else:
            self.on_choose(self.chosen, self.photo)


Factory.register("ReasonPopup", cls=ReasonPopup)
