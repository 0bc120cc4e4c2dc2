"""Leaves System V shared memory, a message queue and a semaphore set for the next case."""
import ctypes

libc = ctypes.CDLL(None, use_errno=True)
KEY = 0x6E6E4943
IPC_CREAT = 0o1000


def f(x):
    found = {
        "shm": libc.shmget(KEY, 0, 0) >= 0,
        "msg": libc.msgget(KEY, 0) >= 0,
        "sem": libc.semget(KEY, 0, 0) >= 0,
    }
    libc.shmget(KEY, 4096, IPC_CREAT | 0o600)
    libc.msgget(KEY, IPC_CREAT | 0o600)
    libc.semget(KEY, 1, IPC_CREAT | 0o600)
    return found
