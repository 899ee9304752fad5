"""Hypothesis profiles of the fuzz suite: "ci" (the default: CI_FACTOR of each test's modest example count, the
whole folder in well under a minute) and "soak" (HYPOTHESIS_PROFILE=soak: SOAK_FACTOR times as many examples, for a
long run by hand).

Both profiles keep no example database (no .hypothesis/ folder in the repo), have no deadline (2 shared cores
make timings meaningless) and allow function-scoped fixtures: every property here asserts that a refused input
changes nothing, so one store or HQ per test is exactly the point. Each test asks `fuzz(n)` for its settings,
with n sized to the parser's cost; the profile scales n.
"""

import os

from hypothesis import HealthCheck, settings

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
SOAK_FACTOR = 25
CI_FACTOR = 0.5  # the suite's share of the 5-minute budget; the soak profile is where the big counts run
_COMMON = {"deadline": None, "database": None, "print_blob": True,
           "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                     HealthCheck.data_too_large]}

settings.register_profile("ci", **_COMMON)
settings.register_profile("soak", **_COMMON)


def fuzz(examples: int) -> settings:
    """The settings of one property: `examples` under "ci", SOAK_FACTOR times more under "soak"."""
    count = examples * SOAK_FACTOR if PROFILE == "soak" else max(5, round(examples * CI_FACTOR))
    return settings(settings.get_profile(PROFILE if PROFILE in ("ci", "soak") else "ci"), max_examples=count)
