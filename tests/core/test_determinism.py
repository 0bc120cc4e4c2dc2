"""Same submissions, same assignment: byte-identical results.json apart from timestamps."""

import json

from grader.cases.assignment import PROJECT
from grader.engine.batch import run

VOLATILE = {"graded_at", "seconds"}


def without_timestamps(data):
    if isinstance(data, dict):
        return {k: without_timestamps(v) for k, v in data.items() if k not in VOLATILE}
    if isinstance(data, list):
        return [without_timestamps(v) for v in data]
    return data


def test_grading_the_same_batch_three_times_gives_identical_results(tmp_path):
    examples = PROJECT / "examples" / "submissions" / "aufgabe5"
    texts = []
    for attempt in range(3):
        out = tmp_path / f"out{attempt}"
        run(aufgabe=5, submissions=examples, out=out, sandbox="process", jobs=2, regrade=True, log=lambda m: None)
        data = json.loads((out / "results.json").read_text())
        texts.append(json.dumps(without_timestamps(data), sort_keys=True).encode())
    assert texts[0] == texts[1] == texts[2]
    assert b"passed" in texts[0] and b"failed" in texts[0]
