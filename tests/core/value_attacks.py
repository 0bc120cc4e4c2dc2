"""Hand-ins of Aufgabe 1 whose ``output`` returns what tests the rule of a value
(``harness.plain``); shared by the local and the cluster tests of issue 23, items 4 and 5."""

from __future__ import annotations

import textwrap

from grader.cases import assignment as assignments

REFERENCE_1 = (assignments.REFERENCE / "aufgabe1" / "perceptron.py").read_text()

FIGURE_KEY = REFERENCE_1.replace("def output(", "def _output(") + textwrap.dedent(
    """
    def output(w, x):
        return {"$figure": "x"}
    """
)

DEEP = 20
FORGED_DEEP = REFERENCE_1.replace("def output(", "def _output(") + textwrap.dedent(
    f"""
    import fcntl, io, json, os

    def output(w, x):
        value = 1.0
        for _ in range({DEEP}):
            value = [value, "x"]
        npz = io.BytesIO()
        np.savez(npz)
        npz = npz.getvalue()
        header = {{"status": "ok", "data": {{"value": value, "figures": []}}, "blobs": [len(npz)]}}
        frame = json.dumps(header).encode()
        for name in os.listdir("/proc/self/fd"):
            fd = int(name)
            try:
                if fd > 2 and os.readlink(f"/proc/self/fd/{{fd}}").startswith("pipe:") \\
                        and fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_WRONLY:
                    os.write(fd, b"GNN1" + len(frame).to_bytes(4, "big") + frame + npz)
            except OSError:
                pass
        os._exit(0)
    """
)

HAND_INS = {"figure-key": FIGURE_KEY, "forged-deep": FORGED_DEEP}
