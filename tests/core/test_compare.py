import numpy as np
import pytest

from grader.judging.compare import Judgement, judge
from harness.checks import Close, Fields, Property, Trajectory


def test_close_passes_within_tolerance_and_names_the_difference():
    expected = {"w": np.array([[1.0, 2.0], [3.0, 4.0]]), "epochs": 3}
    assert judge(Close(), expected, {"w": expected["w"] + 1e-12, "epochs": 3}, reveal=True).passed
    j = judge(Close(), expected, {"w": np.array([[1.0, 2.0], [3.0, 4.5]]), "epochs": 3}, reveal=True)
    assert not j.passed
    assert "'w'" in j.message and "(1, 1)" in j.message and "4.5" in j.message and "erwartet 4" in j.message


def test_hidden_message_never_shows_expected_values():
    expected = {"w": np.array([1.25, 2.75]), "epochs": 17}
    j = judge(Close(), expected, {"w": np.array([1.0, 2.0]), "epochs": 4}, reveal=False)
    assert not j.passed
    assert "1.25" not in j.message and "2.75" not in j.message and "17" not in j.message
    assert "2 von 2" in j.message


def test_shape_mismatch_says_both_shapes():
    j = judge(Close(), {"w": np.zeros((3, 4))}, {"w": np.zeros((4, 3))}, reveal=False)
    assert "(4, 3)" in j.message and "(3, 4)" in j.message


def test_integers_are_exact_and_accept_integral_floats_and_0d_arrays():
    assert judge(Close(), {"o": 1}, {"o": 1.0}, reveal=True).passed
    assert judge(Close(), {"o": 1}, {"o": np.array(1.0)}, reveal=True).passed
    assert not judge(Close(), {"o": 1}, {"o": 1.0 + 1e-12}, reveal=True).passed
    assert not judge(Close(), {"o": 1}, {"o": np.array([1.0])}, reveal=True).passed


def test_lists_of_numbers_count_as_arrays_and_nan_never_equals_a_number():
    assert judge(Close(), {"a": np.array([1.0, 2.0])}, {"a": [1.0, 2.0]}, reveal=True).passed
    assert not judge(Close(), {"a": np.array([1.0, 2.0])}, {"a": np.array([1.0, np.nan])}, reveal=True).passed
    assert not judge(Close(), {"a": np.array([1.0])}, {"a": "1.0"}, reveal=True).passed
    assert not judge(Close(), {"a": np.array([1.0])}, None, reveal=True).passed


def test_fields_use_their_own_checks():
    check = Fields(loose=Close(rtol=0, atol=0.1))
    expected = {"loose": np.array([1.0]), "tight": np.array([1.0])}
    assert judge(check, expected, {"loose": np.array([1.05]), "tight": np.array([1.0])}, reveal=True).passed
    j = judge(check, expected, {"loose": np.array([1.05]), "tight": np.array([1.05])}, reveal=True)
    assert not j.passed and "'tight'" in j.message and "'loose'" not in j.message


def _map(steps, W, bias, order=False):
    o = np.zeros(2)
    out = [o]
    for _ in range(steps):
        phi = W @ o + bias if not order else np.array([W[0, 1] * o[1] + W[0, 0] * o[0], W[1, 1] * o[1] + W[1, 0] * o[0]]) + bias
        o = 2 / (1 + np.exp(-2 * phi)) - 1
        out.append(o)
    return np.array(out)


W = np.array([[-4.0, 1.5], [-1.5, 0.0]])
B = np.array([-3.37, 0.125])


def test_trajectory_accepts_other_summation_order_and_rejects_transposed_weights():
    reference = np.array([o for o in _iterate(1000, W, B)])
    assert judge(Trajectory(), reference, _map(1000, W, B, order=True), reveal=False).passed
    j = judge(Trajectory(), reference, _map(1000, W.T, B), reveal=False)
    assert not j.passed and "Schritt" in j.message


def _iterate(steps, W, bias):
    o = np.zeros(2)
    yield o
    for _ in range(steps):
        o = np.tanh(W @ o + bias)
        yield o


def test_trajectory_rejects_a_different_attractor_with_a_correct_start():
    reference = np.array(list(_iterate(600, W, B)))
    fake = reference.copy()
    fake[100:] = fake[100]  # stuck on one point after a correct start
    j = judge(Trajectory(), reference, fake, reveal=False)
    assert not j.passed and "Attraktor" in j.message


