"""Shared helpers of the lecture tests: comparison with a readable message."""

import numpy as np
import pytest
import torch
from threadpoolctl import threadpool_limits

torch.set_default_dtype(torch.float64)
# Same reason as for BLAS below: tiny tensors, threads only wait.
torch.set_num_threads(1)


@pytest.fixture(scope="session", autouse=True)
def single_threaded_blas():
    """Run numpy's BLAS on one thread.

    The tests multiply small matrices, where BLAS threads mostly wait for each
    other; on a busy 2-core machine that made the suite 7 times slower.
    """
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def _assert_close(name, ours, theirs, rtol=1e-7, atol=1e-9):
    """Assert ``ours`` ≈ ``theirs`` elementwise; the message shows both."""
    ours = np.asarray(ours, dtype=float)
    theirs = np.asarray(theirs.detach().numpy() if hasattr(theirs, "detach") else theirs, dtype=float)
    assert ours.shape == theirs.shape, f"{name}: ours has shape {ours.shape}, theirs {theirs.shape}"
    if not np.allclose(ours, theirs, rtol=rtol, atol=atol):
        worst = np.unravel_index(np.argmax(np.abs(ours - theirs)), ours.shape)
        pytest.fail(
            f"{name}: max |ours - theirs| = {np.max(np.abs(ours - theirs)):.3g} at {worst}: "
            f"ours {ours[worst]!r}, theirs {theirs[worst]!r}"
        )


@pytest.fixture
def assert_close():
    """``assert_close(name, ours, theirs, rtol=1e-7, atol=1e-9)``."""
    return _assert_close


@pytest.fixture
def tt():
    """numpy array -> float64 torch leaf tensor that records its gradient."""
    return lambda a: torch.tensor(np.asarray(a, dtype=float), requires_grad=True)


@pytest.fixture(scope="session")
def mnist():
    """The 5000 offline MNIST digits as floats in [0, 1] (images (5000, 784), labels (5000,))."""
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "assignments" / "aufgabe3" / "data" / "mnist5k.npz"
    with np.load(path) as data:
        return data["images"].astype(float) / 255.0, data["labels"].astype(int)


def finite_difference(f, x, h=1e-6):
    """Central-difference gradient of the scalar ``f()`` with respect to array ``x`` (changed and restored in place)."""
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        up = f()
        x[idx] = old - h
        down = f()
        x[idx] = old
        grad[idx] = (up - down) / (2 * h)
    return grad


@pytest.fixture
def numgrad():
    """``numgrad(f, x)``: central-difference gradient of scalar ``f()`` w.r.t. array ``x``."""
    return finite_difference
