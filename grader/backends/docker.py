"""The ``docker`` sandbox: one throw-away container per harness.

The container has no network, a read-only root filesystem, a size-capped
tmpfs at /tmp (scratch and HOME; ``noexec``: numpy and matplotlib execute
nothing from there, and a dropped binary cannot run), a user without
privileges and without capabilities, memory equal to memory+swap, and limits
on processes, CPU, open files and file size. It sees the submission (a read-only copy, bind-mounted at
/submission) and the harness baked into the image; the cases arrive as one
frame on stdin and never become files; expected values never enter it.

Containers are started ahead (``grader.backends.spares``): while submissions
run, the next containers start and their harnesses import numpy, then wait
for a job with an empty submission folder; the submission is copied in when
one is taken. A used container is removed in the background.

Docker stores nothing (logging driver ``none``): the host reads the attached
stdout and stderr itself, the protocol's caps bound what it keeps. Every
container is registered the moment it exists and is killed and removed by
``close()``, by the backend's ``close()`` and at interpreter exit, so neither a
timeout, a crash, an exception in the grader nor Ctrl-C leaves one behind.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import socket
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import docker
import docker.errors
from docker.types import Mount, Ulimit

from grader.backends import image as sandbox_image
from grader.backends import tempdirs
from grader.backends.base import Backend, Channel, Job, Limits, SandboxLost
from grader.backends.docker_channel import DockerChannel
from grader.backends.process import BOOT
from grader.backends.spares import Spare, Spares, copy_submission
from harness.reaper import remove_tree

LABEL = "gnn-grader.sandbox"
"""Every container of the grader carries it (value: ``<host>:<pid>`` of its grader)."""
WORKDIR_LABEL = "gnn-grader.workdir"
"""The host folder holding the container's copy of the submission."""
WORKDIR_PREFIX = "gnn-docker-"
USER = "10001:10001"
SUBMISSION = "/submission"
SCRATCH = "/tmp"
"""The tmpfs: per-case scratch folders, HOME and TMPDIR. The harness empties it
after each case, so it is the scratch root itself, not a folder inside it."""
SHM_BYTES = 16 << 20
WIPE = ["/dev/shm", "/dev/mqueue"]
"""The other places a case may write; the harness empties them after each case."""
POOL_SIZE = 32
SEED_FONT_CACHE = "import shutil; shutil.copytree('/opt/mplconfig', '/tmp/matplotlib'); "
"""matplotlib refuses a read-only config dir (it would warn and rebuild its
font cache on every start), so the image's prebuilt one is copied into the tmpfs."""
COMMAND = ["python3", "-I", "-c", SEED_FONT_CACHE + BOOT, "/opt/harness"]


class _Registry:
    """The containers one backend created and has not removed yet."""

    def __init__(self, client: docker.DockerClient):
        self.client = client
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

    def remove_all(self, sweep: bool = False) -> None:
        """Remove every registered container; with ``sweep`` also every other one
        labelled as this process's (one whose creation an interrupt cut short
        was made by the engine but never registered)."""
        with self.lock:
            ids = list(self.live)
        try:
            if sweep:
                listed = self.client.api.containers(all=True, filters={"label": f"{LABEL}={OWNER}"})
                ids += [c["Id"] for c in listed if c["Id"] not in ids]
            for container_id in ids:
                with contextlib.suppress(docker.errors.APIError):  # gone already, or its removal is under way
                    self.client.api.remove_container(container_id, force=True)
                with self.lock:
                    self.live.pop(container_id, None)
        except (docker.errors.DockerException, OSError):
            pass  # the engine is gone; nothing is left to remove with it


OWNER = f"{socket.gethostname()}:{os.getpid()}"
_REGISTRIES: list[_Registry] = []


@atexit.register
def _remove_everything() -> None:
    for registry in _REGISTRIES:
        registry.remove_all(sweep=True)
        registry.client.close()  # the sweep's connection, at interpreter exit


