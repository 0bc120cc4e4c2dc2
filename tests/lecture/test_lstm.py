"""LSTM forward and backpropagation through time against torch.nn.LSTM."""

import numpy as np
import pytest
import torch

from reference.lecture.lstm import LSTM


@pytest.mark.parametrize("T,N,D,H", [(5, 3, 4, 6), (12, 2, 1, 3), (1, 4, 3, 2)], ids=str)
def test_lstm_matches_torch(T, N, D, H, assert_close, tt):
    rng = np.random.default_rng(T * 100 + H)
    ours = LSTM(D, H, rng)
    theirs = torch.nn.LSTM(D, H)
    with torch.no_grad():
        theirs.weight_ih_l0.copy_(torch.tensor(ours.W_x))
        theirs.weight_hh_l0.copy_(torch.tensor(ours.W_h))
        theirs.bias_ih_l0.copy_(torch.tensor(ours.b))
        theirs.bias_hh_l0.zero_()
    xs, h0, c0 = rng.normal(size=(T, N, D)), rng.normal(size=(N, H)), rng.normal(size=(N, H))
    txs, th0, tc0 = tt(xs), tt(h0), tt(c0)
    out, (h_n, c_n) = theirs(txs, (th0[None], tc0[None]))
    dhs, dc_last = rng.normal(size=(T, N, H)), rng.normal(size=(N, H))
    # The last h is both in ``out`` and ``h_n``; torch adds the errors of both.
    (out * torch.tensor(dhs)).sum().add((c_n[0] * torch.tensor(dc_last)).sum()).backward()

    hs, c = ours.forward(xs, h0, c0)
    assert_close("h_t", hs, out)
    assert_close("c_T", c, c_n[0])
    dxs, dh0, dc0 = ours.backward(dhs, dc_last)
    assert_close("dE/dx_t", dxs, txs.grad)
    assert_close("dE/dh_0", dh0, th0.grad)
    assert_close("dE/dc_0", dc0, tc0.grad)
    assert_close("dE/dW_x", ours.dW_x, theirs.weight_ih_l0.grad)
    assert_close("dE/dW_h", ours.dW_h, theirs.weight_hh_l0.grad)
    assert_close("dE/db", ours.db, theirs.bias_ih_l0.grad)


def test_open_forget_gate_keeps_the_cell_state():
    """With i = 0, f = 1 the cell is a linear neuron that holds its value (the slide's point)."""
    lstm = LSTM(1, 1, np.random.default_rng(0))
    lstm.W_x[:] = 0.0
    lstm.W_h[:] = 0.0
    lstm.b[:] = [-50.0, 50.0, 0.0, 50.0]
    hs, c = lstm.forward(np.zeros((30, 1, 1)), np.zeros((1, 1)), np.full((1, 1), 0.7))
    assert c[0, 0] == pytest.approx(0.7)
    assert hs[-1, 0, 0] == pytest.approx(np.tanh(0.7))
