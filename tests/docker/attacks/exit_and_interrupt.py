"""SystemExit in the first case, KeyboardInterrupt in the second."""


def f(x):
    if x == 1:
        raise SystemExit(0)
    raise KeyboardInterrupt
