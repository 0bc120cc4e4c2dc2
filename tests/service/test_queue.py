"""The queue: leases oldest first and once, an expired lease taken again, a lost lease stores nothing,
an infrastructure failure uses up no attempt — on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time

from sqlalchemy import func, select

from grader.service import queue
from grader.service.models import Grading, Handin

from .helpers import hand_in


def take(course, owner: str = "w", seconds: float = 60.0):
    with course.opened.session() as db:
        return queue.take(db, owner, seconds)


def test_leases_go_oldest_first_and_each_once(course):
    receipts = [hand_in(course, key) for key in ("1001", "1002", "1003")]
    leases = [take(course, f"w{i}") for i in range(3)]
    assert [lease.handin_id for lease in leases] == [r.id for r in receipts]
    assert take(course) is None
    with course.opened.session() as db:
        assert set(db.scalars(select(Handin.state))) == {"running"}


def test_an_expired_lease_is_taken_again_and_the_first_holder_stores_nothing(course):
    receipt = hand_in(course)
    first = take(course, "killed", seconds=3.0)
    assert take(course, "other") is None  # still held
    time.sleep(3.2)
    second = take(course, "restarted")
    assert second is not None and (second.grading_id, second.tries) == (first.grading_id, 2)
    with course.opened.session() as db:
        assert not queue.finish(db, first, '{"late": true}')
        assert not queue.renew(db, first, 60)
        assert queue.finish(db, second, '{"ok": true}')
        gradings = db.scalars(select(Grading).where(Grading.handin_id == receipt.id)).all()
        handin = db.get(Handin, receipt.id)
    assert [(g.state, g.result) for g in gradings] == [("done", '{"ok": true}')]
    assert handin is not None and handin.state == "graded"


def test_workers_at_once_take_every_grading_exactly_once(course):
    ids = [hand_in(course, key).id for key in ("1001", "1002", "1003") for _ in range(6)]
    taken: list[int] = []
    lock = threading.Lock()

    def work(owner: str) -> None:
        while (lease := take(course, owner)) is not None:
            with lock:
                taken.append(lease.handin_id)

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(taken) == sorted(ids)


def test_a_failed_sandbox_requeues_and_after_the_last_try_uses_up_no_attempt(course):
    first = hand_in(course)
    for _ in range(queue.MAX_TRIES - 1):
        lease = take(course)
        with course.opened.session() as db:
            assert queue.give_back(db, lease, failed=True) == "queued"
    lease = take(course)
    assert lease.tries == queue.MAX_TRIES
    with course.opened.session() as db:
        assert queue.give_back(db, lease, failed=True, result_json='{"sandbox_failed": true}') == "error"
        assert db.scalar(select(Handin.state).where(Handin.id == first.id)) == "error"
    assert take(course) is None
    again = hand_in(course)
    assert (first.attempt, again.attempt) == (1, 1)


def test_work_returned_at_shutdown_is_no_try(course):
    hand_in(course)
    lease = take(course)
    with course.opened.session() as db:
        assert queue.give_back(db, lease, failed=False) == "queued"
        assert db.scalar(select(func.max(Grading.tries))) == 0
        assert db.scalar(select(Handin.state)) == "queued"
    assert take(course).tries == 1
