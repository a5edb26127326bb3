"""Entry point for ``python -m dockerslim_refactor``: the command line, routed to its front end
by :mod:`dockerslim_refactor.commands`."""

import sys

from dockerslim_refactor.commands import main

sys.exit(main())
