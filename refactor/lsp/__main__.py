"""Entry point for ``python -m refactor.lsp``."""

import sys

from refactor.lsp import main

sys.exit(main())
