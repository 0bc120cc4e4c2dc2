"""What a student sees of a hand-in: its state and the result as the Aufgabe's policy allows.

One function for the API and the pages. Public cases show what the batch
report shows; a hidden case never more than its verdict, points and message
(which never quotes its values, ``grader.judging.disclosure``): before the deadline as
``hidden_before_deadline`` says, after it as the batch report.
"""

from __future__ import annotations

import json
from datetime import datetime

from grader.service.models import Aufgabe, Grading, Handin

PUBLIC_FIELDS = (
    "name", "visibility", "status", "score", "max_score", "message", "about", "expected_text", "got_text", "stdout", "stderr",
    "traceback", "mistake", "figures", "expected_figures", "difference_figures",
)
"""A public case as the batch report shows it; its figures' paths (served by ``/abgaben/ID/abbildungen/…``) too."""
HIDDEN_FIELDS = {
    "nothing": (),
    "verdict": ("name", "visibility", "status", "score", "max_score"),
    "report": ("name", "visibility", "status", "score", "max_score", "message", "about", "mistake"),
}
FAILED_BY_GRADER = (
    "Diese Abgabe konnte wegen eines Fehlers des Graders (nicht Ihres Codes) nicht bewertet werden; "
    "sie zählt nicht als Versuch. Bitte erneut abgeben oder die Lehrenden fragen."
)


def hidden_level(aufgabe: Aufgabe, at: datetime, extended: datetime | None = None) -> str:
    """How much of the hidden cases a student sees at ``at`` (a key of HIDDEN_FIELDS);
    ``extended``: the student's own, later deadline (``grader.service.extensions``)."""
    deadline = extended or aufgabe.deadline
    if deadline is not None and at > deadline:
        return "report"
    return aufgabe.hidden_before_deadline


def shown(
    handin: Handin, aufgabe: Aufgabe, grading: Grading | None, at: datetime, level: str = "", extended: datetime | None = None
) -> dict:
    """The hand-in as its student may see it at ``at`` (the API's JSON); ``level`` (a key of
    HIDDEN_FIELDS) instead of the policy's: the instructor's pages show ``report``."""
    data: dict = {
        "id": handin.id,
        "aufgabe": handin.aufgabe,
        "state": handin.state,
        "attempt": handin.attempt,
        "received_at": handin.received_at.isoformat(timespec="seconds"),
        "sha256": handin.sha256,
        "late": handin.late,
        "score": None,
        "max_score": None,
        "passed": None,
        "message": FAILED_BY_GRADER if handin.state == "error" else "",
        "cases": [],
        "hidden_shown": True,
        "report_url": f"/abgaben/{handin.id}",
    }
    if handin.state != "graded" or grading is None or grading.result is None:
        return data
    result = json.loads(grading.result)
    level = level or hidden_level(aufgabe, at, extended)
    cases = []
    for case in result["cases"]:
        fields = PUBLIC_FIELDS if case["visibility"] == "public" else HIDDEN_FIELDS[level]
        if fields:
            cases.append({name: case[name] for name in fields if name in case})
    mistakes = [c for c in cases if c["visibility"] != "public" and c.get("mistake")]
    for case in mistakes:  # a hidden case's mistake: its title, never its hint
        case["mistake"] = {"title": case["mistake"]["title"]}
    if level == "nothing":
        data["score"] = sum(c["score"] for c in cases)
        data["max_score"] = sum(c["max_score"] for c in cases)
        data["hidden_shown"] = False
    else:
        data["score"], data["max_score"], data["passed"] = result["score"], result["max_score"], result["passed"]
    names = {c["name"] for c in cases}
    data["missing_required"] = [n for n in result.get("missing_required", []) if n in names]
    data["message"] = result.get("message", "")
    data["status"] = result["status"]
    data["cases"] = cases
    return data
