"""Run inside an unpacked kit: does any function of the kit compute a contract function?

``python -S kit_probe.py KIT_FOLDER REFERENCE_FILE...`` imports every module of
the kit and calls every function and method defined there with random inputs
of each contract function's signature (the reference modules' public
functions, and the methods of their classes with a reference instance as
``self``): with all arguments, and with each shorter run of them that still
fills the required parameters, so that the contract's defaults (the lecture's
weights, ``o0``, ``max_epochs``) are used too. Every Aufgabe's reference can be
given: a kit must not compute another Aufgabe's contract function either. It
prints, as JSON, which kit function gave a reference's result.
Needs only numpy and matplotlib, like the kit.
"""

from __future__ import annotations

import copy
import importlib
import importlib.util
import inspect
import json
import signal
import sys
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

SECONDS_PER_CALL = 5


def _random_inputs(rng: np.random.Generator, scratch: Path) -> dict[str, list[tuple]]:
    """Argument tuples per contract parameter list, keyed by the reference function's name."""
    X = rng.normal(size=(6, 3))
    binary = (rng.uniform(size=(6, 3)) > 0.5).astype(float)
    weights = [rng.normal(size=(4, 5)), rng.normal(size=(6, 2))]
    T = rng.uniform(size=(6, 2))
    image = rng.uniform(size=(7, 9, 3))
    colour = scratch / "colour.png"
    plt.imsave(colour, image)
    return {
        "output": [(rng.normal(size=4), X), (rng.normal(size=4), X[0])],
        "train": [
            (binary, (binary[:, 0] > 0).astype(float), rng.normal(size=4), 20),
            (X, T, [3, 5, 2], 4, "rng"),
        ],
        "sigmoid": [(X,)],
        "forward": [(weights, X)],
        "gradients": [(weights, X, T)],
        "irprop_minus": [(rng.normal(size=(3, 4)), rng.normal(size=(3, 4)) * (rng.uniform(size=(3, 4)) > 0.3),
                          rng.uniform(0.01, 1.0, size=(3, 4)))],
        "hidden_probs": [("self", rng.uniform(size=(5, 16)))],
        "visible_probs": [("self", rng.uniform(size=(5, 4)))],
        "reconstruct": [("self", rng.uniform(size=(5, 16)))],
        "cd_update": [("self", rng.uniform(size=(5, 16)), 0.1, 2)],
        "train_rbm": [(rng.uniform(size=(12, 16)), 4, 2, 0.1, 4, "rng")],
        "load_grayscale": [(str(colour),)],
        "pool2d": [(image[:, :, 0], 2, 2, "max"), (image[:, :, 1], 3, 2, "mean")],
        "pool_image": [(str(colour), "OUT", 2, 1, "mean")],
        "step": [(rng.normal(size=2), rng.normal(size=(2, 2)), rng.normal(size=2))],
        "simulate": [(12, rng.normal(size=2), rng.normal(size=(2, 2)), rng.normal(size=2))],
        "plot": [(rng.normal(size=(12, 2)),)],
    }


def _materialise(args: tuple, instance, scratch: Path, call: int) -> tuple:
    """Fresh copies of the arguments; placeholders become a new rng, instance or output path."""
    out = []
    for arg in args:
        if isinstance(arg, str) and arg == "rng":
            out.append(np.random.default_rng(7))
        elif isinstance(arg, str) and arg == "self":
            out.append(copy.deepcopy(instance))
        elif isinstance(arg, str) and arg == "OUT":
            out.append(str(scratch / f"out-{call}.png"))
        else:
            out.append(copy.deepcopy(arg))
    return tuple(out)


def _observable(result, args: tuple):
    """What a call produced: its numeric result, else the state of a mutated instance."""
    if result is None and args and hasattr(args[0], "W"):
        return [args[0].W, args[0].b, args[0].c]
    if hasattr(result, "W") and hasattr(result, "c"):
        return [result.W, result.b, result.c]
    if hasattr(result, "get_axes"):  # a figure: what it plots
        return [line.get_xydata() for axes in result.get_axes() for line in axes.get_lines()] or None
    return result


def _same(a, b) -> bool:
    """Equal numeric content; anything that is not numbers never counts as equal."""
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and len(a) > 0 and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) or isinstance(b, dict) or a is None or b is None:
        return False
    try:
        x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    except (TypeError, ValueError):
        return False
    return x.shape == y.shape and x.size > 0 and bool(np.allclose(x, y, rtol=1e-6, atol=1e-9))


