"""No case hands one array to two calls (issue 15.4).

The contract lets a function modify its array arguments unless it says otherwise
(``irprop_minus`` may zero ``grad`` in place). A case that reuses an array after
passing it on would then grade a correct solution as wrong. Each reference is
graded here through a wrapper that, after every call from a case, overwrites each
array argument in place with garbage: it must still get full marks.
"""

import shutil
import textwrap

import pytest

from grader.cases import assignment as assignments
from grader.engine.batch import grade_path

# (function, argument) that the contract or the case's nature keeps untouched.
KEEP = {
    "perceptron": {("train", "w0")},  # the contract: "w0 (not modified)"
    "rnn": {
        ("plot", "trajectory"),  # the returned figure holds the plotted data itself
        # Where the contract is silent, the Aufgabe's README: a case checks these stay as passed.
        ("step", "o"), ("step", "W"), ("step", "bias"),
    },
    "rbm": {("train_rbm", "data")},
}

WRAPPER = textwrap.dedent(
    '''
    """The reference, scribbling over every array argument after each outer call."""
    import functools
    import importlib.util
    import inspect
    import pathlib

    import numpy as np

    _spec = importlib.util.spec_from_file_location("_reference_impl", pathlib.Path(__file__).with_name("_reference_impl.py"))
    _reference = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(_reference)
    _KEEP = KEEP_SET
    _depth = [0]


    def _scribble(value):
        if isinstance(value, np.ndarray) and value.flags.writeable:
            if value.dtype.kind in "fc":
                value[...] = np.nan
            elif value.dtype.kind == "b":
                value[...] = ~value
            else:
                value[...] = 7
        elif isinstance(value, (list, tuple)):
            for item in value:
                _scribble(item)


    def _detached(value):
        """The result, not sharing memory with the arguments about to be scribbled over."""
        if isinstance(value, np.ndarray):
            return value.copy()
        if isinstance(value, (list, tuple)):
            return type(value)(_detached(v) for v in value)
        return value


    def _wrap(name, function):
        signature = inspect.signature(function)

        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            _depth[0] += 1
            try:
                result = function(*args, **kwargs)
            finally:
                _depth[0] -= 1
            if _depth[0]:  # a call of the reference's own, e.g. cd_update -> hidden_probs
                return result
            result = _detached(result)
            for argument, value in signature.bind(*args, **kwargs).arguments.items():
                if argument != "self" and (name, argument) not in _KEEP:
                    _scribble(value)
            return result

        return wrapper


    for _name, _value in vars(_reference).items():
        if _name.startswith("_"):
            continue
        if inspect.isfunction(_value):
            _value = _wrap(_name, _value)
        elif inspect.isclass(_value):
            for _method, _function in list(vars(_value).items()):
                if inspect.isfunction(_function) and not _method.startswith("__"):
                    setattr(_value, _method, _wrap(_method, _function))
        globals()[_name] = _value
    '''
)


@pytest.mark.parametrize("number", assignments.available())
def test_a_reference_that_scribbles_over_its_inputs_gets_full_marks(number, tmp_path):
    a = assignments.load(number)
    folder = tmp_path / "scribbler"
    folder.mkdir()
    shutil.copy(a.reference / f"{a.module}.py", folder / "_reference_impl.py")
    source = WRAPPER.replace("KEEP_SET", repr(KEEP.get(a.module, set())))
    (folder / f"{a.module}.py").write_text(source)
    result = grade_path(aufgabe=number, path=folder, sandbox="process", public_only=False, log=lambda m: None)
    failing = [(c.name, c.message) for c in result.cases if c.status != "passed"]
    assert not failing
    assert result.score == a.max_score
