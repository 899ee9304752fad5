"""`python -m station.cli`: the same as the `sinopsis` command."""

import sys

from station.cli import main

sys.exit(main())
