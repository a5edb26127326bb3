"""Entry point for ``python -m dockerslim_refactor.frontends.lsp``."""

import sys

from dockerslim_refactor.frontends.lsp import main

sys.exit(main())
