"""`sinopsis station run` starts the kiosk on the station's store and quits cleanly (here after a second)."""

import os
import subprocess
import sys
import tempfile


def test_station_run_windowed_for_a_second(imported, station_config, tmp_path):
    config = tmp_path / "station.toml"
    config.write_text(f'[station]\ndata_dir = "{station_config.station.data_dir}"\n')
    env = {**os.environ, "SDL_VIDEODRIVER": "offscreen", "KIVY_HOME": tempfile.mkdtemp(), "KIVY_NO_ARGS": "1"}
    done = subprocess.run([sys.executable, "-m", "station.cli", "station", "run", "--config", str(config),
                           "--windowed", "--seconds", "1"], capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Start application main loop" in done.stderr + done.stdout
