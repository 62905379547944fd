import sys

from shipwatch.cli import main

sys.exit(main())
