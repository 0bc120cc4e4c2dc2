"""Each submission's result on disk, written the moment it is graded.

``OUT/submissions/<id>.json`` holds the result and the key it was graded
under: a hash of the submission's files, the Aufgabe's fingerprint (cases,
reference, harness) and the sandbox. A rerun on the same ``--out`` reuses a
result whose key still matches, so a killed run loses nothing it had graded.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

from grader.common.results import CaseResult, SubmissionResult, write_json_atomic
from grader.intake import handin
from grader.intake.filenames import file_stem
from grader.intake.submissions import Submission


def submission_hash(submission: Submission) -> str:
    """Hash of what was handed in: the archive's bytes or the folder's files (no link followed)."""
    digest = hashlib.sha256()
    origin = submission.origin
    digest.update(os.fsencode(origin.name))
    mode = os.lstat(origin).st_mode
    if stat.S_ISREG(mode):
        digest.update(origin.read_bytes())
        return digest.hexdigest()
    if not stat.S_ISDIR(mode):
        return digest.hexdigest()
    try:
        for relative, is_dir in sorted(handin.walk(origin)):
            if not is_dir:
                digest.update(os.fsencode(Path(origin.name) / relative))
                digest.update((origin / relative).read_bytes())
    except (handin.UnsafeHandIn, OSError) as exc:
        # Graded as an error anyway; the reason keeps the key apart from a later, clean hand-in.
        digest.update(str(exc).encode("utf-8", "replace"))
    return digest.hexdigest()


class ResultStore:
    def __init__(self, folder: Path):
        self.folder = folder

    def _path(self, submission_id: str) -> Path:
        return self.folder / f"{file_stem(submission_id)}.json"

    def get(self, submission_id: str, key: str) -> SubmissionResult | None:
        """The stored result when it was graded under ``key``; None otherwise or when unreadable."""
        try:
            data = json.loads(self._path(submission_id).read_text(encoding="utf-8"))
            if data["key"] != key or data["result"]["id"] != submission_id:
                return None
            entry = dict(data["result"])
            cases = [CaseResult(**c) for c in entry.pop("cases")]
            return SubmissionResult(cases=cases, **entry)
        except (OSError, ValueError, KeyError, TypeError):
            return None  # missing or corrupt: grade again

    def put(self, submission_id: str, key: str, result: SubmissionResult) -> None:
        write_json_atomic(self._path(submission_id), {"key": key, "result": result.to_json()})
