"""The queue is the table of gradings: a worker leases one, and a lease that ran out is taken again.

On PostgreSQL a lease is taken with ``SELECT … FOR UPDATE SKIP LOCKED`` (workers
of several servers never wait for each other); on SQLite with one ``UPDATE``,
atomic because SQLite writes one transaction at a time. A grading finishes only
under the lease it was taken with: a worker whose lease was taken over (it
stalled past it) stores nothing, so each hand-in is graded once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from grader.service.models import Grading, Handin, now

MAX_TRIES = 3
"""Leases of one grading whose sandbox failed before the hand-in is set to ``error`` (no attempt used)."""


@dataclass
class Lease:
    grading_id: int
    handin_id: int
    owner: str
    tries: int


def _due(at: datetime):
    return or_(Grading.state == "queued", (Grading.state == "running") & (Grading.lease_until < at))


def take(session: Session, owner: str, seconds: float) -> Lease | None:
    """Lease the oldest grading that is queued or whose lease ran out; None when there is none."""
    at = now()
    with session.begin():
        if session.get_bind().dialect.name == "postgresql":
            found = session.scalar(
                select(Grading.id).where(_due(at)).order_by(Grading.id).limit(1).with_for_update(skip_locked=True)
            )
            if found is None:
                return None
            chosen = Grading.id == found
        else:
            chosen = Grading.id == select(Grading.id).where(_due(at)).order_by(Grading.id).limit(1).scalar_subquery()
        row = session.execute(
            update(Grading)
            .where(chosen, _due(at))
            .values(state="running", lease_owner=owner, lease_until=at + timedelta(seconds=seconds), tries=Grading.tries + 1)
            .returning(Grading.id, Grading.handin_id, Grading.tries)
        ).first()
        if row is None:
            return None
        session.execute(update(Handin).where(Handin.id == row.handin_id).values(state="running"))
    return Lease(row.id, row.handin_id, owner, row.tries)


def _mine(lease: Lease):
    return (Grading.id == lease.grading_id) & (Grading.lease_owner == lease.owner) & (Grading.state == "running")


def renew(session: Session, lease: Lease, seconds: float) -> bool:
    """Extend the lease; False when it was lost (taken over by another worker)."""
    with session.begin():
        done = session.execute(update(Grading).where(_mine(lease)).values(lease_until=now() + timedelta(seconds=seconds)))
    return bool(done.rowcount)  # type: ignore[attr-defined]


def finish(session: Session, lease: Lease, result_json: str, state: str = "graded") -> bool:
    """Store the result under the lease; False (and nothing stored) when the lease was lost."""
    with session.begin():
        done = session.execute(
            update(Grading).where(_mine(lease)).values(state="done", result=result_json, finished_at=now(), lease_owner=None, lease_until=None)
        )
        if not done.rowcount:  # type: ignore[attr-defined]
            return False
        session.execute(update(Handin).where(Handin.id == lease.handin_id).values(state=state))
    return True


def give_back(session: Session, lease: Lease, *, failed: bool, result_json: str | None = None) -> str:
    """Return a grading to the queue; ``failed`` (the sandbox failed) counts the try, and after
    MAX_TRIES the hand-in ends as ``error`` with the result kept. The state it ends in."""
    with session.begin():
        grading = session.get(Grading, lease.grading_id)
        if grading is None or grading.lease_owner != lease.owner or grading.state != "running":
            return "lost"
        if failed and grading.tries >= MAX_TRIES:
            grading.state, grading.finished_at, grading.lease_owner, grading.lease_until = "failed", now(), None, None
            grading.result = result_json
            session.execute(update(Handin).where(Handin.id == lease.handin_id).values(state="error"))
            return "error"
        grading.state, grading.lease_owner, grading.lease_until = "queued", None, None
        if not failed:
            grading.tries -= 1  # an interrupted grading (SIGTERM) was no try
        session.execute(update(Handin).where(Handin.id == lease.handin_id).values(state="queued"))
    return "queued"


def regrade(session: Session, handin_id: int) -> None:
    """Queue a new grading of a hand-in; the earlier ones stay as its history."""
    with session.begin():
        session.add(Grading(handin_id=handin_id, state="queued", created_at=now()))
        session.execute(update(Handin).where(Handin.id == handin_id).values(state="queued"))


def depth(session: Session) -> int:
    """Gradings waiting or running."""
    return session.scalar(select(func.count()).select_from(Grading).where(Grading.state.in_(("queued", "running")))) or 0
