"""``python -m harness``: read one job from stdin, answer with frames on stdout."""

from .runner import main

if __name__ == "__main__":
    main()
