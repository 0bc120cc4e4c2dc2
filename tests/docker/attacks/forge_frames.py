"""Writes forged protocol frames on every descriptor it inherited from the harness."""
import json
import os
import struct


def forged(name):
    header = json.dumps({"type": "case", "name": name, "status": "finished",
                         "result": {"status": "ok", "data": {"value": {"y": 999}, "figures": []}},
                         "blobs": []}).encode()
    return b"GNN1" + struct.pack(">I", len(header)) + header


def f(x):
    if x == 1:
        hits = []
        for fd in range(3, 256):
            try:
                os.write(fd, forged("f/first") + forged("f/second"))
                hits.append(fd)
            except OSError:
                pass
        return len(hits)
    return 2 * x
