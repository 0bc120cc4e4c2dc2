"""Leaves a directory tree 1,500 levels deep (and read-only at the bottom) in its scratch:
deeper than the recursion limit, its paths shorter than PATH_MAX."""
import os


def f(x):
    fd = os.open(".", os.O_RDONLY)
    for _ in range(1500):
        os.mkdir("d", dir_fd=fd)
        deeper = os.open("d", os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = deeper
    os.fchmod(fd, 0o500)
    os.close(fd)
    return 2 * x
