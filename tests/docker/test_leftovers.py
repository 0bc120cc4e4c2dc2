"""What one case leaves behind reaches neither the next case nor the host."""

import stat

from grader.backends.base import Limits


def test_a_deep_tree_in_scratch_is_removed_and_the_next_case_is_not_blamed(grade):
    result = grade("deep_tree")
    for name, y in (("f/first", 2), ("f/second", 4)):
        case = result.cases[name]
        assert (case.status, case.value) == ("ok", {"y": y}), case.message


def test_sysv_ipc_objects_are_gone_before_the_next_case(grade):
    result = grade("sysv_ipc")
    nothing = {"shm": False, "msg": False, "sem": False}
    assert result.cases["f/first"].value == {"y": nothing}
    assert result.cases["f/second"].value == {"y": nothing}, "a case found what the one before left"


def test_the_copy_of_a_submission_is_private_to_the_grader_and_removed(backend):
    spare = backend._start((Limits(), False))
    workdir = spare.channel.workdir
    try:
        assert stat.S_IMODE(workdir.stat().st_mode) == 0o700
    finally:
        spare.channel.close()
    assert not workdir.exists()
