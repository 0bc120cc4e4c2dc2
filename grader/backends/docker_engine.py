"""This host's Docker engine: whether one answers, and a client of it."""

from __future__ import annotations

import docker
import docker.errors

from grader.backends.base import SandboxUnavailable


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


def engine() -> docker.DockerClient:
    """A client of this host's Docker engine; SandboxUnavailable, saying why, when none answers."""
    reason = docker_unavailable_reason()
    if reason is not None:
        raise SandboxUnavailable(reason)
    return docker.from_env()
