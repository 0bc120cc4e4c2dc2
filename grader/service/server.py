"""``grader serve``: the application on waitress and the worker beside it, in one process.

SIGTERM (and Ctrl-C) stops the server, kills the running sandboxes and returns
their gradings to the queue; ``kill -9`` leaves leases that the next start
takes again once they run out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import waitress

from grader.backends import make_backend
from grader.engine import Local, Sandboxes
from grader.service.app import create_app
from grader.service.course import open_course
from grader.service.lti_sync import ScoreSender
from grader.service.worker import Worker


def serve(
    *,
    data: Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    sandbox: str = "auto",
    jobs: int = 1,
    cluster: str | None = None,
    lease_seconds: float = 60.0,
    secure_cookies: bool = True,
    score_interval: float = 15.0,
    log: Callable[[str], None] = print,
) -> None:
    """Serve the course in ``data`` until SIGTERM or Ctrl-C."""
    opened = open_course(data)
    sandboxes: Sandboxes
    if cluster:
        from grader.cluster.client import connect

        sandboxes = connect(cluster, sandbox=sandbox, log=log)
    else:
        sandboxes = Local(make_backend(sandbox, log=log))
    sender = ScoreSender(opened, interval=score_interval, log=log)
    worker = Worker(opened, sandboxes, jobs=jobs, lease_seconds=lease_seconds, log=log, on_graded=sender.wake)
    app = create_app(opened, secure_cookies=secure_cookies, on_change=sender.wake)
    logging.basicConfig()  # waitress's warnings (e.g. a long request queue) reach stderr
    # Bound before the line below says so: whoever reads it can connect at once.
    server = waitress.create_server(app, host=host, port=port, threads=8, ident="grader", clear_untrusted_proxy_headers=True)
    worker.start()
    sender.start()
    log(f"Grading-Dienst für {data} auf http://{host}:{port}/ ({sandboxes.name}-Sandbox, {jobs} gleichzeitig).")
    try:
        server.run()  # ends on SIGTERM and Ctrl-C (KeyboardInterrupt), closing the server
    finally:
        worker.stop()
        sender.stop()
        opened.engine.dispose()
        log("Grading-Dienst beendet; laufende Bewertungen sind zurück in der Warteschlange.")
