"""How far a run is, on stderr: counts and time left, on a terminal and in a log file alike.

On a terminal this is click's progress bar. Where stderr is no terminal (a
batch job, ``nohup``, ``2> log``) click's bar prints only its label, so a
run of minutes looked dead: there a line is written every ``INTERVAL``
seconds instead, also while no submission has finished yet.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import Any, TextIO

import click

INTERVAL = 5.0
"""Seconds between two lines where stderr is no terminal."""


def clock_text(seconds: float) -> str:
    """``1:05`` for 65 s, ``1:02:03`` from an hour on."""
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class Progress:
    """``update(done, total)`` after each graded submission; used as a context manager around the run."""

    def __init__(self, label: str, *, stream: TextIO | None = None, clock: Callable[[], float] = time.monotonic):
        self.label = label
        self.stream = stream or sys.stderr
        self.clock = clock
        self.terminal = self.stream.isatty()
        self.done = self.total = self.fresh = 0
        self.started = clock()
        self._bar: Any = None
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    def __enter__(self) -> Progress:
        self.started = self.clock()
        if not self.terminal:
            self._ticker = threading.Thread(target=self._tick, name="grader-progress", daemon=True)
            self._ticker.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
            if self.total and exc_info[0] is None:
                click.echo(self.line(), file=self.stream)
        if self._bar is not None:
            self._bar.__exit__(None, None, None)

    def update(self, done: int, total: int) -> None:
        """``done`` of ``total`` submissions have a result; one more than at the last call was graded now."""
        self.done, self.total = done, total
        self.fresh += 1
        if self.terminal:
            if self._bar is None:
                self._bar = click.progressbar(length=total, label=self.label, show_eta=True, show_pos=True,
                                              file=self.stream)
                self._bar.__enter__()
            self._bar.update(1)

    def line(self) -> str:
        """What the log says now: counts, time gone and, once a submission was graded, time left."""
        elapsed = self.clock() - self.started
        if not self.total:
            return f"{self.label}: noch keine Abgabe bewertet, {clock_text(elapsed)} vergangen."
        text = f"{self.label}: {self.done} von {self.total} Abgaben bewertet, {clock_text(elapsed)} vergangen"
        left = self.total - self.done
        if left and self.fresh:
            # Results kept from an earlier run come at once: the pace is that of the ones graded now.
            text += f", noch etwa {clock_text(left * elapsed / self.fresh)}"
        return text + "."

    def _tick(self) -> None:
        while not self._stop.wait(INTERVAL):
            click.echo(self.line(), file=self.stream)
