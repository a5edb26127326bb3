"""Entry point for ``python -m refactor``."""

import sys

from refactor.cli import main

sys.exit(main())
