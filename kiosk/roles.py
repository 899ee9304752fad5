"""Which screens a kiosk has by its role ([kiosk] role in station.toml) and where it rests.

A kit with one display runs one kiosk in role "all" (check-in and the operator console in turn); a kit with a
second, student-facing display at the queue runs two kiosks on one station store: "checkin" there (the queue board
with its check-in button and the QR scanner listening, the student's check-in screens) and "operator" on the
console next to the capture devices (login, queue, identity check, capture, review, end of day).
"""

# The student's screens (check-in and the public queue board) and the operator console's.
CHECKIN_SCREENS = ("welcome", "nik_entry", "confirm", "phone", "ticket", "problem", "help", "board", "correction",
                   "correction_sent")
OPERATOR_SCREENS = ("operator_login", "operator_queue", "identity", "capture", "review", "day_summary")
ROLES = ("all", "checkin", "operator")
# Where each role rests: the welcome (one screen), the queue board with its check-in button, the operator login.
HOME = {"all": "welcome", "checkin": "board", "operator": "operator_login"}


def role_screens(role: str, every: tuple[str, ...]) -> tuple[str, ...]:
    """The screens of `every` (in its order) that a kiosk of `role` has; ValueError for an unknown role."""
    if role not in ROLES:
        raise ValueError(f"kiosk role {role!r}: must be one of {', '.join(ROLES)}")
    wanted = {"all": every, "checkin": CHECKIN_SCREENS, "operator": OPERATOR_SCREENS}[role]
    return tuple(name for name in every if name in wanted)
