"""The ``docker`` sandbox: one throw-away container per harness.

The container has no network, a read-only root filesystem, a size-capped
tmpfs at /tmp (scratch and HOME), a user without privileges and without
capabilities, memory equal to memory+swap, and limits on processes, CPU, open
files and file size. It sees the submission (a read-only copy, bind-mounted at
/submission) and the harness baked into the image; the cases arrive as one
frame on stdin and never become files; expected values never enter it.

Docker stores nothing (logging driver ``none``): the host reads the attached
stdout and stderr itself, the protocol's caps bound what it keeps. Every
container is registered the moment it exists and is killed and removed by
``close()``, by the backend's ``close()`` and at interpreter exit, so neither a
timeout, a crash, an exception in the grader nor Ctrl-C leaves one behind.
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import socket
import struct
import tempfile
import threading
import time
from pathlib import Path

import docker
import docker.errors
from docker.types import Mount, Ulimit

from .. import image as sandbox_image
from .base import Backend, Channel, ChannelTimeout, ExitInfo, Job
from .process import BOOT

LABEL = "gnn-grader.sandbox"
"""Every container of the grader carries it (value: ``<host>:<pid>`` of its grader)."""
USER = "10001:10001"
SUBMISSION = "/submission"
SCRATCH = "/tmp"
"""The tmpfs: per-case scratch folders, HOME and TMPDIR. The harness empties it
after each case, so it is the scratch root itself, not a folder inside it."""
SHM_BYTES = 16 << 20
STDERR_KEEP = 16 * 1024
POOL_SIZE = 32
SEED_FONT_CACHE = (
    "import shutil; shutil.copytree('/opt/mplconfig', '/tmp/matplotlib'); "
)
COMMAND = ["python3", "-I", "-c", SEED_FONT_CACHE + BOOT, "/opt/harness"]
_HEADER = struct.Struct(">BxxxL")
"""Docker's multiplexed stream: stream type (1 stdout, 2 stderr), payload size."""


def docker_unavailable_reason() -> str | None:
    """Why no Docker engine can be used here, or None when one answers."""
    try:
        client = docker.from_env(timeout=10)
    except docker.errors.DockerException as exc:
        return f"Keine Docker-Engine gefunden: {exc}"
    try:
        client.ping()
    except (docker.errors.DockerException, OSError) as exc:
        return f"Die Docker-Engine antwortet nicht: {exc}"
    finally:
        client.close()
    return None


class _Registry:
    """Every container this process created and has not removed yet."""

    def __init__(self):
        self.lock = threading.Lock()
        self.live: dict[str, docker.models.containers.Container] = {}

    def add(self, container) -> None:
        with self.lock:
            self.live[container.id] = container

    def remove(self, container) -> None:
        """Kill and remove ``container`` (whatever state it is in)."""
        try:
            container.remove(force=True)
        except docker.errors.NotFound:
            pass
        except docker.errors.APIError as exc:
            if "already in progress" not in str(exc):
                raise
        with self.lock:
            self.live.pop(container.id, None)

    def remove_all(self) -> None:
        with self.lock:
            containers = list(self.live.values())
        for container in containers:
            try:
                self.remove(container)
            except (docker.errors.DockerException, OSError):
                pass  # the engine is gone; nothing is left to remove with it


_REGISTRY = _Registry()
atexit.register(_REGISTRY.remove_all)
OWNER = f"{socket.gethostname()}:{os.getpid()}"


def _terminate(signum, frame):
    """SIGTERM ends the grader like Ctrl-C: through finally blocks and atexit."""
    raise SystemExit(128 + signum)


class DockerChannel(Channel):
    """The attached stdin/stdout/stderr of one container."""

    def __init__(self, container, attached, workdir: Path):
        self.container = container
        self.attached = attached  # keeps the HTTP response (and so the socket) alive
        self.sock: socket.socket = getattr(attached, "_sock", attached)
        self.workdir = workdir
        self.pending = bytearray()
        self.stdout = bytearray()
        self.stderr = bytearray()
        self.ended = False
        self.info: ExitInfo | None = None

    def send(self, data: bytes) -> None:
        try:
            self.sock.sendall(data)
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
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(1 << 16)
            except TimeoutError:
                raise ChannelTimeout() from None
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
        try:
            try:
                self.container.kill()
            except docker.errors.APIError:
                pass  # not running any more
            try:
                self.container.reload()
                state = self.container.attrs["State"]
                info.exit_code = state.get("ExitCode")
                info.oom_killed = bool(state.get("OOMKilled"))
            except docker.errors.NotFound:
                pass
        finally:
            self.info = info
            self.sock.close()
            self.attached.close()
            _REGISTRY.remove(self.container)
            shutil.rmtree(self.workdir, ignore_errors=True)
        return info


