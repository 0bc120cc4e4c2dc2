"""A damaged overrides file stops a run before grading, not after it."""

import json

import pytest

from grader.course import overrides


@pytest.mark.parametrize(
    "entry",
    [{"points": "zehn"}, {"passed": "ja"}, {"note": 3}, {"points": True}],
    ids=["points-text", "passed-text", "note-number", "points-bool"],
)
def test_an_overrides_file_of_wrong_types_is_refused_when_read(tmp_path, entry):
    (tmp_path / overrides.FILE).write_text(json.dumps({"anna": {"note": "x", "at": "y", **entry}}))
    with pytest.raises(overrides.OverrideError, match="beschädigt"):
        overrides.load(tmp_path)
