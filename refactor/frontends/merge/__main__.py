"""``python -m dockerslim_refactor.frontends.merge``: the ``merge`` command on its own."""

import sys

from dockerslim_refactor.frontends.merge import main

sys.exit(main(sys.argv[1:]))