class DockerBackend(Backend):
    """Runs each harness in a fresh container of the sandbox image."""

    name = "docker"

    def __init__(self, client: docker.DockerClient | None = None, image: str | None = None):
        # Each running container holds one connection (its attach stream): a
        # pool big enough for many parallel jobs spares reconnecting.
        self.client = client or docker.from_env(max_pool_size=POOL_SIZE)
        self.image = image or sandbox_image.ensure_image(self.client)
        self.own_client = client is None
        if threading.current_thread() is threading.main_thread() and (
            signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
        ):
            signal.signal(signal.SIGTERM, _terminate)
        remove_orphans(self.client)

    def open(self, job: Job, cases: list[str]) -> tuple[Channel, dict]:
        workdir = Path(tempfile.mkdtemp(prefix="gnn-docker-"))
        try:
            submission = _readonly_copy(job.submission, workdir / "submission")
            container = self._create(job, submission)
        except BaseException:
            shutil.rmtree(workdir, ignore_errors=True)
            raise
        try:
            # Attached before start: nothing the harness writes can be missed.
            attached = container.attach_socket(params={"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1})
            channel = DockerChannel(container, attached, workdir)
        except BaseException:
            _REGISTRY.remove(container)
            shutil.rmtree(workdir, ignore_errors=True)
            raise
        try:
            container.start()
        except BaseException:
            channel.close()
            raise
        header = job.header(cases, SCRATCH, SUBMISSION, wipe=["/dev/shm", "/dev/mqueue"])
        return channel, header

    def _create(self, job: Job, submission: Path):
        limits = job.limits
        container = None
        try:
            container = self.client.containers.create(
                self.image,
                COMMAND,
                stdin_open=True,
                tty=False,
                user=USER,
                working_dir=SCRATCH,
                hostname="sandbox",
                environment=environment(),
                labels={LABEL: OWNER},
                network_mode="none",
                network_disabled=True,
                read_only=True,
                tmpfs={SCRATCH: f"rw,nosuid,nodev,noexec,size={limits.scratch},mode=1777"},
                shm_size=SHM_BYTES,
                mounts=[Mount(SUBMISSION, str(submission), type="bind", read_only=True)],
                cap_drop=["ALL"],
                security_opt=["no-new-privileges"],
                mem_limit=limits.memory,
                memswap_limit=limits.memory,
                mem_swappiness=0,
                pids_limit=limits.pids,
                nano_cpus=int(limits.cpus * 1e9),
                ulimits=[
                    Ulimit(name="nofile", soft=limits.nofile, hard=limits.nofile),
                    Ulimit(name="fsize", soft=limits.fsize, hard=limits.fsize),
                    Ulimit(name="core", soft=0, hard=0),
                ],
                log_config={"type": "none", "config": {}},
            )
        finally:
            if container is not None:
                _REGISTRY.add(container)
        return container

    def describe(self) -> dict:
        return {"sandbox": self.name, "image": self.image, "network": "none"}

    def close(self) -> None:
        _REGISTRY.remove_all()
        if self.own_client:
            self.client.close()


def environment() -> dict[str, str]:
    """Nothing of the grader's environment; what Python, numpy and matplotlib need."""
    return {
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "HOME": SCRATCH,
        "TMPDIR": SCRATCH,
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": f"{SCRATCH}/matplotlib",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def _readonly_copy(source: Path, target: Path) -> Path:
    """A copy of the submission the container's user may read and nobody may change."""
    shutil.copytree(source, target, symlinks=False)
    for path in [target, *target.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    target.parent.chmod(0o755)
    return target


def remove_orphans(client: docker.DockerClient) -> list[str]:
    """Remove containers of graders on this host that died without cleaning up.

    A grader killed with SIGKILL cannot remove its containers; the next one
    does, recognising them by the label whose owner pid no longer exists.
    """
    removed = []
    host = socket.gethostname()
    for container in client.containers.list(all=True, filters={"label": LABEL}):
        owner_host, _, pid = container.labels.get(LABEL, "").rpartition(":")
        if owner_host == host and pid.isdigit() and not _alive(int(pid)):
            try:
                container.remove(force=True)
                removed.append(container.id)
            except docker.errors.NotFound:
                pass
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
