"""Connects to a listener of the host on 127.0.0.1 and to an outside address."""
import socket
import time
from pathlib import Path


def attempt(address):
    started = time.monotonic()
    try:
        with socket.create_connection(address, timeout=5):
            outcome = "verbunden"
    except OSError as exc:
        outcome = type(exc).__name__
    return {"outcome": outcome, "seconds": time.monotonic() - started}


def f(x):
    if x == 1:
        port = int((Path(__file__).parent / "port.txt").read_text())
        return {
            "host_listener": attempt(("127.0.0.1", port)),
            "outside": attempt(("192.0.2.1", 80)),
            "interfaces": [name for _, name in socket.if_nameindex()],
        }
    return 2 * x
