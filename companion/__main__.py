"""Run the spdesk command line as ``python -m companion``."""

import sys

from companion.cli import main

sys.exit(main(*sys.argv[1:]))
