"""``python -m harness [--isolate-network] [--warm-pyplot]``: read one job from
stdin, answer with frames on stdout."""

import sys

from .runner import main

if __name__ == "__main__":
    main(sys.argv[1:])
