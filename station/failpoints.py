"""Named crash points for power-cut tests: a step armed through SINOPSIS_FAILPOINT kills the process there.

Production code calls `failpoint("name")` between durable steps; nothing happens unless the environment
variable names that point (comma-separated names arm several). Tests run the real code in a subprocess with a
point armed, so the crash is a real SIGKILL between two real writes, not a patched function.
"""

import os
import signal

ENV_VAR = "SINOPSIS_FAILPOINT"


def failpoint(name: str) -> None:
    """Kill this process with SIGKILL if `name` is armed in SINOPSIS_FAILPOINT; otherwise do nothing."""
    armed = os.environ.get(ENV_VAR)
    if armed and name in armed.split(","):
        os.kill(os.getpid(), signal.SIGKILL)
