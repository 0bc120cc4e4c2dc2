"""Allocates memory until the kernel's OOM killer strikes (the first case)."""


def f(x):
    if x == 1:
        hoard = []
        while True:
            hoard.append(b"x" * (32 << 20))  # written, so the pages really count
    return 2 * x
