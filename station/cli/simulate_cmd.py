"""`sinopsis station simulate --students N`: full captures headless against the simulated devices.

The CLI is the composition root: it is the one place in station/ that wires drivers/ (camera) and the vendor
SDK bindings into the capture engine, which itself only knows the device protocols (station/capture_devices.py).
"""

import argparse
import datetime as dt
import tempfile
from collections.abc import Callable
from pathlib import Path

from station.capture_devices import Devices
from station.config import StationConfig


def register(commands: argparse._SubParsersAction) -> None:
    """Add `station simulate`."""
    p = commands.add_parser("simulate", help="run N full e-KTP captures headless against the simulated devices")
    p.add_argument("--students", type=int, default=6, help="how many students (scenarios cycle: good, retry, "
                   "exception, below_threshold, good, walk_out)")
    p.add_argument("--dir", type=Path, default=None, help="simulation folder (default: a new temporary folder)")
    p.add_argument("--date", type=dt.date.fromisoformat, default=None, help="recording date (default: today)")
    p.set_defaults(handler=_simulate)


def simulated_devices(config: StationConfig, workdir: Path) -> Callable[[str, str], Devices]:
    """make_devices(scenario, backdrop) for the simulation: the replay camera showing a student on `backdrop`,
    and the [devices] SDK libraries (the simulators by default) with the scenario's script."""
    from drivers.camera import ReplayCamera
    from drivers.fingerprint import open_scanner
    from drivers.iris import open_iris_camera
    from native import samples
    from native.vendor import apply_sim_script
    from station.simulate import SIM_SCRIPTS

    def make_devices(scenario: str, backdrop: str) -> Devices:
        script = SIM_SCRIPTS.get(scenario)
        path = workdir / f"sim-{scenario}.txt"
        if script:
            path.write_text(script)
        apply_sim_script(path if script else config.devices.sim_script)
        camera = ReplayCamera([samples.portrait(backdrop)], fps=30)
        return Devices(camera=camera, finger_scanner=open_scanner(config.devices.fingerprint_sdk),
                       iris_camera=open_iris_camera(config.devices.iris_sdk))

    return make_devices


def _simulate(args: argparse.Namespace) -> int:
    from station.errors import SinopsisError
    from station.simulate import run_simulation, summary

    if not 1 <= args.students <= 500:
        raise SinopsisError(f"--students must be 1..500 (got {args.students})", "usage")
    with tempfile.TemporaryDirectory(prefix="sinopsis-simulate-") as tmp:
        root = args.dir or Path(tmp) / "station"
        print(f"Simulating {args.students} students in {root} (simulated camera, scanner and iris camera):")
        runs = run_simulation(root, args.students, simulated_devices(StationConfig(), Path(tmp)),
                              args.date or dt.date.today())
        print()
        print("\n".join(summary(runs)))
    return 0
