"""Tricks against the harness and the host's checks change nothing but their own case."""

import numpy as np


def test_os_exit_at_import_leaves_no_result(grade):
    result = grade("exit_at_import")
    assert [c.status for c in result.cases.values()] == ["no-result", "no-result"]


def test_system_exit_and_keyboard_interrupt_inside_a_case(grade):
    result = grade("exit_and_interrupt")
    first, second = result.cases.values()
    assert (first.status, first.exception) == ("exception", "SystemExit")
    assert (second.status, second.exception) == ("exception", "KeyboardInterrupt")
    assert result.restarts == 0


def test_monkeypatched_numpy_and_harness_stay_in_their_case(grade):
    result = grade("monkeypatch")
    first, second = result.cases.values()
    # The patched encoder made up a value; it is only the first case's own answer.
    assert first.status in ("ok", "invalid")
    assert second.status == "ok", second.message
    y = second.value["y"]
    assert (y["allclose"], y["sum"]) == (False, 3.0)
    assert type(y["y"]) is np.ndarray and y["y"].tolist() == [1.0, 2.0]


def test_lying_objects_arrive_as_plain_numbers(grade):
    result = grade("liars")
    first, second = result.cases.values()
    assert first.status == "not-plain"
    assert second.status == "ok", second.message
    fake, subclass = second.value["y"]["fake"], second.value["y"]["subclass"]
    for array in (fake, subclass):
        assert type(array) is np.ndarray and array.dtype == np.float64
    assert fake.tolist() == [1.0, 2.0, 3.0]
    assert subclass.tolist() == [0.0, 1.0, 2.0, 3.0]
    assert not (subclass == np.zeros(4)).all()  # the lying __eq__ did not come along


def test_pickle_payload_is_rejected_unopened(grade, tmp_path):
    marker = tmp_path / "unpickled-on-the-host"
    result = grade("pickle_payload", files={"marker_path.txt": str(marker)})
    first, second = result.cases.values()
    assert first.status == "invalid"
    assert not marker.exists()
    assert (second.status, second.value) == ("ok", {"y": 4})


def test_child_ignoring_sigterm_does_not_outlive_its_case(grade):
    result = grade("immortal_child")
    first, second = result.cases.values()
    assert (first.status, first.value) == ("ok", {"y": 2})
    assert second.status == "ok", second.message
    assert second.value["y"] == {"survivors": 0, "shm": []}


def test_signals_to_the_harness_change_nothing(grade):
    result = grade("signal_harness")
    first, second = result.cases.values()
    assert first.status == "ok", (first.status, first.message, first.stderr)
    assert "SIGINT" in first.value["y"]  # the signals were sent: the check can fail
    assert (second.status, second.value) == ("ok", {"y": 4})
    assert result.restarts == 0
