"""The sandbox image: built once, tagged by the hash of what goes into it.

Two routes lead to the same image. The normal one pulls ``debian:bookworm-slim``
from a registry and installs Debian's numpy and matplotlib (base.Dockerfile).
The offline one (``--from-debian``, for hosts without registry access such as
our CI) makes that base with ``debootstrap --variant=minbase`` from Debian's
package mirror and imports the root filesystem. Either base then gets the
final layer of ``sandbox/image/Dockerfile``: the harness, a non-root user, a
matplotlib font cache, and no package managers, compilers or setuid bits.

The tag is a content hash of the image definition and the harness, so a run
reuses the image and a change of either builds a new one.

``python -m grader.image [--from-debian]`` builds it (used by ``.ci/run``).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable

import docker
import docker.errors

SANDBOX = Path(__file__).resolve().parent.parent / "sandbox"
DEFINITION = SANDBOX / "image"
HARNESS = SANDBOX / "harness"
REPOSITORY = "gnn-grader-sandbox"
BASE_REPOSITORY = "gnn-grader-sandbox-base"
REGISTRY_BASE = "debian:bookworm-slim"
DEBIAN_SUITE = "bookworm"
DEBIAN_MIRROR = "http://deb.debian.org/debian"
"""The mirror apt uses on our machines (/etc/apt/sources.list.d/debian.sources)."""
DEBIAN_PACKAGES = ["python3", "python3-numpy", "python3-matplotlib"]

Log = Callable[[str], None]


class ImageError(Exception):
    """The image could not be built; the message says why and what to try."""


def versions() -> dict[str, str]:
    """The pinned versions of ``sandbox/image/versions.env``."""
    pairs = {}
    for line in (DEFINITION / "versions.env").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            pairs[key.strip()] = value.strip()
    return pairs


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
    digest.update(" ".join([DEBIAN_SUITE, REGISTRY_BASE, *DEBIAN_PACKAGES]).encode())
    return digest.hexdigest()[:16]


def image_tag() -> str:
    return f"{REPOSITORY}:{content_hash()}"


def _base_tag() -> str:
    """Tag of the base; same for both routes, so either one may provide it."""
    digest = hashlib.sha256((DEFINITION / "base.Dockerfile").read_bytes())
    digest.update((DEFINITION / "versions.env").read_bytes())
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
    pinned = versions()
    log(f"Baue {tag} (numpy {pinned['NUMPY_VERSION']}, matplotlib {pinned['MATPLOTLIB_VERSION']}) ...")
    _build(
        client,
        "Dockerfile",
        tag,
        {"BASE": base, "NUMPY_VERSION": pinned["NUMPY_VERSION"], "MATPLOTLIB_VERSION": pinned["MATPLOTLIB_VERSION"]},
        labels={
            "gnn-grader.content-hash": content_hash(),
            "gnn-grader.numpy": pinned["NUMPY_VERSION"],
            "gnn-grader.matplotlib": pinned["MATPLOTLIB_VERSION"],
        },
        network_mode="none",  # the final layer needs nothing from outside
        log=log,
    )
    log(f"Sandbox-Image {tag} gebaut in {time.monotonic() - started:.0f} s.")
    return tag


def _context() -> io.BytesIO:
    """The build context as an in-memory tar: only the definition and the harness."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, path in _definition_files():
            info = archive.gettarinfo(str(path), arcname=name)
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            info.mode = 0o644
            with path.open("rb") as handle:
                archive.addfile(info, handle)
    buffer.seek(0)
    return buffer


def _build(client, dockerfile: str, tag: str, buildargs: dict, log: Log, **options) -> None:
    """Build with the SDK's low-level API so that the build log can be streamed."""
    stream = client.api.build(
        fileobj=_context(),
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
    pinned = versions()
    _build(
        client,
        "base.Dockerfile",
        tag,
        {"NUMPY_DEB": pinned["NUMPY_DEB"], "MATPLOTLIB_DEB": pinned["MATPLOTLIB_DEB"]},
        pull=True,
        log=log,
    )


def _base_from_debian(client, tag: str, log: Log) -> None:
    """debootstrap a minimal bookworm with Debian's Python stack, import it as ``tag``."""
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
        try:
            client.images.remove(tag, force=True)
        except docker.errors.ImageNotFound:
            pass
        raise ImageError(f"Das Root-Dateisystem ließ sich nicht packen: {failure[0]}")


def _trim(rootfs: Path) -> None:
    """Drop what a sandbox never needs from the fresh root filesystem: caches, docs."""
    for relative in ["var/cache/apt", "var/lib/apt/lists", "usr/share/doc", "usr/share/man", "usr/share/info"]:
        shutil.rmtree(rootfs / relative, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.image", description=__doc__.splitlines()[0])
    parser.add_argument("--from-debian", action="store_true", help="base aus Debian-Paketen (ohne Registry)")
    parser.add_argument("--force", action="store_true", help="auch bauen, wenn das Image schon da ist")
    args = parser.parse_args(argv)
    try:
        client = docker.from_env()
        client.ping()
    except docker.errors.DockerException as exc:
        print(f"Keine Docker-Engine erreichbar: {exc}", file=sys.stderr)
        return 2
    try:
        if args.force:
            tag = build_image(client, args.from_debian)
        else:
            tag = ensure_image(client, args.from_debian or None)
    except ImageError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(tag)
    return 0


if __name__ == "__main__":
    sys.exit(main())
