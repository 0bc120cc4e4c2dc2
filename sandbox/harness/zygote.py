"""A warm parent of harnesses for the process sandbox: imports once, forks per request.

The process sandbox would otherwise start Python and import numpy (and
pyplot) for every submission. The zygote does that once and then, per
request, forks a fresh harness: its own session, the three descriptors the
host sent as stdin, stdout and stderr, the host's folder and environment. A
forked harness is as fresh as a started one: the zygote never runs student
code and holds nothing but the harness and its imports.

Requests come over a SOCK_SEQPACKET socket (its descriptor is the first
argument): a JSON message
with three descriptors attached. The zygote answers ``{"request": n, "pid": ...}``
(or ``{"request": n, "error": ...}``) and,
when a harness ends, ``{"exit": pid, "code": ...}``. It ends when the host
closes the socket.

A request with ``"bwrap"`` (bubblewrap's command line) gets a sandbox of its
own: the zygote starts bubblewrap and the forked harness joins its namespaces
(``harness.namespaces``); when the harness ends, so does its bubblewrap.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import socket
import sys
import traceback

from . import namespaces, runner


def main(argv: list[str]) -> None:
    """``argv``: the control socket's descriptor, then ``--warm-pyplot`` or nothing."""
    control = socket.socket(fileno=int(argv[0]))
    control.set_inheritable(False)  # bubblewrap and its sandbox must never get it
    runner.warm_up(pyplot="--warm-pyplot" in argv)
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda signum, frame: None)
    selector = selectors.DefaultSelector()
    selector.register(control, selectors.EVENT_READ, "control")
    selector.register(wake_read, selectors.EVENT_READ, "wake")
    holders: dict[int, namespaces.Holder] = {}
    """Pid of a harness (its relay) -> the bubblewrap whose namespaces it joined."""
    while True:
        for key, _ in selector.select(1.0):
            if key.data == "wake":
                os.read(wake_read, 4096)
            elif not _serve(control, (wake_read, wake_write), holders):
                return
        _reap(control, holders)


def _serve(control: socket.socket, own: tuple[int, int], holders: dict) -> bool:
    """Fork one harness for the request waiting on ``control``; False at its end."""
    try:
        message, fds, _, _ = socket.recv_fds(control, 1 << 16, 3)
    except OSError:
        return False
    if not message:
        return False
    request = json.loads(message)
    for fd in fds:
        os.set_inheritable(fd, False)
    holder = None
    try:
        if "bwrap" in request:
            holder = namespaces.hold(request["bwrap"])
        pid = os.fork()
    except OSError as exc:  # no sandbox, or no process for the harness (EAGAIN, ENOMEM)
        if holder is not None:
            holder.end()
        for fd in fds:
            os.close(fd)
        control.send(json.dumps({"request": request["request"], "error": str(exc)}).encode())
        return True
    if pid == 0:  # pragma: no cover - runs in the forked harness
        code = 70
        try:
            _become_harness(control, own, fds, request)
            if holder is not None:
                namespaces.enter(holder.inside, request.get("uid"))
                os.chdir(request["cwd"])
            runner.main(request["options"])
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:  # reported on the harness's stderr
            traceback.print_exc()
            code = 1
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code)
    for fd in fds:
        os.close(fd)
    if holder is not None:
        holders[pid] = holder
    control.send(json.dumps({"request": request["request"], "pid": pid}).encode())
    return True


def _become_harness(control, own: tuple[int, int], fds: list[int], request: dict) -> None:  # pragma: no cover
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    control.close()
    for fd in own:
        os.close(fd)
    os.setsid()
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
    os.closerange(3, os.sysconf("SC_OPEN_MAX"))
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])


def _reap(control: socket.socket, holders: dict) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        if pid in namespaces.started:
            namespaces.started.discard(pid)
            continue  # a bubblewrap: the host knows only its harness
        holder = holders.pop(pid, None)
        if holder is not None:
            holder.end()
        try:
            control.send(json.dumps({"exit": pid, "code": os.waitstatus_to_exitcode(status)}).encode())
        except OSError:
            return


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
