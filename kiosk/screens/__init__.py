"""kiosk.screens: one screen per file, its .kv beside it."""
