"""The operating system's reasons for a failed file access, in German.

``OSError.strerror`` is the C library's English text; what the grader says to
students and instructors is German (``grader.errors``, a submission that
cannot be read, an output folder that cannot be written).
"""

from __future__ import annotations

import errno

REASONS = {
    errno.ENOENT: "Datei oder Ordner gibt es nicht",
    errno.ENOTDIR: "ein Teil des Pfads ist kein Ordner",
    errno.EEXIST: "dort liegt schon eine Datei, kein Ordner",
    errno.EISDIR: "das ist ein Ordner",
    errno.EACCES: "keine Berechtigung",
    errno.EPERM: "nicht erlaubt",
    errno.EROFS: "das Dateisystem ist schreibgeschützt",
    errno.ENOSPC: "kein Platz mehr auf dem Datenträger",
    errno.ENAMETOOLONG: "der Name ist zu lang",
}


def os_reason(exc: OSError) -> str:
    """Why ``exc`` happened, in German where the reason is known; the system's own text otherwise."""
    reason = REASONS.get(exc.errno) if exc.errno is not None else None
    return reason or exc.strerror or str(exc)
