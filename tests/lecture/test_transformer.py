"""LayerNorm and the transformer block against torch; the char model by finite differences and training."""

import numpy as np
import pytest
import torch

from reference.lecture import losses, optimizers
from reference.lecture.attention import causal_mask
from reference.lecture.transformer import CharTransformer, LayerNorm, TransformerBlock


@pytest.mark.parametrize("shape", [(4, 7), (2, 3, 5)], ids=str)
def test_layer_norm_matches_torch(shape, assert_close, tt):
    rng = np.random.default_rng(len(shape))
    d = shape[-1]
    ours = LayerNorm(d)
    ours.gamma[:], ours.beta[:] = rng.normal(size=d), rng.normal(size=d)
    theirs = torch.nn.LayerNorm(d)
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(ours.gamma))
        theirs.bias.copy_(torch.tensor(ours.beta))
    x = rng.normal(loc=2.0, scale=3.0, size=shape)
    tx = tt(x)
    y = theirs(tx)
    e = rng.normal(size=shape)
    y.backward(torch.tensor(e))
    assert_close("LN forward", ours.forward(x), y)
    assert_close("LN dx", ours.backward(e), tx.grad)
    assert_close("LN dgamma", ours.dgamma, theirs.weight.grad)
    assert_close("LN dbeta", ours.dbeta, theirs.bias.grad)


def test_block_matches_torch_encoder_layer(assert_close, tt):
    rng = np.random.default_rng(7)
    N, T, E, h, d_ff = 2, 6, 8, 2, 16
    ours = TransformerBlock(E, h, d_ff, rng)
    for p in ours.params():
        p[...] = rng.normal(scale=0.5, size=p.shape)
    theirs = torch.nn.TransformerEncoderLayer(E, h, d_ff, dropout=0.0, batch_first=True, norm_first=False)
    a = ours.attn
    lin1, lin2 = ours.ffn.layers[0], ours.ffn.layers[2]
    pairs = [
        (theirs.self_attn.in_proj_weight, np.vstack([a.W_q, a.W_k, a.W_v])),
        (theirs.self_attn.in_proj_bias, np.concatenate([a.b_q, a.b_k, a.b_v])),
        (theirs.self_attn.out_proj.weight, a.W_o), (theirs.self_attn.out_proj.bias, a.b_o),
        (theirs.linear1.weight, lin1.W), (theirs.linear1.bias, lin1.b),
        (theirs.linear2.weight, lin2.W), (theirs.linear2.bias, lin2.b),
        (theirs.norm1.weight, ours.ln1.gamma), (theirs.norm1.bias, ours.ln1.beta),
        (theirs.norm2.weight, ours.ln2.gamma), (theirs.norm2.bias, ours.ln2.beta),
    ]
    with torch.no_grad():
        for tp, value in pairs:
            tp.copy_(torch.tensor(value))
    X = rng.normal(size=(N, T, E))
    tx = tt(X)
    out = theirs(tx, src_mask=torch.tensor(~causal_mask(T)))
    dZ = rng.normal(size=out.shape)
    out.backward(torch.tensor(dZ))
    assert_close("block forward", ours.forward(X, causal_mask(T)), out)
    assert_close("block dX", ours.backward(dZ), tx.grad)
    g = ours.attn
    assert_close("dW_qkv", np.vstack([g.dW_q, g.dW_k, g.dW_v]), theirs.self_attn.in_proj_weight.grad)
    assert_close("linear1 dW", lin1.dW, theirs.linear1.weight.grad)
    assert_close("linear2 db", lin2.db, theirs.linear2.bias.grad)
    assert_close("norm1 dgamma", ours.ln1.dgamma, theirs.norm1.weight.grad)
    assert_close("norm2 dbeta", ours.ln2.dbeta, theirs.norm2.bias.grad)


def test_char_transformer_gradients_match_finite_differences(numgrad, assert_close):
    rng = np.random.default_rng(8)
    model = CharTransformer(vocab_size=5, d_model=4, n_heads=2, d_ff=6, rng=rng)
    tokens = rng.integers(0, 5, size=(2, 4))
    targets = rng.integers(0, 5, size=8)
    model.backward(losses.softmax_cross_entropy(model.forward(tokens), targets)[1])

    def loss():
        return losses.softmax_cross_entropy(model.forward(tokens), targets)[0]

    for n, (p, g) in enumerate(zip(model.params(), model.grads())):
        assert_close(f"param {n} {p.shape}", g, numgrad(loss, p), rtol=1e-5, atol=1e-8)


def test_char_transformer_learns_a_text():
    text = "neuronale netze lernen aus beispielen. "
    chars = sorted(set(text))
    ids = np.array([chars.index(c) for c in text * 4])
    rng = np.random.default_rng(9)
    model = CharTransformer(len(chars), d_model=32, n_heads=4, d_ff=64, rng=rng)
    opt = optimizers.Adam(eta=0.01)
    T = 24
    first = None
    for _step in range(150):
        starts = rng.integers(0, len(ids) - T - 1, size=8)
        x = np.stack([ids[s:s + T] for s in starts])
        y = np.stack([ids[s + 1:s + T + 1] for s in starts]).ravel()
        value, grad = losses.softmax_cross_entropy(model.forward(x), y)
        first = value if first is None else first
        model.backward(grad)
        opt.step(model.params(), model.grads())
    assert first > 2.0 and value < 0.3, f"loss {first:.3f} -> {value:.3f} (uniform guess: {np.log(len(chars)):.3f})"
    prompt = "neuronale "
    out = model.generate(np.array([chars.index(c) for c in prompt]), 20, rng, temperature=0)
    generated = "".join(chars[i] for i in out)
    assert generated == (text * 2)[:30], f"greedy continuation: {generated!r}"
