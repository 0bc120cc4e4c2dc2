"""The sandbox image: built once, tagged by the hash of what goes into it.

Two routes lead to the same base, Debian bookworm with its python3 (3.11). The
normal one pulls ``debian:bookworm-slim`` from a registry (base.Dockerfile).
The offline one (``--from-debian``, for hosts without registry access such as
our CI) makes that base with ``debootstrap --variant=minbase`` from Debian's
package mirror and imports the root filesystem. Either base then gets the
final layer of ``sandbox/image/Dockerfile``: numpy, matplotlib and what they
need, exactly as pinned in ``sandbox/image/requirements.txt``, installed from
wheels that the host downloads with pip (a build has no network); the harness,
a non-root user, a matplotlib font cache, and no package managers, compilers
or setuid bits.

The tag is a content hash of the image definition and the harness, so a run
reuses the image and a change of either builds a new one. Tags of the
repository that are not the current one are stale (``prune``).

``python -m grader.backends.image [--from-debian] [--force] [--wheels-only]`` builds it as
``grader sandbox build`` does (``build_command``) or only downloads the wheels (used by ``.ci/setup``).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import docker
import docker.errors

from grader import PROJECT
from grader.backends.base import SandboxUnavailable
from grader.backends.docker_engine import engine
from grader.common import pins

SANDBOX = PROJECT / "sandbox"
DEFINITION = SANDBOX / "image"
HARNESS = SANDBOX / "harness"
REPOSITORY = "gnn-grader-sandbox"
BASE_REPOSITORY = "gnn-grader-sandbox-base"
REGISTRY_BASE = "debian:bookworm-slim"
DEBIAN_SUITE = "bookworm"
DEBIAN_MIRROR = "http://deb.debian.org/debian"
"""The mirror apt uses on our machines (/etc/apt/sources.list.d/debian.sources)."""
DEBIAN_PACKAGES = ["python3"]
PYTHON_TAG = ("3.11", "cp311")
"""Debian bookworm's python3: the wheels must fit it, whatever Python runs the host."""
INSTALLER = "pip==26.3"
"""Runs from its own wheel during the build and is not left in the image."""
WHEELS = Path(os.environ.get("GRADER_WHEELS", Path.home() / ".cache" / "gnn-grader" / "wheels"))
MANYLINUX = ["manylinux2014", "manylinux_2_17", "manylinux_2_27", "manylinux_2_28", "manylinux_2_34", "manylinux_2_36"]
"""Wheel platforms that bookworm's glibc 2.36 runs."""

Log = Callable[[str], None]


KEEP_STALE = "GRADER_KEEP_STALE_IMAGES"
"""Set (to anything), ``build_command`` leaves stale tags: several checkouts share one engine."""


class ImageError(Exception):
    """The image could not be built; the message says why and what to try."""


def build_command(*, from_debian: bool = False, force: bool = False, log: Log = print) -> str:
    """``grader sandbox build``: the image's tag, built only when missing (or ``force``); then ``prune``.

    ``from_debian`` makes the base with debootstrap instead of trying the registry first.
    """
    client = engine()
    route = from_debian or None
    tag = build_image(client, route, log=log) if force else ensure_image(client, route, log=log)
    if not os.environ.get(KEEP_STALE):
        prune(client, log=log)
    return tag


def prune_command(*, repository: str = REPOSITORY, log: Log = print) -> list[str]:
    """``grader sandbox prune``: the stale tags of ``repository`` removed (see ``prune``)."""
    return prune(engine(), repository, log=log)


def _definition_files() -> list[tuple[str, Path]]:
    """(name in the build context, file) of everything the image is made of."""
    files = [(p.name, p) for p in sorted(DEFINITION.iterdir()) if p.is_file()]
    files += [(f"harness/{p.name}", p) for p in sorted(HARNESS.glob("*.py"))]
    return files


def content_hash() -> str:
    """Hash of the image definition and the harness: the image's tag."""
    digest = hashlib.sha256()
    for name, path in _definition_files():
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(" ".join([DEBIAN_SUITE, REGISTRY_BASE, INSTALLER, *DEBIAN_PACKAGES]).encode())
    return digest.hexdigest()[:16]


def image_tag() -> str:
    return f"{REPOSITORY}:{content_hash()}"


def _base_tag() -> str:
    """Tag of the base; same for both routes, so either one may provide it."""
    digest = hashlib.sha256((DEFINITION / "base.Dockerfile").read_bytes())
    digest.update(" ".join([DEBIAN_SUITE, *DEBIAN_PACKAGES]).encode())
    return f"{BASE_REPOSITORY}:{digest.hexdigest()[:16]}"


def _exists(client: docker.DockerClient, tag: str) -> bool:
    try:
        client.images.get(tag)
        return True
    except docker.errors.ImageNotFound:
        return False


