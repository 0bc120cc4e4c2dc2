"""Prints 200 MB to stdout (the first case)."""
import sys


def f(x):
    if x == 1:
        line = "x" * (1 << 20)
        for _ in range(200):  # 200 MB
            sys.stdout.write(line)
    return 2 * x
