"""Template filters of the lists app."""
