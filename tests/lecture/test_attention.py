"""Attention against torch's scaled_dot_product_attention and MultiheadAttention."""

import numpy as np
import pytest
import torch
import torch.nn.functional as tF

from reference.lecture import attention


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("shape", [(2, 3, 5, 5, 4, 6), (1, 2, 4, 7, 3, 2)], ids=str)
def test_scaled_dot_product_attention_matches_torch(shape, causal, assert_close, tt):
    n, h, t_q, t_k, d_k, d_v = shape
    if causal:
        t_k = t_q
    rng = np.random.default_rng(sum(shape) + causal)
    Q, K, V = rng.normal(size=(n, h, t_q, d_k)), rng.normal(size=(n, h, t_k, d_k)), rng.normal(size=(n, h, t_k, d_v))
    mask = attention.causal_mask(t_q) if causal else None
    tq, tk, tv = tt(Q), tt(K), tt(V)
    out = tF.scaled_dot_product_attention(tq, tk, tv, attn_mask=None if mask is None else torch.tensor(mask))
    dO = rng.normal(size=out.shape)
    out.backward(torch.tensor(dO))
    O, A = attention.attention_forward(Q, K, V, mask)
    assert_close("O", O, out)
    np.testing.assert_allclose(A.sum(axis=-1), 1.0)
    dQ, dK, dV = attention.attention_backward(dO, Q, K, V, A)
    assert_close("dQ", dQ, tq.grad)
    assert_close("dK", dK, tk.grad)
    assert_close("dV", dV, tv.grad)


def test_causal_mask_hides_the_future():
    rng = np.random.default_rng(0)
    Q, K, V = (rng.normal(size=(1, 5, 3)) for _ in range(3))
    O, A = attention.attention_forward(Q, K, V, attention.causal_mask(5))
    assert np.all(np.triu(A[0], 1) == 0)
    V2 = V.copy()
    V2[0, 3:] += 100.0
    O2, _ = attention.attention_forward(Q, K, V2, attention.causal_mask(5))
    np.testing.assert_allclose(O2[0, :3], O[0, :3], err_msg="changing later tokens changed earlier outputs")


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("N,T,E,h", [(2, 5, 8, 2), (3, 4, 6, 3), (1, 6, 4, 1)], ids=str)
def test_multi_head_attention_matches_torch(N, T, E, h, causal, assert_close, tt):
    rng = np.random.default_rng(N * 10 + T + E + h)
    ours = attention.MultiHeadAttention(E, h, rng)
    for b in (ours.b_q, ours.b_k, ours.b_v, ours.b_o):
        b[:] = rng.normal(size=E)
    theirs = torch.nn.MultiheadAttention(E, h, batch_first=True)
    with torch.no_grad():
        theirs.in_proj_weight.copy_(torch.tensor(np.vstack([ours.W_q, ours.W_k, ours.W_v])))
        theirs.in_proj_bias.copy_(torch.tensor(np.concatenate([ours.b_q, ours.b_k, ours.b_v])))
        theirs.out_proj.weight.copy_(torch.tensor(ours.W_o))
        theirs.out_proj.bias.copy_(torch.tensor(ours.b_o))
    X = rng.normal(size=(N, T, E))
    mask = attention.causal_mask(T) if causal else None
    tx = tt(X)
    # torch's MultiheadAttention takes the opposite boolean: True = not allowed.
    out, _ = theirs(tx, tx, tx, attn_mask=None if mask is None else torch.tensor(~mask), need_weights=False)
    dY = rng.normal(size=out.shape)
    out.backward(torch.tensor(dY))
    assert_close("MHA output", ours.forward(X, mask), out)
    assert_close("dE/dX", ours.backward(dY), tx.grad)
    grads = dict(zip(["W_q", "b_q", "W_k", "b_k", "W_v", "b_v", "W_o", "b_o"], ours.grads()))
    assert_close("dW_qkv", np.vstack([grads["W_q"], grads["W_k"], grads["W_v"]]), theirs.in_proj_weight.grad)
    assert_close("db_qkv", np.concatenate([grads["b_q"], grads["b_k"], grads["b_v"]]), theirs.in_proj_bias.grad)
    assert_close("dW_o", grads["W_o"], theirs.out_proj.weight.grad)
    assert_close("db_o", grads["b_o"], theirs.out_proj.bias.grad)


def test_mha_refuses_indivisible_width():
    with pytest.raises(ValueError, match="not divisible"):
        attention.MultiHeadAttention(10, 3, np.random.default_rng(0))


def test_positional_encoding_values_and_relative_shift():
    pe = attention.positional_encoding(50, 16)
    assert pe.shape == (50, 16)
    np.testing.assert_allclose(pe[0], np.tile([0.0, 1.0], 8))
    np.testing.assert_allclose(pe[7, 0], np.sin(7.0))
    np.testing.assert_allclose(pe[7, 3], np.cos(7.0 / 10000 ** (2 / 16)))
    # For each frequency w, (sin, cos) at pos + k is (sin, cos) at pos rotated by k w.
    k, w = 5, 1.0 / 10000 ** (4 / 16)
    rot = np.array([[np.cos(k * w), -np.sin(k * w)], [np.sin(k * w), np.cos(k * w)]])
    np.testing.assert_allclose(pe[:-k, 4:6] @ rot, pe[k:, 4:6], atol=1e-12)
