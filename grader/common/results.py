"""The results of a run, and ``results.json`` exactly as the contract fixes it.

The contract's fields (``../shared/contract/AUFGABEN.md``) come first and are
never renamed; the extra fields (timings, sandbox, versions, captured output)
serve the reports.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from grader.common.status import CaseStatus, SubmissionStatus


@dataclass
class CaseResult:
    name: str
    visibility: str
    """``public`` or ``hidden``."""
    status: CaseStatus
    score: float
    max_score: float
    message: str
    """German, for the student; never an expected value of a hidden case."""
    about: str = ""
    seconds: float = 0.0
    limit: str = ""
    """For a ``timeout``: which limit ended the case, ``cpu`` (its CPU time, the case's
    limit) or ``wall`` (the wall-clock backstop); "" otherwise and in older results."""
    stdout: str = ""
    stderr: str = ""
    traceback: str = ""
    figures: list[str] = field(default_factory=list)
    """File names (beside the report) of the student's figures."""
    expected_figures: list[str] = field(default_factory=list)
    """File names of the reference's figures (public cases only)."""
    difference_figures: list[str] = field(default_factory=list)
    """File names of pictures of what differs (failed point, image and trajectory cases)."""
    expected_text: str = ""
    """The expected value, shortened (``grader.report.formatting.compact``); public cases only."""
    got_text: str = ""
    """What the student's code returned, shortened; public cases only."""
    release: str = ""
    """ISO date from which a hidden case's details may be shown (see ``harness.api.Case``)."""
    mistake: dict | None = None
    """Failed cases only: the typical mistake whose output this is, ``{"id", "title", "hint", "certain"}``
    (``grader.judging.diagnosis``); the hint is empty for a hidden case; ``certain`` is False where the
    mistake's signature holds on only some of its cases (results written before it lack the key: certain)."""

    def __post_init__(self) -> None:
        self.status = CaseStatus(self.status)  # a word read from results.json; refuses an unknown one


@dataclass
class SubmissionResult:
    id: str
    status: SubmissionStatus
    score: float
    max_score: float
    passed: bool
    """The Testat verdict."""
    cases: list[CaseResult]
    message: str = ""
    sandbox: str = ""
    network: str = ""
    """Whether the sandbox cut the code off the network, as its harness said
    (``grader.backends.validate.NETWORKS``: ``shared`` is not cut off); "" where no harness ran."""
    versions: dict = field(default_factory=dict)
    graded_at: str = ""
    seconds: float = 0.0
    report: str = ""
    """Path of the HTML report, relative to the output folder."""
    missing_required: list[str] = field(default_factory=list)
    """Required cases (``Assignment.required``) that did not pass: without them no Testat."""
    shared_causes: list[dict] = field(default_factory=list)
    """Functions with several failing cases, likely one mistake (``grader.judging.causes``)."""
    fix_first: list[dict] = field(default_factory=list)
    """Failing functions that build on another failing one: fix that first (``grader.judging.causes.fix_first``)."""
    sandbox_failed: bool = False
    """A case ended because its sandbox failed, not because of the submission's code
    (e.g. the engine restarted): such a result is reported but a rerun grades it again."""
    notes: list[str] = field(default_factory=list)
    """What the report says about the hand-in besides the cases (German), e.g. an ignored online text."""
    override: dict = field(default_factory=dict)
    """The instructor's hand override, if any: note, at, points, passed, and graded_score/graded_passed
    (what the grader gave); score and passed above already include it (see ``grader.course.overrides``)."""

    def __post_init__(self) -> None:
        self.status = SubmissionStatus(self.status)

    def to_json(self) -> dict:
        data = asdict(self)
        data["cases"] = [asdict(c) for c in self.cases]
        return data


@dataclass
class RunResult:
    aufgabe: int
    title: str
    threshold: float
    submissions: list[SubmissionResult]
    sandbox: str = ""
    complete: bool = True
    """Every submission found has a result; False after Ctrl-C or a lost sandbox engine."""
    total: int = 0
    """Submissions found; ``len(submissions)`` of them have a result (0: as many as have one)."""
    lang: str = "de"
    """Language of the pages, kept so that an override renders them as the run did."""
    release_hidden: bool = False
    skipped: list[dict] = field(default_factory=list)
    """Entries of the submissions folder that are no submission: {"name", "why"} (German;
    ``grader.intake.submissions.Skipped``)."""

    def to_json(self) -> dict:
        return {
            "aufgabe": self.aufgabe,
            "title": self.title,
            "threshold": self.threshold,
            "sandbox": self.sandbox,
            "complete": self.complete,
            "total": self.total or len(self.submissions),
            "lang": self.lang,
            "release_hidden": self.release_hidden,
            "submissions": [s.to_json() for s in self.submissions],
            "skipped": self.skipped,
        }


def write_json_atomic(path: Path, data) -> None:
    """Write, fsync, rename: a reader sees the old file or the new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(data, stream, ensure_ascii=False, indent=1)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def load(path: Path) -> RunResult:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    submissions = []
    for entry in data["submissions"]:
        cases = [CaseResult(**c) for c in entry.pop("cases")]
        submissions.append(SubmissionResult(cases=cases, **entry))
    return RunResult(
        aufgabe=data["aufgabe"],
        title=data.get("title", ""),
        threshold=data.get("threshold", 1.0),
        submissions=submissions,
        sandbox=data.get("sandbox", ""),
        complete=data.get("complete", True),
        total=data.get("total", len(submissions)),
        lang=data.get("lang", "de"),
        release_hidden=data.get("release_hidden", False),
        skipped=data.get("skipped", []),
    )


def png_name(case: str, index: int) -> str:
    """The file name of figure ``index`` of ``case``, wherever figures are kept as files: beside
    the reports, in the cache of expected values, in the student kit (whose runner cannot import
    the grader and mirrors this rule in its glob: ``grader/course/kit_runtime/runner.py``)."""
    return f"{case.replace('/', '__')}-{index}.png"


def typical_mistakes(run: RunResult) -> list[dict]:
    """Per typical mistake of the run: its title and how many students make it, most frequent first.

    A mistake named only as possible (``"certain": False``) is not counted: it may not be the one made.
    """
    rows: dict[str, dict] = {}
    for submission in run.submissions:
        for case in submission.cases:
            if case.mistake and case.mistake.get("certain", True):
                row = rows.setdefault(case.mistake["id"], {"id": case.mistake["id"], "title": case.mistake["title"], "students": set()})
                row["students"].add(submission.id)
    return sorted(
        ({**row, "students": len(row["students"])} for row in rows.values()),
        key=lambda r: (-r["students"], r["id"]),
    )
