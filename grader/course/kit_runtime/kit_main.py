"""``python -m gnn_kit …`` (copied into the kit as ``gnn_kit/__main__.py``): the kit's commands."""

import sys

from .submit import main

if __name__ == "__main__":
    sys.exit(main())
