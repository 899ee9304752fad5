"""`python -m sinopsis`: the same as the `sinopsis` command."""

import sys

from sinopsis.cli import main

sys.exit(main())
