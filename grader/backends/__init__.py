"""Sandbox backends: ``docker`` (the real one) and ``process`` (embedded fallback)."""

from __future__ import annotations

import os

from grader.backends.base import Backend, RootWithoutBubblewrap, SandboxLost, SandboxUnavailable

__all__ = ["CHOICES", "Backend", "SandboxLost", "SandboxUnavailable", "make_backend"]

CHOICES = ("auto", "docker", "process")


def make_backend(choice: str = "auto", *, log=print) -> Backend:
    """The backend for ``--sandbox``: ``auto`` takes docker where an engine answers.

    ``auto`` falling back to ``process`` is said out loud (``log``) and stated
    in every report; it is never silent, and neither is a ``process`` sandbox
    without bubblewrap.
    """
    if choice not in CHOICES:
        raise ValueError(f"unknown sandbox {choice!r}")
    if choice in ("auto", "docker"):
        from grader.backends.docker import DockerBackend
        from grader.backends.docker_engine import docker_unavailable_reason

        reason = docker_unavailable_reason()
        if reason is None:
            return DockerBackend()
        if choice == "docker":
            raise SandboxUnavailable(reason)
        log(f"Hinweis: keine Docker-Engine erreichbar ({reason}); bewertet wird in der process-Sandbox.")
    from grader.backends.process import ProcessBackend, weak_warning
    from grader.common import pins

    if warning := pins.mismatch(pins.installed()):  # the process sandbox runs this Python's numpy
        log(warning)
    backend = ProcessBackend()
    if backend.weakness:
        if os.geteuid() == 0:  # without bubblewrap, nothing would stand between student code and root
            backend.close()
            raise RootWithoutBubblewrap(backend.weakness)
        log(weak_warning(backend.weakness))
    return backend
