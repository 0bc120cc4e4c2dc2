"""Goes for the harness parent (pid 1): its stdout, its memory, ptrace."""
import ctypes
import json
import struct

PTRACE_ATTACH, PTRACE_DETACH = 16, 17


def forged(name):
    header = json.dumps({"type": "case", "name": name, "status": "finished",
                         "result": {"status": "ok", "data": {"value": {"y": 999}, "figures": []}},
                         "blobs": []}).encode()
    return b"GNN1" + struct.pack(">I", len(header)) + header


def attempt(action):
    try:
        action()
        return "erlaubt"
    except OSError as exc:
        return type(exc).__name__


def write_stdout():
    with open("/proc/1/fd/1", "wb") as channel:
        channel.write(forged("f/second"))


def read_memory():
    with open("/proc/1/mem", "rb") as memory:
        memory.read(1)


def attach():
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.ptrace(PTRACE_ATTACH, 1, None, None) != 0:
        raise OSError(ctypes.get_errno(), "ptrace")
    libc.ptrace(PTRACE_DETACH, 1, None, None)


def f(x):
    if x == 1:
        return {"stdout": attempt(write_stdout), "memory": attempt(read_memory), "ptrace": attempt(attach)}
    return 2 * x
