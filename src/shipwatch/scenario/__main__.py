"""``python -m shipwatch.scenario [OUT_DIR] [--seed N]``: the same as ``shipwatch sample``."""

import sys

from shipwatch.cli import main

sys.exit(main(["sample", *sys.argv[1:]]))
