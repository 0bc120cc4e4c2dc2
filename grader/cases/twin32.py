"""What turns a reference module into its float32 twin: appended to its source (``grader.cases.float32``).

The contract lets a student compute in float32 or float64. The twin is the
reference itself, computing in float32 throughout, made by one systematic
transformation instead of a second hand-written reference:

- numpy, as the module sees it, gives float32 where it would give float64
  (``np.zeros(n)``, ``np.asarray(x, dtype=float)``, ``np.append(x, 1.0)``);
- every function and method of the module receives its float arrays as
  float32: arguments, defaults, lists of arrays, the object's attributes,
  the module's constant arrays (integer arrays too: numpy would compute
  float32 with an int64 array in float64).

Runs inside the sandbox beside the reference: numpy and the standard library only.
"""

import functools
import inspect

import numpy as _numpy


def _float32(value):
    """``value`` with its float64 and integer arrays (also inside a list or tuple of them) in float32:
    an integer array (targets, pixels) would otherwise turn float32 arithmetic back into float64."""
    if isinstance(value, _numpy.ndarray) and (value.dtype == _numpy.float64 or value.dtype.kind in "iu"):
        return value.astype(_numpy.float32)
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, _numpy.ndarray) for v in value):
        return type(value)(_float32(v) for v in value)
    return value


def _dtype(dtype):
    """float32 where float64 was asked for (``dtype`` may be a type, a string or a numpy dtype)."""
    try:
        return _numpy.float32 if _numpy.dtype(dtype) == _numpy.float64 and dtype is not None else dtype
    except TypeError:
        return dtype


def _single(value):
    """A float64 result (array or scalar) of numpy in float32."""
    if isinstance(value, (_numpy.ndarray, _numpy.float64)) and value.dtype == _numpy.float64:
        return value.astype(_numpy.float32)
    return value


class _Numpy32:
    """numpy, whose functions give float32 where they would give float64 (``np.zeros(n)``,
    ``np.append(x, 1.0)``, ``np.asarray(x, dtype=float)``); its types stay as they are."""

    def __getattr__(self, name):
        attribute = getattr(_numpy, name)
        if isinstance(attribute, type) or not callable(attribute):
            return attribute

        @functools.wraps(attribute)
        def call(*args, **kwargs):
            if "dtype" in kwargs:
                kwargs["dtype"] = _dtype(kwargs["dtype"])
            return _single(attribute(*args, **kwargs))

        return call


def _takes_float32(function):
    signature = inspect.signature(function)

    @functools.wraps(function)
    def run(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        arguments = {name: _float32(value) for name, value in bound.arguments.items()}
        me = arguments.get("self")
        if me is not None and hasattr(me, "__dict__"):
            for key, value in list(vars(me).items()):
                setattr(me, key, _float32(value))
        return function(**arguments)

    return run


def float32_twin(namespace: dict, names: set) -> None:
    """Make the module whose globals are ``namespace`` compute in float32 (see the module's doc);
    ``names`` are the globals the module defined itself (not this file's)."""
    module = namespace["__name__"]
    for name in sorted(names):
        value = namespace[name]
        if isinstance(value, _numpy.ndarray):
            namespace[name] = _float32(value)
        elif value is _numpy:
            namespace[name] = _Numpy32()
        elif inspect.isfunction(value) and value.__module__ == module:
            namespace[name] = _takes_float32(value)
        elif inspect.isclass(value) and value.__module__ == module:
            for attribute, method in list(vars(value).items()):
                if inspect.isfunction(method):
                    setattr(value, attribute, _takes_float32(method))
