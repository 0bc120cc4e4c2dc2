"""The worker: threads that lease queued gradings and grade them through the one engine.

Each thread renews its lease while the engine works, so a slow grading is not
taken over; a server killed mid-grading leaves a lease that runs out and the
next worker grades that hand-in again. ``stop`` (SIGTERM) kills the running
sandboxes and returns their gradings to the queue without counting a try.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session

from grader.backends import SandboxLost
from grader.backends.tempdirs import private_temporary
from grader.cases import assignment as assignments
from grader.common.results import SubmissionResult
from grader.engine import Engine, Sandboxes
from grader.intake.submissions import open_submission
from grader.service import queue
from grader.service.course import Opened
from grader.service.handins import blob_path
from grader.service.models import Handin, Student


def figures_root(data: Path, aufgabe: int) -> Path:
    """Where the figures of Aufgabe ``aufgabe``'s hand-ins (and the reference's, under ``.reference``) are kept."""
    return Path(data) / "figures" / f"aufgabe{aufgabe}"


def figures_owner(handin_id: int) -> str:
    return f"abgabe-{handin_id}"


def submission_id(student: Student) -> str:
    """The id of a student's hand-in in results: their name and key, as ``--roster`` labels them."""
    return f"{student.name} ({student.key})"


class Worker:
    """``jobs`` threads grading from the queue of ``opened`` in ``sandboxes``."""

    def __init__(
        self,
        opened: Opened,
        sandboxes: Sandboxes,
        *,
        jobs: int = 1,
        lease_seconds: float = 60.0,
        poll_seconds: float = 0.5,
        log: Callable[[str], None] = print,
        on_graded: Callable[[], None] = lambda: None,
    ):
        self.opened, self.sandboxes, self.jobs, self.on_graded = opened, sandboxes, jobs, on_graded
        self.lease_seconds, self.poll_seconds, self.log = lease_seconds, poll_seconds, log
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._stopping = threading.Event()
        self._engines: dict[int, Engine] = {}
        self._engines_lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for index in range(self.jobs):
            thread = threading.Thread(target=self._loop, args=(f"{self.owner}:{index}",), name=f"grade-{index}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout: float = 30.0) -> None:
        """Kill what runs, return it to the queue, end the threads."""
        self._stopping.set()
        self.sandboxes.close()
        for thread in self._threads:
            thread.join(timeout)

    def _engine(self, aufgabe: int) -> Engine:
        with self._engines_lock:
            if aufgabe not in self._engines:
                self._engines[aufgabe] = Engine(
                    assignments.load(aufgabe), self.sandboxes, public_only=False, figures_dir=figures_root(self.opened.data, aufgabe), log=self.log,
                )
            return self._engines[aufgabe]

    def _loop(self, owner: str) -> None:
        while not self._stopping.is_set():
            try:
                with self.opened.session() as session:
                    lease = queue.take(session, owner, self.lease_seconds)
            except Exception as exc:  # the database away for a moment: try again, never die
                self.log(f"Warteschlange nicht erreichbar ({type(exc).__name__}: {exc!r:.200}).")
                lease = None
            if lease is None:
                self._stopping.wait(self.poll_seconds)
                continue
            try:
                self._grade(lease)
            except Exception as exc:  # the result could not be stored: the lease runs out, it is graded again
                self.log(f"Abgabe {lease.handin_id}: Ergebnis nicht gespeichert ({type(exc).__name__}: {exc!r:.200}).")

    def _grade(self, lease: queue.Lease) -> None:
        renewing = threading.Event()
        heart = threading.Thread(target=self._renew, args=(lease, renewing), daemon=True)
        heart.start()
        result: SubmissionResult | None = None
        try:
            result = self._judge(lease)
        except SandboxLost as exc:
            self.log(f"Abgabe {lease.handin_id}: Sandbox verloren ({exc}); sie kommt zurück in die Warteschlange.")
        except Exception as exc:  # our own failure: the hand-in is not the student's fault
            self.log(f"Abgabe {lease.handin_id}: interner Fehler ({type(exc).__name__}: {exc!r:.200}).")
        finally:
            renewing.set()
            heart.join()
        with self.opened.session() as session:
            self._store(session, lease, result)

    def _store(self, session: Session, lease: queue.Lease, result: SubmissionResult | None) -> None:
        if self._stopping.is_set():
            queue.give_back(session, lease, failed=False)
        elif result is None or result.sandbox_failed:
            text = json.dumps(result.to_json(), ensure_ascii=False) if result else None
            if queue.give_back(session, lease, failed=True, result_json=text) == "error":
                self.log(f"Abgabe {lease.handin_id}: nach {queue.MAX_TRIES} Ausfällen nicht bewertet (Zustand error).")
        elif not queue.finish(session, lease, json.dumps(result.to_json(), ensure_ascii=False)):
            self.log(f"Abgabe {lease.handin_id}: Lease verloren, ein anderer Worker bewertet sie.")
        else:
            self.on_graded()

    def _judge(self, lease: queue.Lease) -> SubmissionResult:
        with self.opened.session() as session:
            handin = session.get(Handin, lease.handin_id)
            assert handin is not None
            student = session.get(Student, handin.student_id)
            assert student is not None
        engine = self._engine(handin.aufgabe)
        with private_temporary("gnn-unpack-") as work:
            entry = work / "handin" / handin.filename
            entry.parent.mkdir()
            shutil.copyfile(blob_path(self.opened.files, handin.sha256), entry)
            submission = open_submission(entry, engine.assignment.module, work / "unpacked")
            submission.id = figures_owner(handin.id)  # each hand-in's figures apart, earlier attempts' kept
            result = engine.judge(submission)
            result.id = submission_id(student)
            return result

    def _renew(self, lease: queue.Lease, done: threading.Event) -> None:
        while not done.wait(self.lease_seconds / 3):
            try:
                with self.opened.session() as session:
                    if not queue.renew(session, lease, self.lease_seconds):
                        return
            except Exception as exc:  # a renewal missed is retried; the lease is long enough for two
                self.log(f"Lease von Abgabe {lease.handin_id} nicht verlängert ({type(exc).__name__}).")