def ensure_image(client: docker.DockerClient, from_debian: bool | None = None, log: Log = print) -> str:
    """The tag of the sandbox image; builds it only when that tag is missing.

    ``from_debian`` None means: use a base that is already there, else try
    the registry and fall back to debootstrap when no registry answers.
    """
    tag = image_tag()
    if _exists(client, tag):
        return tag
    return build_image(client, from_debian, log)


def build_image(client: docker.DockerClient, from_debian: bool | None, log: Log = print) -> str:
    """Build the sandbox image (and its base when missing); returns its tag."""
    base = _base_tag()
    started = time.monotonic()
    if not _exists(client, base):
        if from_debian:
            _base_from_debian(client, base, log)
        else:
            try:
                _base_from_registry(client, base, log)
            except (docker.errors.APIError, ImageError) as exc:
                if from_debian is not None:
                    raise ImageError(
                        f"Basis-Image aus der Registry nicht baubar ({exc}). Ohne "
                        "Registry-Zugang: grader sandbox build --from-debian"
                    ) from exc
                log(f"Registry nicht erreichbar ({exc}); baue die Basis mit debootstrap.")
                _base_from_debian(client, base, log)
    tag = image_tag()
    pinned = pins.pinned()
    wheels = download_wheels(log)
    log(f"Baue {tag} (numpy {pinned['numpy']}, matplotlib {pinned['matplotlib']}) ...")
    _build(
        client,
        "Dockerfile",
        tag,
        {"BASE": base, "NUMPY_VERSION": pinned["numpy"], "MATPLOTLIB_VERSION": pinned["matplotlib"]},
        labels={
            "gnn-grader.content-hash": content_hash(),
            "gnn-grader.numpy": pinned["numpy"],
            "gnn-grader.matplotlib": pinned["matplotlib"],
        },
        wheels=wheels,
        network_mode="none",  # the final layer needs nothing from outside
        log=log,
    )
    log(f"Sandbox-Image {tag} gebaut in {time.monotonic() - started:.0f} s.")
    return tag


def prune(client: docker.DockerClient, repository: str | None = None, log: Log = print) -> list[str]:
    """Remove the tags of ``repository`` (default ``REPOSITORY``) but the current one; returns them.

    Only tags go, never with force: an image that a container still uses
    stays (the engine refuses), and the log says so.
    """
    repository = repository or REPOSITORY
    keep = f"{repository}:{content_hash()}"
    removed = []
    for found in client.images.list(name=repository):
        for tag in found.tags:
            if tag == keep or tag.rpartition(":")[0] != repository:
                continue
            try:
                client.images.remove(tag)
            except docker.errors.APIError as exc:
                log(f"{tag} bleibt: {exc.explanation or exc}")
                continue
            removed.append(tag)
    if removed:
        log(f"Veraltete Sandbox-Images entfernt: {', '.join(removed)}")
    return removed


def _wanted_wheels() -> list[str]:
    """Requirement specifiers of every wheel the image is installed from."""
    return [f"{name}=={version}" for name, version in pins.image_requirements().items()] + [INSTALLER]


def _wheel_prefix(requirement: str) -> str:
    """The start of a wheel's file name for ``name==version`` (PEP 427 escapes ``-`` as ``_``)."""
    name, _, version = requirement.partition("==")
    return f"{name.replace('-', '_').lower()}-{version}-"


def _cached_wheels() -> dict[str, Path]:
    """The wheels of ``_wanted_wheels()`` that are already in ``WHEELS``, requirement -> file."""
    found = {}
    files = sorted(WHEELS.glob("*.whl")) if WHEELS.is_dir() else []
    for requirement in _wanted_wheels():
        prefix = _wheel_prefix(requirement)
        match = [p for p in files if p.name.lower().startswith(prefix) and _fits(p.name)]
        if match:
            found[requirement] = match[0]
    return found


def _fits(wheel: str) -> bool:
    """Whether the wheel file ``wheel`` installs into bookworm's python3 on this machine."""
    _, _, python, abi, platforms = wheel[: -len(".whl")].rsplit("-", 4)
    if platforms == "any":
        return True
    return PYTHON_TAG[1] in python.split(".") and platform.machine() in platforms


def download_wheels(log: Log = print) -> list[Path]:
    """The image's wheels, downloaded with pip into ``WHEELS`` where missing."""
    missing = [r for r in _wanted_wheels() if r not in _cached_wheels()]
    if missing:
        log(f"Lade {len(missing)} Wheels für das Image nach {WHEELS} ...")
        platforms = [arg for tag in MANYLINUX for arg in ("--platform", f"{tag}_{platform.machine()}")]
        command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
                   *platforms, "--python-version", PYTHON_TAG[0], "--implementation", "cp",
                   "--abi", PYTHON_TAG[1], "--dest", str(WHEELS), *missing]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            raise ImageError(f"pip download der Wheels fehlgeschlagen: {done.stderr[-2000:]}")
    cached = _cached_wheels()
    still = [r for r in _wanted_wheels() if r not in cached]
    if still:
        raise ImageError(f"Für {', '.join(still)} gibt es kein passendes Wheel (cp311, manylinux, {platform.machine()}).")
    return sorted(cached.values())


