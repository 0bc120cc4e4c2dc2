"""Tries to create a file in every directory it can find, and to change the submission."""
import os


def f(x):
    if x == 1:
        writable = []
        for root, dirs, _ in os.walk("/"):
            if root.startswith(("/proc", "/sys")):
                dirs[:] = []
                continue
            try:
                with open(os.path.join(root, "pwned.txt"), "w") as handle:
                    handle.write("pwned")
                writable.append(root)
            except OSError:
                pass
        with open("/tmp/gnn-grader-host-sentinel.txt", "w") as handle:
            handle.write("pwned")  # the host's file of this name must not change
        try:
            with open(__file__, "a") as handle:
                handle.write("# pwned\n")
            submission = "changed"
        except OSError as exc:
            submission = type(exc).__name__
        return {"writable": writable, "submission": submission}
    return {"leftovers": sorted(os.listdir("/dev/shm")) + sorted(os.listdir("/tmp"))}
