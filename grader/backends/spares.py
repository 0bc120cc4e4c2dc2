"""Harnesses started ahead: while one submission runs, the next sandbox warms up.

A spare is a sandbox whose harness has started, imported numpy (and pyplot
where the Aufgabe's cases draw) and now waits for its job frame, with an empty
submission folder. ``open`` takes a spare, copies the submission into that
folder and sends the job: the start of the sandbox and the imports happened
while other submissions ran, not in between (no idle gaps).

A spare never held any submission before: it is as fresh as a sandbox started
on demand. Spares are kept for one kind of job at a time (same limits, same
warm-up); those of another kind are discarded, and so are all at the end.
A lower count starts no more, but the spares already started stay for the next
jobs: the engine lowers it for its last hand-ins just before each one takes the
spare started for it (throwing that away would start one on demand instead).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

from grader.backends.base import Channel
from grader.intake import handin


@dataclass
class Spare:
    """A started harness waiting for its job."""

    channel: Channel
    submission: Path
    """Host folder the sandbox sees as its submission; empty until taken."""
    details: dict = field(default_factory=dict)


def copy_submission(source: Path, spare: Spare) -> None:
    """Copy the submission into the spare's (empty) folder (``grader.intake.handin.copy``: no link
    followed, no bytecode); on failure the spare is closed."""
    try:
        handin.copy(source, spare.submission)
    except BaseException:
        spare.channel.close()
        raise


Key = TypeVar("Key", bound=Hashable)
"""The kind of a spare: jobs of the same key can use the same spares."""


class Spares(Generic[Key]):
    """Keeps up to ``count`` spares of the current kind started ahead."""

    def __init__(self, start: Callable[[Key], Spare], discard: Callable[[Spare], object]):
        self._start = start
        self._discard = discard
        self._lock = threading.Lock()
        self._ready: list[Spare] = []
        self._pending = 0
        self._key: Key | None = None
        self._count = 0
        self._closed = False
        self._pool: ThreadPoolExecutor | None = None

    def reserve(self, count: int) -> None:
        """How many spares to keep ahead (0: none started any more); those ready stay for ``take``."""
        with self._lock:
            self._count = max(0, count)

    def waiting(self) -> list[Spare]:
        """The spares ready now (a copy of the list)."""
        with self._lock:
            return list(self._ready)

    def take(self, key: Key) -> Spare | None:
        """A ready spare of ``key`` (None if there is none yet); starts replacements."""
        with self._lock:
            if self._closed or not (self._count or self._ready):
                return None
            stale = []
            if key != self._key:
                stale, self._ready, self._key = self._ready, [], key
            spare = self._ready.pop(0) if self._ready else None
            missing = self._count - len(self._ready) - self._pending
            self._pending += max(0, missing)
            if missing > 0 and self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=self._count, thread_name_prefix="spare")
            pool = self._pool if missing > 0 else None
        for old in stale:
            self._discard(old)
        if pool is not None:
            try:
                for _ in range(missing):
                    pool.submit(self._fill, key)
            except RuntimeError:
                pass  # closed meanwhile (Ctrl-C): no more spares
        return spare

    def _fill(self, key: Key) -> None:
        try:
            spare = self._start(key)
        except Exception:
            spare = None
        with self._lock:
            self._pending -= 1
            keep = not self._closed and key == self._key and len(self._ready) < self._count
            if spare is not None and keep:
                self._ready.append(spare)
        if spare is not None and not keep:
            self._discard(spare)

    def close(self) -> None:
        """Discard every spare; the ones still starting are discarded when ready."""
        with self._lock:
            self._closed = True
            ready, self._ready = self._ready, []
            pool = self._pool
        for spare in ready:
            self._discard(spare)
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
