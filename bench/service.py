"""Service benchmark: a deadline rush of Aufgabe 1 on ``grader serve``, against ``grader run``.

``--students`` students hand in within ``--seconds`` (uniformly spread; the
reference and the example submissions, correct and wrong, in turn) through the
API on 127.0.0.1. Printed:

- every upload receipted (uploads refused by a dead server are sent again, as a
  student would, until receipted);
- seconds from upload to public feedback, p50 and p95: the grading's end minus
  the receipt's time, both stamped by the server (the page polls every 2 s on top);
- drain: the same files handed in at once, from the first receipt to the last
  grading, against ``grader run`` on the same files (same sandbox and jobs);
- verdicts equal to ``grader run``'s, per file;
- with ``--kill-after S``: the server is killed with SIGKILL S seconds into the
  rush and started again; every receipted hand-in is graded exactly once.

    .venv/bin/python bench/service.py --students 300 --seconds 120 --sandbox docker --jobs 2 [--kill-after 60]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.engine.batch import run  # noqa: E402
from grader.service.course import init, open_course, write_tokens  # noqa: E402
from grader.service.models import Grading, Handin  # noqa: E402


def files() -> list[bytes]:
    """The reference and every example perceptron of Aufgabe 1 (correct and wrong)."""
    found = [ROOT / "reference" / "aufgabe1" / "perceptron.py"]
    found += sorted((ROOT / "examples" / "submissions" / "aufgabe1").glob("*/perceptron.py"))
    return [p.read_bytes() for p in found]


class Server:
    def __init__(self, data: Path, port: int, sandbox: str, jobs: int, log: Path):
        self.command = [sys.executable, "-m", "grader.cli", "serve", str(data), "--port", str(port), "--sandbox", sandbox, "--jobs", str(jobs), "--lease", "10"]
        self.url, self.log = f"http://127.0.0.1:{port}", log
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("a") as log:
            env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "sandbox")])}
            self.process = subprocess.Popen(self.command, stdout=log, stderr=log, cwd=ROOT, env=env)
        while True:
            try:
                requests.get(f"{self.url}/anmelden", timeout=2)
                return
            except requests.ConnectionError:
                time.sleep(0.1)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(60)


def course(root: Path, students: int) -> tuple[Path, list[str]]:
    roster = root / "participants.csv"
    rows = [f"Student,{i:03d},{10000 + i},s{i}@example.org" for i in range(students)]
    roster.write_text("First name,Last name,ID number,Email address\n" + "\n".join(rows) + "\n", encoding="utf-8")
    data = root / "course"
    init(data=data, roster_paths=[roster], aufgaben=[1])
    write_tokens(data=data, out=root / "tokens.csv")
    import csv

    with (root / "tokens.csv").open(encoding="utf-8-sig") as stream:
        return data, [r["token"] for r in sorted(csv.DictReader(stream), key=lambda r: r["id_number"])]


def hand_in(server: Server, token: str, content: bytes) -> int:
    """Upload until receipted (a killed server refuses connections until it is back)."""
    while True:
        try:
            answer = requests.post(
                f"{server.url}/api/v1/submissions", headers={"Authorization": f"Bearer {token}"},
                data={"aufgabe": "1"}, files={"file": ("perceptron.py", content)}, timeout=60,
            )
        except requests.RequestException:
            time.sleep(0.2)
            continue
        if answer.status_code == 201:
            return answer.json()["id"]
        raise SystemExit(f"refused: {answer.status_code} {answer.text}")


def rush(server: Server, tokens: list[str], contents: list[bytes], seconds: float, kill_after: float | None) -> list[int]:
    start = time.monotonic()
    if kill_after is not None:
        def killer() -> None:
            time.sleep(kill_after)
            server.kill()
            print(f"kill -9 at {time.monotonic() - start:.1f} s", flush=True)
            server.start()
        threading.Thread(target=killer, daemon=True).start()

    def one(index: int) -> int:
        time.sleep(max(0.0, start + index * seconds / len(tokens) - time.monotonic()))
        return hand_in(server, tokens[index], contents[index % len(contents)])

    with ThreadPoolExecutor(32) as pool:
        return list(pool.map(one, range(len(tokens))))


def wait_graded(data: Path, ids: list[int]) -> dict:
    opened = open_course(data)
    try:
        while True:
            with opened.session() as db:
                states = {h.id: h.state for h in db.query(Handin).filter(Handin.id.in_(ids))}
                if all(s in ("graded", "error") for s in states.values()) and len(states) == len(ids):
                    rows = db.query(Handin, Grading).join(Grading, Grading.handin_id == Handin.id).filter(Handin.id.in_(ids)).all()
                    return {
                        "done": [(h.id, g.tries) for h, g in rows if g.state == "done"],
                        "latency": [(g.finished_at - h.received_at).total_seconds() for h, g in rows if g.state == "done"],
                        "first": min(h.received_at for h, _ in rows),
                        "last": max(g.finished_at for _, g in rows if g.finished_at),
                        "results": {h.id: json.loads(g.result) for h, g in rows if g.state == "done"},
                        "errors": sum(s == "error" for s in states.values()),
                    }
            time.sleep(0.5)
    finally:
        opened.engine.dispose()


def verdicts(result: dict) -> tuple:
    return (result["passed"], result["score"], tuple((c["name"], c["status"]) for c in result["cases"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--sandbox", default="docker")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--kill-after", type=float, default=None)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--no-drain", action="store_true", help="Only the rush, not the same files handed in at once.")
    options = parser.parse_args()
    contents = files()
    with tempfile.TemporaryDirectory(prefix="bench-service-") as folder:
        root = Path(folder)
        data, tokens = course(root, options.students)
        server = Server(data, options.port, options.sandbox, options.jobs, root / "server.log")
        server.start()
        try:
            ids = rush(server, tokens, contents, options.seconds, options.kill_after)
            rushed = wait_graded(data, ids)
            drain_ids, drained = [], None
            if not options.no_drain:
                drain_ids = rush(server, tokens, contents, 0.0, None)
                drained = wait_graded(data, drain_ids)
        finally:
            server.stop()
        subs = root / "subs"
        for index in range(options.students):
            (subs / f"s{index:03d}").mkdir(parents=True)
            (subs / f"s{index:03d}" / "perceptron.py").write_bytes(contents[index % len(contents)])
        started = time.monotonic()
        batch = run(aufgabe=1, submissions=subs, out=root / "batch", sandbox=options.sandbox, jobs=options.jobs, log=lambda m: None)
        batch_seconds = time.monotonic() - started
        by_file = {int(s.id[1:]) % len(contents): verdicts(s.to_json()) for s in batch.submissions}
        phases = [("rush", rushed, ids)] + ([("drain", drained, drain_ids)] if drained else [])
        for label, done, handed in phases:
            tries = dict(done["done"])
            differing = [(i, h) for i, h in enumerate(handed) if h in done["results"] and verdicts(done["results"][h]) != by_file[i % len(contents)]]
            equal = not differing
            for i, h in differing:  # what differs, and whether a kill interrupted it
                service = {c["name"]: (c["status"], c["message"][:120]) for c in done["results"][h]["cases"]}
                batch_cases = dict(by_file[i % len(contents)][2])
                print(f"  differs: hand-in {h} (file {i % len(contents)}, gradings taken {tries.get(h)}): "
                      + "; ".join(f"{n}: service {st} ({m}) / run {batch_cases.get(n)}" for n, (st, m) in service.items() if st != batch_cases.get(n)))
            once = sorted(h for h, _ in done["done"]) == sorted(set(handed)) and len(done["done"]) == len(handed)
            latency = done["latency"]
            p95 = statistics.quantiles(latency, n=20, method="inclusive")[-1] if len(latency) > 1 else latency[0]
            span = (done["last"] - done["first"]).total_seconds()
            print(
                f"{label}: {len(handed)} receipted, graded once: {once}, errors: {done['errors']}, verdicts equal to grader run: {equal}, "
                f"upload→feedback p50 {statistics.median(latency):.2f} s, p95 {p95:.2f} s, max {max(latency):.2f} s, "
                f"first receipt→last grading {span:.1f} s, retried after a kill: {sum(t > 1 for _, t in done['done'])}"
            )
        drain = f"; drain/run: {(drained['last'] - drained['first']).total_seconds() / batch_seconds:.2f}" if drained else ""
        print(f"grader run on the same {options.students} files ({options.sandbox}, --jobs {options.jobs}): {batch_seconds:.1f} s{drain}")


if __name__ == "__main__":
    main()
