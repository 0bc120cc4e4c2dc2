"""Sleeps far beyond the time limit (the first case)."""
import time


def f(x):
    if x == 1:
        time.sleep(3600)
    return 2 * x
