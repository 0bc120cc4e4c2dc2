"""File names made from submission ids and handed-in names: unique, safe and short enough.

A submission id is whatever a student's folder or zip was called, so it may
hold any character and up to 255 bytes, or more where it comes from inside
an archive. The files the grader derives from it (report, stored result,
figures) need a name that stays inside its folder, fits the file system's
limit together with suffixes, and belongs to this id alone.
"""

from __future__ import annotations

import hashlib
import os
import re

STEM_CHARS = 100
"""Characters of an id kept in a derived file name; the full id stays in the results."""
NAME_MAX = 255
"""Bytes of one path component on Linux, macOS and Windows file systems."""
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
_HASHED = re.compile(r"-[0-9a-f]{8}$")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def file_stem(submission_id: str) -> str:
    """A file name stem for ``submission_id``: ASCII letters, digits, ``._-``, at most 109 characters.

    An id that is such a name already, short and not ending like a hashed
    stem, is kept as it is; any other gets a prefix of its safe form and
    ``-`` plus 8 hex digits of its hash. So a kept stem never ends like a
    hashed one, and "Anna Müller" cannot take the file of a folder that is
    literally called ``Anna_M_ller-94666c88``.
    """
    safe = _UNSAFE.sub("_", submission_id).lstrip(".") or "_"
    if safe == submission_id and len(safe) <= STEM_CHARS and not _HASHED.search(safe):
        return safe
    return f"{safe[:STEM_CHARS]}-{_digest(submission_id)}"


def fit_component(name: str, limit: int = NAME_MAX) -> str:
    """``name`` if it fits into one path component, else its start and end around a hash.

    The end is kept because it carries what the name is recognised by: an
    archive's suffix, Moodle's ``_<participant>_assignsubmission_file_``.
    """
    if len(os.fsencode(name)) <= limit:
        return name
    tail = _prefix_within(name[::-1], 60)[::-1]
    head = _prefix_within(name, limit - 10 - len(os.fsencode(tail)))
    return f"{head}~{_digest(name)}~{tail}"


def _prefix_within(text: str, limit: int) -> str:
    """The longest start of ``text`` whose file-system bytes fit into ``limit``."""
    prefix = text
    while len(os.fsencode(prefix)) > limit:
        prefix = prefix[:-1]
    return prefix


def readable(name: str) -> str:
    """A file name that was not valid UTF-8, with the broken bytes replaced."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
