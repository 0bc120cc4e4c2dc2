"""Forks until the pids limit stops it, and keeps trying (the first case)."""
import os


def f(x):
    if x == 1:
        while True:
            try:
                os.fork()
            except OSError:
                pass
    return 2 * x
