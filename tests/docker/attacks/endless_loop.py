"""A busy loop that never returns (the first case)."""


def f(x):
    if x == 1:
        while True:
            pass
    return 2 * x
