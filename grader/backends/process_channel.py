"""A running harness of the ``process`` sandbox: its pipes, and its end with all it started.

The channel reads the harness's stdout and stderr without blocking (a
selector on both pipes), keeps what the protocol's caps allow, and on
``close`` kills the harness's whole process tree and removes its folder.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import threading
import time
from pathlib import Path
from typing import IO, Protocol

from grader.backends.base import STDERR_KEEP, Channel, ChannelTimeout, ExitInfo
from harness import reaper


class Harness(Protocol):
    """What the channel uses of a started harness: a ``subprocess.Popen`` or a harness
    forked by a zygote (``grader.backends.process.ForkedHarness``), with pipes for all
    three streams."""

    @property
    def pid(self) -> int: ...
    @property
    def returncode(self) -> int | None: ...
    @property
    def stdin(self) -> IO[bytes] | None: ...
    @property
    def stdout(self) -> IO[bytes] | None: ...
    @property
    def stderr(self) -> IO[bytes] | None: ...
    def wait(self) -> int | None: ...


class ProcessChannel(Channel):
    def __init__(self, popen: Harness, workdir: Path, on_close=lambda channel: None):
        if popen.stdin is None or popen.stdout is None or popen.stderr is None:
            raise ValueError("the harness's stdin, stdout and stderr must be pipes")
        self.popen = popen
        self.pipes = (popen.stdin, popen.stdout, popen.stderr)
        """The harness's stdin, stdout and stderr."""
        self.workdir = workdir
        self.on_close = on_close
        self.buffer = bytearray()
        self.stderr = bytearray()
        self.selector = selectors.DefaultSelector()
        for stream in self.pipes[1:]:
            os.set_blocking(stream.fileno(), False)
            self.selector.register(stream.fileno(), selectors.EVENT_READ, stream)
        self.info: ExitInfo | None = None
        self.closing = threading.Lock()

    def send(self, data: bytes, last: bool = True) -> None:
        stdin = self.pipes[0]
        try:
            stdin.write(data)
            stdin.flush()
            if last:
                stdin.close()
        except BrokenPipeError:
            pass  # the harness died already; reading will say so

    def read_exactly(self, n: int, deadline: float) -> bytes:
        while len(self.buffer) < n:
            if not self.selector.get_map():
                raise EOFError("the harness ended")
            left = deadline - time.monotonic()
            if left <= 0:
                raise ChannelTimeout()
            for key, _ in self.selector.select(left):
                try:
                    chunk = os.read(key.fd, 1 << 16)
                except BlockingIOError:
                    continue
                if not chunk:
                    self.selector.unregister(key.fd)
                elif key.data is self.pipes[1]:
                    self.buffer += chunk
                elif len(self.stderr) < STDERR_KEEP:
                    self.stderr += chunk[: STDERR_KEEP - len(self.stderr)]
        data = bytes(self.buffer[:n])
        del self.buffer[:n]
        return data

    def kill(self) -> None:
        """Kill the harness and its processes; safe from any thread. The reader then sees EOF."""
        kill_tree(self.popen.pid)

    def close(self) -> ExitInfo:
        """Kill the harness, remove its folder; the same answer on every call, and
        never an exception from what the submission left behind."""
        with self.closing:
            if self.info is None:
                try:
                    self._shut_down()
                finally:
                    self.info = ExitInfo(
                        exit_code=self.popen.returncode,
                        stderr=bytes(self.stderr).decode("utf-8", "replace"),
                    )
        return self.info

    def _shut_down(self) -> None:
        try:
            self.on_close(self)
            kill_tree(self.popen.pid)
            self.popen.wait()
            self.selector.close()
            for stream in self.pipes:
                stream.close()
        finally:
            reaper.remove_tree(self.workdir)


def kill_tree(pid: int) -> None:
    """SIGKILL everything below ``pid`` (while it still adopts orphans), then ``pid``."""
    for _ in range(50):
        below = reaper.descendants(pid)
        if not below:
            break
        for child in below:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(child, signal.SIGKILL)
        time.sleep(0.01)
    reaper.kill_group(pid)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