def _shortened(function, argument_sets: list[tuple]) -> list[tuple]:
    """The argument tuples that ``function`` accepts, each also cut after every optional parameter."""
    required = sum(
        p.default is inspect.Parameter.empty and p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
        for p in inspect.signature(function).parameters.values()
    )
    shortened = []
    for args in argument_sets:
        try:  # "train" of Aufgabe 1 and of Aufgabe 2 take different arguments
            inspect.signature(function).bind(*args)
        except TypeError:
            continue
        shortened += [args[:length] for length in range(len(args), required - 1, -1)]
    return shortened


def _contract(reference, rng, scratch):
    """(name, callable taking the arguments, argument tuples, instance) for every contract function."""
    inputs = _random_inputs(rng, scratch)
    contract = []
    for name, value in vars(reference).items():
        if name.startswith("_") or getattr(value, "__module__", None) != reference.__name__:
            continue
        if inspect.isfunction(value):
            # A contract function without inputs here would go unprobed: a new Aufgabe adds its inputs.
            assert name in inputs, f"kit_probe has no inputs for {reference.__name__}.{name}: add them to _random_inputs"
            contract.append((name, value, _shortened(value, inputs[name]), None))
        elif inspect.isclass(value):
            instance = value(16, 4, np.random.default_rng(3))
            for attribute in ("b", "c"):
                setattr(instance, attribute, rng.normal(size=getattr(instance, attribute).shape))
            instance.W = rng.normal(size=instance.W.shape)
            for method, function in vars(value).items():
                if inspect.isfunction(function) and not method.startswith("_"):
                    assert method in inputs, f"kit_probe has no inputs for {reference.__name__}.{name}.{method}: add them to _random_inputs"
                    contract.append((f"{name}.{method}", function, _shortened(function, inputs[method]), instance))
    return contract


def _kit_functions(kit: Path):
    """(qualified name, function) of every function and method defined in a kit file."""
    sys.path.insert(0, str(kit))
    found = []
    for path in sorted(kit.rglob("*.py")):
        relative = path.relative_to(kit).with_suffix("")
        name = ".".join(relative.parts)
        if name.endswith("__init__"):
            name = name.rsplit(".", 1)[0] if "." in name else name
        try:
            module = importlib.import_module(name)
        except Exception:  # a kit file that cannot be imported computes nothing here
            continue
        for attribute, value in vars(module).items():
            if inspect.isfunction(value) and value.__module__ == module.__name__:
                found.append((f"{name}.{attribute}", value))
            elif inspect.isclass(value) and value.__module__ == module.__name__:
                found += [
                    (f"{name}.{attribute}.{m}", f) for m, f in vars(value).items() if inspect.isfunction(f)
                ]
    return found


def _on_alarm(signum, frame):
    raise TimeoutError


def _reference(path: Path):
    """The reference module in ``path``, imported under a name of its own (``train`` is in two)."""
    spec = importlib.util.spec_from_file_location(f"contract_{path.parent.name}_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def probe(kit: Path, reference_files: list[Path]) -> list[str]:
    """``"<kit function> berechnet <module>.<contract function>"`` for each match found."""
    scratch = Path(tempfile.mkdtemp(prefix="kit-probe-"))
    candidates = _kit_functions(kit)
    signal.signal(signal.SIGALRM, _on_alarm)
    found = []
    calls = 0
    for reference_file in reference_files:
        reference = _reference(reference_file)
        contract = _contract(reference, np.random.default_rng(11), scratch)
        for contract_name, function, argument_sets, instance in contract:
            for args in argument_sets:
                calls += 1
                reference_args = _materialise(args, instance, scratch, calls)
                want = _observable(function(*reference_args), reference_args)
                plt.close("all")
                for kit_name, candidate in candidates:
                    calls += 1
                    kit_args = _materialise(args, instance, scratch, calls)
                    signal.alarm(SECONDS_PER_CALL)
                    try:
                        got = _observable(candidate(*kit_args), kit_args)
                    except BaseException:
                        continue
                    finally:
                        signal.alarm(0)
                        plt.close("all")
                    if _same(want, got):
                        found.append(f"{kit_name} berechnet {reference_file.stem}.{contract_name}")
    return sorted(set(found))


if __name__ == "__main__":
    print(json.dumps(probe(Path(sys.argv[1]), [Path(a) for a in sys.argv[2:]])))
