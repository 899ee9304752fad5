"""kiosk: the Kivy touchscreen app (student check-in and operator-guided capture)."""
