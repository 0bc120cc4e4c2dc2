"""L1/L2 against torch autograd, dropout statistics against torch, early stopping."""

import numpy as np
import pytest
import torch
import torch.nn.functional as tF

from reference.lecture import regularization


@pytest.mark.parametrize("kind", ["l1", "l2"])
def test_penalties_match_torch_autograd(kind, assert_close, tt):
    rng = np.random.default_rng(0)
    weights = [rng.normal(size=(4, 3)), rng.normal(size=(2, 4))]
    lam = 0.03
    penalty = regularization.l1_penalty if kind == "l1" else regularization.l2_penalty
    value, grads = penalty(weights, lam)
    tw = [tt(w) for w in weights]
    theirs = lam * sum((w.abs() if kind == "l1" else w**2).sum() for w in tw)
    theirs.backward()
    assert_close(f"{kind} value", value, theirs)
    for n, (g, w) in enumerate(zip(grads, tw)):
        assert_close(f"{kind} grad {n}", g, w.grad)


@pytest.mark.parametrize("p", [0.2, 0.5])
def test_inverted_dropout_statistics_match_torch(p):
    x = np.random.default_rng(1).uniform(1.0, 2.0, size=(400, 250))
    drop = regularization.Dropout(p, np.random.default_rng(2))
    ours = drop.forward(x)
    torch.manual_seed(2)
    theirs = tF.dropout(torch.tensor(x), p=p, training=True).numpy()
    n = x.size
    tol = 5 * np.sqrt(p * (1 - p) / n)
    for name, out in [("ours", ours), ("torch", theirs)]:
        frac = np.mean(out == 0)
        assert abs(frac - p) < tol, f"{name}: dropped fraction {frac:.4f}, expected {p}"
        kept = out != 0
        np.testing.assert_allclose(out[kept], x[kept] / (1 - p), err_msg=f"{name}: kept outputs not scaled by 1/(1-p)")
        assert out.mean() == pytest.approx(x.mean(), rel=0.01), f"{name}: mean not preserved"


def test_dropout_backward_uses_forward_mask_and_eval_is_identity():
    rng = np.random.default_rng(3)
    drop = regularization.Dropout(0.5, rng)
    x = rng.normal(size=(5, 6))
    out = drop.forward(x)
    e = drop.backward(np.ones_like(x))
    np.testing.assert_array_equal(e == 0, out == 0)
    np.testing.assert_array_equal(drop.forward(x, training=False), x)
    with pytest.raises(ValueError, match="dropout probability"):
        regularization.Dropout(1.0, rng)


def test_early_stopping_keeps_best_epoch():
    stopper = regularization.EarlyStopping(patience=3)
    w = np.zeros(2)
    errors = [5.0, 3.0, 2.0, 2.5, 2.1, 2.2, 1.0]
    stopped_at = None
    for epoch, err in enumerate(errors):
        w[:] = epoch
        if stopper.update(err, [w]):
            stopped_at = epoch
            break
    assert stopped_at == 5, f"stopped at epoch {stopped_at}"
    assert stopper.best_epoch == 2 and stopper.best_error == 2.0
    np.testing.assert_array_equal(stopper.best_params[0], [2.0, 2.0])
