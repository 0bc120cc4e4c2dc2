"""The one pinned numpy and matplotlib: sandbox image, process sandbox and student kit alike.

The pins live in ``sandbox/image/requirements.txt`` (the image's full list);
``pyproject.toml`` and every kit's ``requirements.txt`` repeat numpy's and
matplotlib's. A Testat must not depend on which numpy happened to be
installed, so wherever code runs with other versions, a warning says so.
"""

from __future__ import annotations

from importlib import metadata

from grader import PROJECT

REQUIREMENTS = PROJECT / "sandbox" / "image" / "requirements.txt"
CHECKED = ("numpy", "matplotlib")
"""What student code may use; the rest of the list only serves these two."""


def image_requirements() -> dict[str, str]:
    """Every pinned distribution of the sandbox image, name -> version."""
    pins = {}
    for line in REQUIREMENTS.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[name.strip()] = version.strip()
    return pins


def pinned() -> dict[str, str]:
    """numpy's and matplotlib's pinned versions."""
    pins = image_requirements()
    return {name: pins[name] for name in CHECKED}


def installed() -> dict[str, str]:
    """numpy's and matplotlib's versions in this Python, without importing them."""
    found = {}
    for name in CHECKED:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "nicht installiert"
    return found


def mismatch(found: dict) -> str:
    """A German warning when ``found`` (name -> version) differs from the pins, else ``""``."""
    differing = [
        f"{name} {found[name]} statt {version}"
        for name, version in pinned().items()
        if name in found and found[name] != version
    ]
    if not differing:
        return ""
    return (
        f"Warnung: bewertet mit {', '.join(differing)}. Die Testate gelten für die festgelegten "
        "Versionen (sandbox/image/requirements.txt); mit anderen kann dieselbe Abgabe anders abschneiden."
    )
