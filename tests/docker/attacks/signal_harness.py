"""Sends the harness parent every signal a student may send it, then returns normally."""
import os
import signal
import time

SIGNALS = [signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1,
           signal.SIGUSR2, signal.SIGALRM, signal.SIGSTOP]


def f(x):
    if x == 1:
        sent = []
        for signum in SIGNALS:
            try:
                os.kill(os.getppid(), signum)
                sent.append(signum.name)
            except OSError:
                pass
        time.sleep(0.5)
        return sent
    return 2 * x
