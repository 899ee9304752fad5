"""Kivy rendered offscreen: the environment is set before anything imports Kivy."""

import os
import tempfile

os.environ["KIVY_NO_ARGS"] = "1"
os.environ["KIVY_HOME"] = tempfile.mkdtemp(prefix="kivy-home-")
os.environ["SDL_VIDEODRIVER"] = "offscreen"
os.environ["KIVY_LOG_MODE"] = "PYTHON"
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