def test_property_gets_reference_then_student_with_params_and_figures():
    seen = {}

    def at_least(expected, got, *, reveal, expected_figures, figures, minimum):
        seen.update(expected=expected, got=got, expected_figures=expected_figures, figures=figures, minimum=minimum)
        return Judgement(got >= minimum, "zu klein")

    props = {"at_least": at_least}
    check = Property("at_least", minimum=3)
    assert judge(check, "ref", 5, reveal=True, properties=props, expected_figures=["e"], figures=["f"]).passed
    assert seen == {"expected": "ref", "got": 5, "expected_figures": ["e"], "figures": ["f"], "minimum": 3}
    assert not judge(Property("at_least", minimum=3), None, 1, reveal=True, properties=props).passed
    with pytest.raises(LookupError):
        judge(Property("nope"), None, 1, reveal=True, properties=props)


def test_booleans_are_shown_as_booleans():
    j = judge(Close(), {"same": True}, {"same": False}, reveal=True)
    assert not j.passed and "ist False, erwartet True" in j.message


def test_elements_of_a_returned_list_are_named_by_index():
    j = judge(Close(), [np.zeros(2), np.ones(2)], [np.zeros(2), np.zeros(2)], reveal=True)
    assert not j.passed and j.message.startswith("Element [1] weicht an 2 von 2 Stellen ab")


# Issue 15.7: what differs structurally, where it can be told.


@pytest.mark.parametrize("reveal", [True, False])
def test_a_matrix_wrong_only_in_its_last_row_says_so(reveal):
    expected = np.arange(12.0).reshape(4, 3)
    got = expected.copy()
    got[-1] += 1.0
    j = judge(Close(), {"w": expected}, {"w": got}, reveal=reveal)
    assert "nur in Zeile 3 (der letzten)" in j.message, j.message
    columns = expected.copy()
    columns[:, 1] -= 2.0
    assert "nur in Spalte 1" in judge(Close(), {"w": expected}, {"w": columns}, reveal=reveal).message


def test_a_series_names_its_first_differing_entry():
    expected = np.array([4.0, 3.0, 2.5, 2.0, 1.0])
    got = np.array([4.0, 3.0, 2.5, 2.2, 1.5])
    assert "zuerst an Index 3" in judge(Close(), {"errors": expected}, {"errors": got}, reveal=False).message
    assert "zuerst" not in judge(Close(), {"errors": expected}, {"errors": got + 1}, reveal=False).message


def test_steps_of_parameters_name_the_first_step_and_what_is_right_in_it():
    state = {"W": np.ones((2, 2)), "b": np.zeros(2), "c": np.zeros(2)}
    expected = {"schritt_1": state, "schritt_2": {k: v + 1 for k, v in state.items()}}
    got = {
        "schritt_1": {"W": state["W"], "b": state["b"] + 1, "c": state["c"] + 1},
        "schritt_2": {k: v + 2 for k, v in state.items()},
    }
    j = judge(Close(), expected, got, reveal=False)
    assert j.message.startswith("Zuerst weicht 'schritt_1' ab: b, c (richtig: W)."), j.message


def test_a_training_that_never_updates_the_bias_row_is_told_so():
    from grader.judging.compare import training_divergence

    start = [np.zeros((3, 2)), np.zeros((3, 1))]
    right = [np.ones((3, 2)), np.ones((3, 1))]
    got = [np.vstack([np.ones((2, 2)), np.zeros((1, 2))]), np.vstack([np.ones((2, 1)), np.zeros((1, 1))])]
    errors = np.array([1.0, 0.5, 0.4])
    notes = training_divergence(
        right, got, start=start, errors=errors, candidates=[np.array([1.0, 0.5, 0.3])], rtol=1e-6, atol=1e-8
    )
    assert notes[0].startswith("In weights[0] blieb die letzte Zeile (die Bias-Gewichte) seit den Startgewichten unverändert")
    assert notes[1].startswith("In weights[1] blieb die letzte Zeile")
    assert notes[2] == "Der Fehlerverlauf errors weicht ab Epoche 2 vom nachgerechneten ab."
