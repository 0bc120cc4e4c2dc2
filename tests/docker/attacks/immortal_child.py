"""Leaves a grandchild behind that ignores SIGTERM and keeps writing; the next case looks for it."""
import os
import signal
import time


def survivors():
    """Processes of the sandbox besides the harness (pid 1) and this case."""
    me = os.getpid()
    return sorted(int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) not in (1, me))


def f(x):
    if x == 1:
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                signal.signal(signal.SIGTERM, signal.SIG_IGN)
                signal.signal(signal.SIGHUP, signal.SIG_IGN)
                while True:
                    with open("/dev/shm/still-here", "a") as handle:
                        handle.write("x")
                    time.sleep(0.05)
            os._exit(0)
        time.sleep(0.5)
        return 2 * x
    time.sleep(0.5)  # long enough for a survivor to write again
    return {"survivors": len(survivors()), "shm": sorted(os.listdir("/dev/shm"))}
