"""The day's slips, to print one again: one row per student of the current assignment with a slip (the
acknowledgement of a saved record, the queue slip of one still waiting), each with its own "Print again" button
and what became of it. Opened from the end-of-day screen; every reprint is audited with the operator's id
(kiosk/reprint.py, station/reprint.py)."""

from pathlib import Path

from kivy.app import App
from kivy.factory import Factory
from kivy.lang import Builder
from kivy.properties import ListProperty, StringProperty

from kiosk.reprint import reprint
from kiosk.widgets.debounce import PopupGuard

Builder.load_file(str(Path(__file__).with_suffix(".kv")))

STATE_MSGIDS = {"printing": "Printing…", "printed": "Printed", "failed": "Not printed: see the status bar"}


class ReprintPopup(PopupGuard):
    """Lists `rows` (station.reprint.SlipRow) read through app.services.todays_slips when opened."""

    rows = ListProperty([])
    message = StringProperty("")  # a msgid: nothing to print, or the list could not be read

    def __init__(self, **kwargs: object) -> None:
        super().__init__(size_hint=(0.94, 0.94), auto_dismiss=False, **kwargs)
        self.app = App.get_running_app()
        self.app.services.todays_slips(self._got, self._unread)

    def _unread(self, _error: object) -> None:
        self.message = "The list could not be read. Close and try again."

    def _got(self, rows: list) -> None:
        self.rows = rows
        self.message = "" if rows else "No slips to print today yet."
        box = self.ids.slips
        box.clear_widgets()
        for row in rows:
            item = Factory.ReprintRow()
            item.row = row
            item.text = self.describe(row)
            item.ids.again.bind(on_release=lambda _b, i=item: self.print_again(i))
            box.add_widget(item)

    def describe(self, row: object) -> str:
        """"003  Siti R. P. · acknowledgement ST-…" in the current language."""
        t, lang = self.app.t, self.app.lang
        what = (t("acknowledgement {receipt}", lang, receipt=row.receipt_number) if row.kind == "acknowledgement"
                else t("queue slip", lang))
        return f"{row.queue_number:03d}  {row.display_name} · {what}"

    def print_again(self, item: object) -> None:
        if item.state == "printing":
            return
        operator = getattr(self.app.operator, "operator_id", "?")

        def show(state: str) -> None:
            item.state = state
            item.status = self.app.t(STATE_MSGIDS[state], self.app.lang)

        reprint(self.app, item.row, operator, show)
