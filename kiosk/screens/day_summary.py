"""End of day: the numbers of the current assignment (station/day_summary.py) for the team before packing up —
what was recorded, who still waits, withdrawals and correction requests by reason, exceptions, captures kept
below the threshold, each operator's share, and what HQ has not confirmed yet (then the kit stays on). "Print
slips again" lists the day's slips to reprint any of them (kiosk/widgets/reprint_popup.py), audited."""

from kivy.properties import ObjectProperty
from kivy.uix.modalview import ModalView

from kiosk.screens.base import KioskScreen
from kiosk.widgets.status_bar import age_text

RED_HEX = "bf1a1a"


class DaySummaryScreen(KioskScreen):
    summary = ObjectProperty(None, allownone=True)  # station.day_summary.DaySummary

    _bound = False

    def on_pre_enter(self, *args: object) -> None:
        if not self._bound:
            self.app.bind(lang=lambda *_: self._show_counts())
            self._bound = True
        self.app.services.day_summary(self._got, lambda _error: None)

    def _got(self, summary: object) -> None:
        self.summary = summary

    def open_reprint(self) -> ModalView:
        """The day's slips, each with "Print again" (kiosk/widgets/reprint_popup.py)."""
        from kiosk.widgets.reprint_popup import ReprintPopup

        popup = ReprintPopup()
        popup.open()
        return popup

    def on_summary(self, *_args: object) -> None:
        self._show_counts()

    def _show_counts(self) -> None:
        """One row per number (a row grows when its words wrap, so names and numbers stay side by side)."""
        from kivy.factory import Factory

        box = self.ids.count_rows
        box.clear_widgets()
        for name, value in self.counts(self.summary, self.app.lang):
            row = Factory.CountRow()
            row.name, row.value = name, value
            box.add_widget(row)

    def heading(self, summary: object, _lang: str) -> str:
        if summary is None:
            return self.app.t("End of day", self.app.lang)
        return self.app.t("End of day: {school}, {date}", self.app.lang, school=summary.school_name,
                          date=summary.recording_date)

    def counts(self, summary: object, _lang: str) -> list[tuple[str, str]]:
        """(what, how many) rows of the left column; a value needing action is marked up red."""
        if summary is None:
            return []
        t, lang = self.app.t, self.app.lang
        rows = [(t("On the list", lang), str(summary.on_list)), (t("Checked in", lang), str(summary.checked_in)),
                (t("Recorded", lang), str(summary.recorded)), (t("Still waiting", lang), str(summary.waiting)),
                (t("Being recorded", lang), str(summary.being_served))]
        if not summary.unsent:
            return [*rows, (t("Not yet sent to HQ", lang), "0")]
        oldest = age_text(self.app, summary.oldest_unsent_s or 0)
        return [*rows, (t("Not yet sent to HQ", lang), f"[color={RED_HEX}]{summary.unsent}[/color]"),
                (t("The oldest has waited", lang), f"[color={RED_HEX}]{oldest}[/color]")]

    def _by_reason(self, counts: dict[str, int]) -> str:
        if not counts:
            return self.app.t("none", self.app.lang)
        return ", ".join(f"{self.app.t('reason.' + code, self.app.lang)} {n}" for code, n in counts.items())

    def details(self, summary: object, _lang: str) -> str:
        """The right column: reasons, exceptions, below-threshold captures and each operator's share (markup)."""
        if summary is None:
            return ""
        t, lang = self.app.t, self.app.lang
        lines = [f"[b]{t('Withdrawn', lang)}:[/b] {self._by_reason(summary.withdrawn)}",
                 f"[b]{t('Correction requests', lang)}:[/b] {self._by_reason(summary.corrections)}",
                 f"[b]{t('Finger exceptions', lang)}:[/b] {self._by_reason(summary.exceptions.get('finger', {}))}",
                 f"[b]{t('Iris exceptions', lang)}:[/b] {self._by_reason(summary.exceptions.get('iris', {}))}",
                 f"[b]{t('Kept below the threshold', lang)}:[/b] {summary.below_threshold}",
                 f"[b]{t('Per operator', lang)}[/b]"]
        lines += [t("{name}: called {called}, recorded {recorded}, withdrawn {withdrawn}, corrections {corrections}",
                    lang, name=o.name or o.operator_id, called=o.called, recorded=o.recorded, withdrawn=o.withdrawn,
                    corrections=o.corrections) for o in summary.operators]
        return "\n".join(lines)

    def advice(self, summary: object, _lang: str) -> str:
        if summary is None:
            return self.app.t("No assignment is loaded on this station.", self.app.lang)
        if summary.unsent:
            return self.app.t("Keep the kit switched on and online until every record has been sent.", self.app.lang)
        return self.app.t("Every record has reached HQ.", self.app.lang)


SCREEN = DaySummaryScreen
