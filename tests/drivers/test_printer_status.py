"""The printer's state from ESC/POS real-time status (DLE EOT 1, 2, 4): the simulator answers the bytes a real
printer sends, and the driver reads them through the pty like any serial printer."""

import pytest

from drivers.escpos import STATUS_QUERIES, printer_state
from drivers.printer import ReceiptPrinter
from drivers.printer_sim import EscPosInterpreter, SimulatedPrinter


def test_the_simulator_answers_the_status_queries_with_real_bytes():
    interpreter = EscPosInterpreter()
    interpreter.feed(STATUS_QUERIES)
    assert bytes(interpreter.replies) == b"\x12\x12\x12"  # online, no cause, paper present
    interpreter.replies.clear()
    interpreter.paper_out = True
    interpreter.feed(STATUS_QUERIES)
    # offline (bit 3); stopped at paper end (bit 5); roll near end and end (bits 2-3, 5-6): Epson's own values
    assert bytes(interpreter.replies) == b"\x1a\x32\x7e"
    assert printer_state(bytes(interpreter.replies)) == "paper_out" and not interpreter.unknown


@pytest.mark.parametrize(("replies", "state"), [
    (b"\x12\x12\x12", "ready"), (b"\x12\x12\x1e", "paper_low"), (b"\x1a\x16\x12", "cover_open"),
    (b"\x1a\x12\x12", "offline"), (b"\x1a\x52\x12", "error"), (b"\x12\x12", "unknown"), (b"\x00\x12\x12", "unknown"),
])
def test_printer_state_from_the_reply_bytes(replies, state):
    assert printer_state(replies) == state


def test_the_driver_reads_each_state_from_the_simulated_printer(tmp_path):
    sim = SimulatedPrinter()
    try:
        printer = ReceiptPrinter(sim.path)
        assert printer.status() == "ready"
        sim.paper_low = True
        assert printer.status() == "paper_low"
        sim.paper_out = True
        assert printer.status() == "paper_out" and printer.paper_ok() is False
        sim.paper_out, sim.paper_low, sim.cover_open = False, False, True
        assert printer.status() == "cover_open"
    finally:
        sim.unplug()
    device = tmp_path / "lp0"
    device.write_bytes(b"")
    assert ReceiptPrinter(str(device)).status() == "unknown"  # a device file cannot answer
