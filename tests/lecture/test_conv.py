"""Convolution and pooling, forward and backward, against torch on seeded random shapes."""

import numpy as np
import pytest
import torch
import torch.nn.functional as tF

from reference.lecture import conv

# (N, C, H, W, F, K, stride, padding)
CONV_CASES = [(2, 3, 7, 6, 4, 3, 1, 0), (1, 2, 8, 8, 3, 3, 2, 1), (3, 1, 9, 7, 2, 4, 3, 2), (2, 2, 5, 5, 5, 1, 1, 0)]


@pytest.mark.parametrize("case", CONV_CASES, ids=str)
def test_conv2d_matches_torch(case, assert_close, tt):
    n, c, h, w_, f, k, stride, padding = case
    rng = np.random.default_rng(sum(case))
    x, w, b = rng.normal(size=(n, c, h, w_)), rng.normal(size=(f, c, k, k)), rng.normal(size=f)
    tx, tw, tb = tt(x), tt(w), tt(b)
    out = tF.conv2d(tx, tw, tb, stride=stride, padding=padding)
    dout = rng.normal(size=out.shape)
    out.backward(torch.tensor(dout))
    assert_close("conv2d forward", conv.conv2d_forward(x, w, b, stride, padding), out)
    dx, dw, db = conv.conv2d_backward(dout, x, w, stride, padding)
    assert_close("dx", dx, tx.grad)
    assert_close("dw", dw, tw.grad)
    assert_close("db", db, tb.grad)


# (N, C, H, W, kernel, stride, padding)
POOL_CASES = [(2, 3, 8, 8, 2, 2, 0), (1, 2, 7, 9, 3, 2, 1), (2, 1, 6, 6, 3, 1, 0), (1, 1, 5, 4, 2, 3, 1)]


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("case", POOL_CASES, ids=str)
def test_pooling_matches_torch(kind, case, assert_close, tt):
    n, c, h, w_, kernel, stride, padding = case
    rng = np.random.default_rng(sum(case))
    x = rng.normal(size=(n, c, h, w_))
    tx = tt(x)
    pool = tF.max_pool2d if kind == "max" else tF.avg_pool2d
    out = pool(tx, kernel, stride=stride, padding=padding)
    dout = rng.normal(size=out.shape)
    out.backward(torch.tensor(dout))
    forward = getattr(conv, f"{kind}_pool2d_forward")
    backward = getattr(conv, f"{kind}_pool2d_backward")
    assert_close(f"{kind} pool forward", forward(x, kernel, stride, padding), out)
    assert_close(f"{kind} pool dx", backward(dout, x, kernel, stride, padding), tx.grad)


def test_max_pool_stride_2_halves_an_image():
    """Aufgabe 4's situation: a 2x2 mask with stride 2."""
    img = np.arange(16.0).reshape(1, 1, 4, 4)
    np.testing.assert_array_equal(conv.max_pool2d_forward(img)[0, 0], [[5.0, 7.0], [13.0, 15.0]])
    np.testing.assert_array_equal(conv.avg_pool2d_forward(img)[0, 0], [[2.5, 4.5], [10.5, 12.5]])
