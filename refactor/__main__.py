"""Entry point for ``python -m dockerslim_refactor``."""

import sys

from dockerslim_refactor.frontends.cli import main

sys.exit(main())
