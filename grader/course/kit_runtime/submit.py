"""``python -m gnn_kit submit --server URL --token T``: the public cases first, then the hand-in to the
grading service, and its feedback as soon as it is graded (copied into the kit as ``gnn_kit/submit.py``).

Needs only the standard library besides the kit: the service's JSON API
(``POST /api/v1/submissions``, ``GET /api/v1/submissions/ID``). The token may
come from the environment variable ``GNN_TOKEN`` instead of the command line
(then it stays out of the shell's history).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

from . import runner

STATES = {"queued": "wartet", "running": "wird bewertet", "graded": "bewertet", "error": "vom Grader nicht bewertbar"}
MARKS = {"passed": "✓", "failed": "✗", "error": "!", "timeout": "⧗"}


class Refused(Exception):
    """The service said no, or could not be reached (German)."""


def _request(url: str, token: str, body: bytes | None = None, content_type: str = "") -> dict:
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    if content_type:
        headers["Content-Type"] = content_type
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=body, headers=headers), timeout=60) as answer:
            return json.loads(answer.read().decode("utf-8"))
    except urllib.error.HTTPError as error:
        try:
            said = json.loads(error.read().decode("utf-8")).get("error", "")
        except ValueError:
            said = ""
        raise Refused(said or f"Der Dienst antwortete mit HTTP {error.code}.") from None
    except (urllib.error.URLError, OSError) as error:
        raise Refused(f"Der Dienst unter {url} ist nicht erreichbar ({getattr(error, 'reason', error)}).") from None


def hand_in(server: str, token: str, aufgabe: int, path: Path) -> dict:
    """POST the file; the receipt ({"id", "received_at", "sha256", "attempt", "late"})."""
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="aufgabe"\r\n\r\n{aufgabe}\r\n'.encode(),
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{path.name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode(),
        path.read_bytes(),
        f"\r\n--{boundary}--\r\n".encode(),
    ]
    return _request(f"{server}/api/v1/submissions", token, b"".join(parts), f"multipart/form-data; boundary={boundary}")


def public_cases() -> list:
    outcomes = []
    for name in runner.case_names():
        with tempfile.TemporaryDirectory(prefix="gnn-kit-") as scratch:
            outcomes.append(runner.outcome(name, Path(scratch)))
    return outcomes


def feedback(state: dict) -> list[str]:
    """What the service lets the student see of a graded hand-in, as lines."""
    if state["state"] != "graded":
        return [state.get("message") or f"Stand: {STATES.get(state['state'], state['state'])}."]
    verdict = {True: " — Testat bestanden.", False: " — Testat nicht bestanden."}.get(state.get("passed"), " (verdeckte Fälle nach der Frist).")
    lines = [f"{state['score']:g} von {state['max_score']:g} Punkten{verdict}"]
    for case in state.get("cases", []):
        mark = MARKS.get(case.get("status", ""), "?")
        hidden = "" if case.get("visibility") == "public" else " (verdeckt)"
        text = f"{mark} {case['name']}{hidden}"
        if case.get("status") != "passed" and case.get("message"):
            text += f": {case['message']}"
        lines.append(text)
    if state.get("missing_required"):
        lines.append("Ohne diese Pflichtfälle kein Testat: " + ", ".join(state["missing_required"]) + ".")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gnn_kit", description="Das Kit der Aufgabe: prüfen und abgeben.")
    commands = parser.add_subparsers(dest="command", required=True)
    submit = commands.add_parser("submit", help="Die öffentlichen Fälle prüfen, dann beim Grading-Dienst abgeben.")
    submit.add_argument("--server", required=True, help="Adresse des Dienstes, z. B. https://abgabe.example.org")
    submit.add_argument("--token", default=os.environ.get("GNN_TOKEN", ""), help="Ihr Token (oder die Umgebungsvariable GNN_TOKEN).")
    submit.add_argument("--datei", type=Path, default=None, help="Was abgegeben wird (Standard: wie bei den Fällen, Modul oder Notebook).")
    submit.add_argument("--trotzdem", action="store_true", help="Auch abgeben, wenn öffentliche Fälle scheitern.")
    submit.add_argument("--warten", type=float, default=300.0, help="So viele Sekunden auf die Bewertung warten (0: nicht warten).")
    args = parser.parse_args(argv)
    if not args.token:
        print("Es fehlt Ihr Token: --token T oder die Umgebungsvariable GNN_TOKEN.", file=sys.stderr)
        return 2
    path = args.datei or runner.source()
    if not path.is_file():
        print(f"{path} gibt es nicht.", file=sys.stderr)
        return 2
    outcomes = public_cases()
    print("\n".join(runner.summary(outcomes) + runner.mistake_lines(outcomes)))
    failing = [o for o in outcomes if not o.passed and o.mark != "–"]
    if failing and not args.trotzdem:
        print(f"Nicht abgegeben: diese öffentlichen Fälle bestehen noch nicht: {', '.join(o.name for o in failing)} "
              "(jede Abgabe kann einen Versuch kosten). Erst beheben, oder mit --trotzdem abgeben.", file=sys.stderr)
        return 1
    server = args.server.rstrip("/")
    try:
        receipt = hand_in(server, args.token, runner.KIT["aufgabe"], path)
        print(f"Abgegeben: {path.name}, Versuch {receipt['attempt']}, eingegangen {receipt['received_at']}, SHA-256 {receipt['sha256']}.")
        deadline = time.monotonic() + args.warten
        state = {"state": "queued"}
        while args.warten > 0 and state["state"] in ("queued", "running") and time.monotonic() < deadline:
            time.sleep(1.0)
            state = _request(f"{server}/api/v1/submissions/{receipt['id']}", args.token)
    except Refused as refused:
        print(f"Die Abgabe ging nicht: {refused}", file=sys.stderr)
        return 1
    if state["state"] in ("queued", "running"):
        print(f"Die Bewertung läuft noch; sie erscheint unter {server}/abgaben/{receipt['id']}.")
        return 0
    print("\n".join(feedback(state)))
    report = state.get("report_url") or f"/abgaben/{receipt['id']}"
    print(f"Bericht: {server}{report}")
    return 0
