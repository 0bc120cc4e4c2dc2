"""Watch one case process from outside: its pipes, its CPU time and the wall clock.

A case is limited by the CPU time its processes use, which a busy machine
does not change; the wall clock is a backstop against code that waits. The
CPU time of the case's processes (every descendant of the harness: one case
runs at a time, and the harness is their subreaper) is read from ``/proc``
every ``POLL_SECONDS`` and, once the case process is reaped, taken from its
rusage. The kernel holds the same limit through RLIMIT_CPU in the case
process (``case_process.cpu_rlimit``), should the harness itself get no CPU.
The wall clock does not count the time the case's processes waited for a
CPU (the longest of them, ``api.latest_end``).
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import time

from . import reaper

STREAM_KEEP = 16 * 1024
"""Bytes of the beginning of stdout/stderr kept for the report."""
STREAM_TAIL = 4 * 1024
"""Bytes of the end kept besides; what lies between is left out and counted."""
POLL_SECONDS = 0.1
"""How often the CPU time of a running case is read: how far it may overrun its limit."""
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def waited_seconds(pid: int) -> float:
    """How long ``pid`` was runnable but waited for a CPU (``/proc/PID/schedstat``); 0 where unknown."""
    try:
        with open(f"/proc/{pid}/schedstat", "rb") as handle:
            return int(handle.read().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time of ``pids``, with that of the children each has reaped."""
    ticks = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", "rb") as handle:
                text = handle.read()
        except OSError:
            continue  # it ended meanwhile: its parent's rusage holds its time
        # The command name may contain spaces and parentheses: split after the last ')'.
        fields = text[text.rindex(b")") + 2 :].split()
        ticks += sum(int(field) for field in fields[11:15])  # utime, stime, cutime, cstime
    return ticks / _CLOCK_TICKS


class Watch:
    """Read a child's three pipes until it ends, runs out of CPU time or wall-clock time,
    or its result is over the cap. Printing is no fault: stdout and stderr are read to
    the end, their beginning and end kept."""

    def __init__(self, pid: int, fds: list[int], result_cap: int):
        self.pid = pid
        self.fds = fds
        self.result_cap = result_cap
        self.buffers = [bytearray(), bytearray(), bytearray()]
        self.tails = [bytearray(), bytearray()]
        self.totals = [0, 0, 0]
        self.exit_status: int | None = None
        self.cpu = 0.0
        """CPU seconds the case's processes used, as far as they were seen."""
        self.limit = ""
        """For a ``timeout``: ``cpu`` or ``wall``, the limit that ended the case."""
        self.waited = 0.0
        """Seconds one of the case's processes was runnable but waited for a CPU, at most."""

    def excerpt(self, index: int) -> str:
        """What the case printed on stdout (0) or stderr (1), its middle left out."""
        head, tail = bytes(self.buffers[index]), bytes(self.tails[index])
        omitted = self.totals[index] - len(head) - len(tail)
        if omitted <= 0:
            return (head + tail).decode("utf-8", "replace")
        return (
            head.decode("utf-8", "replace")
            + f"\n… {omitted} Bytes Ausgabe ausgelassen …\n"
            + tail.decode("utf-8", "replace")
        )

    def run(self, cpu_limit: float, deadline: float, latest: float) -> str:
        """'finished', 'timeout' (``limit`` says which) or 'overflow'. ``deadline`` is the
        wall-clock backstop on the monotonic clock, put off by the longest time one of the
        case's processes waited for a CPU, up to ``latest`` (``api.latest_end``)."""
        outcome = self._watch(cpu_limit, deadline, latest)
        stopped_by_kernel = self.exit_status == -signal.SIGXCPU or (
            self.exit_status == -signal.SIGKILL and self.cpu >= cpu_limit  # the hard RLIMIT_CPU
        )
        if outcome == "finished" and stopped_by_kernel:
            outcome = "timeout"
        if outcome == "timeout":
            self.limit = "cpu" if self.cpu >= cpu_limit or stopped_by_kernel else "wall"
        return outcome

    def _watch(self, cpu_limit: float, deadline: float, latest: float) -> str:
        selector = selectors.DefaultSelector()
        for index, fd in enumerate(self.fds):
            os.set_blocking(fd, False)
            selector.register(fd, selectors.EVENT_READ, index)
        open_fds = len(self.fds)
        # A pidfd wakes us the moment the child ends; without one, poll.
        pidfd = _pidfd(self.pid)
        if pidfd is not None:
            selector.register(pidfd, selectors.EVENT_READ, "exit")
        exited_at = None
        next_poll = time.monotonic() + POLL_SECONDS
        try:
            while True:
                now = time.monotonic()
                if exited_at is None and now >= next_poll:
                    processes = reaper.descendants(os.getpid())
                    self.cpu = max(self.cpu, cpu_seconds(processes))
                    # The longest any of them waited: a case that waits for its child counts the child's.
                    self.waited = max([self.waited, *map(waited_seconds, processes)])
                    if self.cpu >= cpu_limit:
                        self._kill()
                        return "timeout"
                    next_poll = now + POLL_SECONDS
                end = min(deadline + self.waited, latest)
                if now >= end:
                    self._kill()
                    return "timeout"
                if exited_at is not None and (open_fds == 0 or now - exited_at > 1.0):
                    return "finished"
                wait = end - now
                if exited_at is None:
                    wait = min(wait, next_poll - now)
                if pidfd is None or exited_at is not None:
                    wait = min(wait, 0.05)
                for key, _ in selector.select(max(wait, 0.0)):
                    if key.data == "exit":
                        selector.unregister(pidfd)
                        continue
                    index = key.data
                    chunk = self._read(key.fd)
                    if chunk is None:
                        continue
                    if not chunk:
                        selector.unregister(key.fd)
                        open_fds -= 1
                        continue
                    self.totals[index] += len(chunk)
                    if index == 2 and self.totals[2] > self.result_cap:
                        self._kill()
                        return "overflow"
                    self._keep(index, chunk)
                if exited_at is None and self._reaped():
                    exited_at = time.monotonic()
                    # Leftover processes of the case must not keep the pipes open.
                    reaper.kill_descendants()
        finally:
            selector.close()
            for fd in self.fds:
                os.close(fd)
            if pidfd is not None:
                os.close(pidfd)
            if self.exit_status is None:
                self._kill()

    def _keep(self, index: int, chunk: bytes) -> None:
        buffer = self.buffers[index]
        room = (self.result_cap if index == 2 else STREAM_KEEP) - len(buffer)
        buffer += chunk[:room]
        if index < 2 and len(chunk) > room:
            self.tails[index] = (self.tails[index] + chunk[max(room, 0):])[-STREAM_TAIL:]

    @staticmethod
    def _read(fd: int) -> bytes | None:
        """A chunk, b"" at end of file, None when nothing is there yet."""
        try:
            return os.read(fd, 1 << 16)
        except BlockingIOError:
            return None

    def _reaped(self) -> bool:
        return self._wait(os.WNOHANG)

    def _wait(self, options: int) -> bool:
        """Reap the case process; its exit status and CPU time, True once it is reaped."""
        pid, status, usage = os.wait4(self.pid, options)
        if pid == 0:
            return False
        self.exit_status = os.waitstatus_to_exitcode(status)
        self.cpu = max(self.cpu, usage.ru_utime + usage.ru_stime)
        return True

    def _kill(self) -> None:
        reaper.kill_group(self.pid)
        if self.exit_status is None:
            # Reaped here, before the sweep below: its rusage holds its CPU time.
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                self._wait(0)
        reaper.kill_descendants()


def _pidfd(pid: int) -> int | None:
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None