class DockerBackend(Backend):
    """Runs each harness in a fresh container of the sandbox image."""

    name = "docker"

    cases_reach_harness = False
    """The harness is the init of the container's pid namespace: a case cannot signal it."""

    def __init__(self, client: docker.DockerClient | None = None, image: str | None = None):
        # Each running container holds one connection (its attach stream): a
        # pool big enough for many parallel jobs spares reconnecting.
        self.client = client or docker.from_env(max_pool_size=POOL_SIZE)
        self.image = image or sandbox_image.ensure_image(self.client)
        self.own_client = client is None
        self.registry = _Registry(self.client)
        _REGISTRIES.append(self.registry)
        self.closed = False
        self.spares = Spares(self._start, lambda spare: spare.channel.release())
        self.remover = ThreadPoolExecutor(max_workers=1, thread_name_prefix="docker-remove")
        remove_orphans(self.client)

    def open(self, job: Job, cases: list[str]) -> tuple[Channel, dict]:
        if self.closed:
            raise RuntimeError("Der Docker-Sandbox-Dienst wurde beendet.")
        key = (job.limits, job.warm_pyplot)
        spare = self.spares.take(key) or self._start(key)
        copy_submission(job.submission, spare)
        header = job.header(cases, SCRATCH, SUBMISSION, wipe=WIPE)
        return spare.channel, header

    def reserve(self, count: int) -> None:
        self.spares.reserve(count)

    def _start(self, key) -> Spare:
        """A started container whose harness waits, warm, for its job; the
        submission folder it mounts is still empty."""
        limits, warm_pyplot = key
        # Private to the grader's user: the engine mounts the folder inside, the
        # container's user needs no way through its parent.
        workdir = tempdirs.private_folder(WORKDIR_PREFIX)
        submission = workdir / "submission"
        try:
            submission.mkdir(mode=0o755)
            container = self._create(limits, warm_pyplot, submission, workdir)
        except BaseException as exc:
            remove_tree(workdir)
            if isinstance(exc, Exception) and not self._engine_answers():
                raise SandboxLost(f"Die Docker-Engine antwortet nicht mehr ({exc}).") from exc
            raise
        try:
            # Attached before start: nothing the harness writes can be missed.
            attached = container.attach_socket(params={"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1})
            channel = DockerChannel(container, attached, workdir, self.registry, self.remover)
        except BaseException:
            self.registry.remove(container)
            remove_tree(workdir)
            raise
        try:
            container.start()
        except BaseException as exc:
            channel.close()
            if isinstance(exc, Exception) and not self._engine_answers():
                raise SandboxLost(f"Die Docker-Engine antwortet nicht mehr ({exc}).") from exc
            raise
        return Spare(channel, submission)

    def _create(self, limits: Limits, warm_pyplot: bool, submission: Path, workdir: Path, command=None):
        """A container with every limit of the sandbox; ``command`` replaces the
        harness (the overhead benchmark runs ``true`` in one)."""
        container = None
        try:
            container = self.client.containers.create(
                self.image,
                command or COMMAND + (["--warm-pyplot"] if warm_pyplot else []),
                stdin_open=True,
                tty=False,
                user=USER,
                working_dir=SCRATCH,
                hostname="sandbox",
                environment=environment(),
                labels={LABEL: OWNER, WORKDIR_LABEL: str(workdir)},
                network_mode="none",
                network_disabled=True,
                ipc_mode="private",  # SysV IPC of one container is not another's
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
                self.registry.add(container)
        if self.closed:  # close() ran while this was being created
            self.registry.remove(container)
            raise RuntimeError("Der Docker-Sandbox-Dienst wurde beendet.")
        return container

    def healthy(self) -> bool:
        return self._engine_answers()

    def _engine_answers(self) -> bool:
        try:
            self.client.ping()
            return True
        except Exception:  # any failure to answer means the same here
            return False

    def close(self) -> None:
        """Kill every container of this backend; jobs still running end with
        ``sandbox`` verdicts instead of starting new ones (Ctrl-C with --jobs)."""
        self.closed = True
        self.spares.close()
        self.registry.remove_all()
        self.remover.shutdown(wait=True)
        self.registry.remove_all()  # what a spare still starting registered meanwhile
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


def remove_orphans(client: docker.DockerClient) -> list[str]:
    """Remove containers (and submission copies) of graders on this host that died.

    A grader killed with SIGKILL cannot remove its containers; the next one
    does, recognising them by the label whose owner pid no longer exists.
    """
    removed = []
    host = socket.gethostname()
    # The low-level list: no inspect per container, which would race with
    # other graders removing theirs.
    for listed in client.api.containers(all=True, filters={"label": LABEL}):
        labels = listed.get("Labels") or {}
        owner_host, _, pid = labels.get(LABEL, "").rpartition(":")
        if owner_host != host or not pid.isdigit() or _alive(int(pid)):
            continue
        try:
            client.api.remove_container(listed["Id"], force=True)
            removed.append(listed["Id"])
        except docker.errors.NotFound:
            pass
        workdir = Path(labels.get(WORKDIR_LABEL, ""))
        if workdir.parent == Path(tempfile.gettempdir()) and workdir.name.startswith(WORKDIR_PREFIX):
            remove_tree(workdir)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
