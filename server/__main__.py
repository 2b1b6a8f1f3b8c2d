"""`python -m server ...`: see server/run.py."""

import sys

from server.run import main

if __name__ == "__main__":
    sys.exit(main())