def _context(wheels: Sequence[Path] = ()) -> io.BytesIO:
    """The build context as an in-memory tar: the definition, the harness and the wheels."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, path in [*_definition_files(), *((f"wheels/{w.name}", w) for w in wheels)]:
            info = archive.gettarinfo(str(path), arcname=name)
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            info.mode = 0o644
            with path.open("rb") as handle:
                archive.addfile(info, handle)
    buffer.seek(0)
    return buffer


def _build(client, dockerfile: str, tag: str, buildargs: dict, log: Log, wheels: Sequence[Path] = (), **options) -> None:
    """Build with the SDK's low-level API so that the build log can be streamed."""
    stream = client.api.build(
        fileobj=_context(wheels),
        custom_context=True,
        dockerfile=dockerfile,
        tag=tag,
        buildargs=buildargs,
        rm=True,
        forcerm=True,
        decode=True,
        **options,
    )
    for chunk in stream:
        if "error" in chunk:
            raise ImageError(f"Build von {tag} fehlgeschlagen: {chunk['error'].strip()}")
        text = chunk.get("stream", "").rstrip()
        if text:
            log(text)


def _base_from_registry(client, tag: str, log: Log) -> None:
    log(f"Baue die Basis {tag} aus {REGISTRY_BASE} ...")
    _build(client, "base.Dockerfile", tag, {}, pull=True, log=log)


def _base_from_debian(client, tag: str, log: Log) -> None:
    """debootstrap a minimal bookworm with Debian's python3, import it as ``tag``."""
    if shutil.which("debootstrap") is None:
        raise ImageError("debootstrap fehlt: apt-get install -y debootstrap")
    work = Path(tempfile.mkdtemp(prefix="gnn-rootfs-"))
    try:
        rootfs = work / "rootfs"
        log(f"debootstrap {DEBIAN_SUITE} von {DEBIAN_MIRROR} (dauert etwa 2 Minuten) ...")
        command = [
            "debootstrap",
            "--variant=minbase",
            f"--include={','.join(DEBIAN_PACKAGES)}",
            DEBIAN_SUITE,
            str(rootfs),
            DEBIAN_MIRROR,
        ]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            raise ImageError(f"debootstrap fehlgeschlagen: {done.stdout[-2000:]}{done.stderr[-2000:]}")
        _trim(rootfs)
        log("Packe das Root-Dateisystem und importiere es ...")
        _import_rootfs(client, rootfs, tag)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _import_rootfs(client, rootfs: Path, tag: str) -> None:
    """``docker import`` of ``rootfs``, streamed: the 1.5 GB tar never hits the disk."""
    read_fd, write_fd = os.pipe()
    failure: list[BaseException] = []

    def pack() -> None:
        try:
            with os.fdopen(write_fd, "wb") as sink, tarfile.open(fileobj=sink, mode="w|") as tar:
                for entry in sorted(rootfs.iterdir()):
                    tar.add(str(entry), arcname=entry.name)
        except BaseException as exc:  # reported by the importing thread
            failure.append(exc)

    packer = threading.Thread(target=pack, daemon=True)
    packer.start()
    repository, _, version = tag.partition(":")
    try:
        with os.fdopen(read_fd, "rb") as source:
            client.api.import_image_from_stream(source, repository=repository, tag=version)
    finally:
        packer.join()
    if failure:
        # The engine may have taken the truncated tar for a whole one.
        with contextlib.suppress(docker.errors.ImageNotFound):
            client.images.remove(tag, force=True)
        raise ImageError(f"Das Root-Dateisystem ließ sich nicht packen: {failure[0]}")


def _trim(rootfs: Path) -> None:
    """Drop what a sandbox never needs from the fresh root filesystem: caches, docs."""
    for relative in ["var/cache/apt", "var/lib/apt/lists", "usr/share/doc", "usr/share/man", "usr/share/info"]:
        shutil.rmtree(rootfs / relative, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.backends.image", description=__doc__.splitlines()[0])
    parser.add_argument("--from-debian", action="store_true", help="base aus Debian-Paketen (ohne Registry)")
    parser.add_argument("--force", action="store_true", help="auch bauen, wenn das Image schon da ist")
    parser.add_argument("--wheels-only", action="store_true", help="nur die Wheels für das Image herunterladen")
    args = parser.parse_args(argv)
    if args.wheels_only:
        try:
            download_wheels()
        except ImageError as exc:
            print(exc, file=sys.stderr)
            return 1
        return 0
    try:
        tag = build_command(from_debian=args.from_debian, force=args.force)
    except SandboxUnavailable as exc:
        print(exc, file=sys.stderr)
        return 2
    except ImageError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(tag)
    return 0


if __name__ == "__main__":
    sys.exit(main())
