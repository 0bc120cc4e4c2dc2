"""The attached stdin, stdout and stderr of one container of the ``docker`` sandbox.

Docker stores nothing (logging driver ``none``): the channel reads the
attached stream itself and keeps what the protocol's caps allow. Closing it
kills and removes its container and the host folder with the submission's
copy; ``release`` leaves the removal to the backend's remover thread.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import time
from pathlib import Path
from typing import Protocol

import docker.errors

from grader.backends.base import STDERR_KEEP, Channel, ChannelTimeout, ExitInfo
from harness.reaper import remove_tree

WAKE_SECONDS = 0.25
"""Longest single wait on the socket (see ``read_exactly``)."""
_HEADER = struct.Struct(">BxxxL")
"""Docker's multiplexed stream: stream type (1 stdout, 2 stderr), payload size."""


class Registry(Protocol):
    """Where the backend keeps its live containers (``grader.backends.docker``)."""

    def remove(self, container) -> None:
        """Kill and remove ``container``; forget it."""


class DockerChannel(Channel):
    """The attached stdin/stdout/stderr of one container."""

    def __init__(self, container, attached, workdir: Path, registry: Registry, remover=None):
        self.remover = remover
        """Where ``release`` hands the removal (an executor), None: remove at once."""
        self.container = container
        self.registry = registry
        self.attached = attached  # keeps the HTTP response (and so the socket) alive
        self.sock: socket.socket = getattr(attached, "_sock", attached)
        self.workdir = workdir
        self.pending = bytearray()
        self.stdout = bytearray()
        self.stderr = bytearray()
        self.ended = False
        self.info: ExitInfo | None = None

    def send(self, data: bytes, last: bool = True) -> None:
        try:
            self.sock.sendall(data)
            if last:
                self.sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the container died already; reading will say so

    def read_exactly(self, n: int, deadline: float) -> bytes:
        while len(self.stdout) < n:
            if self.ended:
                raise EOFError("the container ended")
            left = deadline - time.monotonic()
            if left <= 0:
                raise ChannelTimeout()
            # Short waits: a Ctrl-C that the kernel hands to another thread
            # (numpy's BLAS threads) is only acted on when this one wakes up.
            self.sock.settimeout(min(left, WAKE_SECONDS))
            try:
                chunk = self.sock.recv(1 << 16)
            except TimeoutError:
                continue
            if chunk:
                self._demultiplex(chunk)
            else:
                self.ended = True
        data = bytes(self.stdout[:n])
        del self.stdout[:n]
        return data

    def _demultiplex(self, chunk: bytes) -> None:
        self.pending += chunk
        while len(self.pending) >= _HEADER.size:
            kind, size = _HEADER.unpack_from(self.pending)
            if len(self.pending) < _HEADER.size + size:
                return
            payload = self.pending[_HEADER.size : _HEADER.size + size]
            del self.pending[: _HEADER.size + size]
            if kind == 1:
                self.stdout += payload
            elif len(self.stderr) < STDERR_KEEP:
                self.stderr += payload[: STDERR_KEEP - len(self.stderr)]

    def close(self) -> ExitInfo:
        if self.info is not None:
            return self.info
        info = ExitInfo(stderr=bytes(self.stderr).decode("utf-8", "replace"))
        # An engine that went away answers with connection errors (OSError): the
        # container went with it, and the backend's health check tells the batch.
        try:
            with contextlib.suppress(docker.errors.APIError):  # not running any more
                self.container.kill()
            try:
                self.container.reload()
                state = self.container.attrs["State"]
                info.exit_code = state.get("ExitCode")
                info.oom_killed = bool(state.get("OOMKilled"))
            except docker.errors.NotFound:
                pass
        except (docker.errors.DockerException, OSError):
            pass
        finally:
            self.info = info
            self.sock.close()
            self.attached.close()
            self._remove()
        return info

    def release(self) -> None:
        """Remove the container in the background: the job's thread goes on at once."""
        if self.info is not None:
            return
        if self.remover is None:
            self.close()
            return
        self.info = ExitInfo(stderr=bytes(self.stderr).decode("utf-8", "replace"))
        self.sock.close()
        self.attached.close()
        try:
            self.remover.submit(self._remove)
        except RuntimeError:  # the backend is closing: it removes every container itself
            self._remove()

    def _remove(self) -> None:
        # What fails stays registered: the backend's remove_all() tries again at the end.
        with contextlib.suppress(docker.errors.DockerException, OSError):
            self.registry.remove(self.container)
        remove_tree(self.workdir)
