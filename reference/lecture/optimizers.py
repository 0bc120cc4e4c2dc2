"""Gradient descent and its refinements: SGD, momentum, RMSProp, Adam, iRprop⁻.

Lecture: "Backpropagation" › "Stochastischer Gradientenabstieg",
"Momentum Term", "RMS-Prop", "ADAM", "iRprop⁻".

Every optimizer has the same interface: ``step(params, grads)`` changes each
array of ``params`` in place, using the gradient ``dE/dw_ji`` at the same
position of ``grads``. Its state (momentum, squared-gradient average, step
sizes) is kept per position, so pass the parameters in the same order each
time.
"""

import numpy as np


class SGD:
    """Gradient descent ``w_ji <- w_ji - eta dE/dw_ji``.

    With mini-batches the gradient is the mean over the m patterns of the
    batch (``losses`` already average), which is stochastic gradient descent.
    """

    def __init__(self, eta=0.1):
        self.eta = eta

    def step(self, params, grads):
        """Update ``params`` (list of ndarray) in place from ``grads`` (same shapes)."""
        for w, g in zip(params, grads):
            w -= self.eta * g


class Momentum:
    """Gradient descent with the momentum term, in the lecture's form.

    ``m_ji <- beta m_ji + (1 - beta) dE/dw_ji``, ``w_ji <- w_ji - eta m_ji``,
    with ``m_ji = 0`` at the start.

    ``torch.optim.SGD(momentum=mu)`` writes the same method without the factor
    ``1 - beta`` (``b <- mu b + g``, ``w <- w - lr b``); the two agree for
    ``mu = beta`` and ``lr = eta (1 - beta)``.
    """

    def __init__(self, eta=0.1, beta=0.9):
        self.eta, self.beta = eta, beta
        self.m = {}

    def step(self, params, grads):
        """Update ``params`` (list of ndarray) in place from ``grads`` (same shapes)."""
        for n, (w, g) in enumerate(zip(params, grads)):
            m = self.m.setdefault(n, np.zeros_like(w))
            m *= self.beta
            m += (1.0 - self.beta) * g
            w -= self.eta * m


class RMSProp:
    """RMSProp: divide the gradient by a running root mean square of it.

    ``v_ji <- alpha v_ji + (1 - alpha) (dE/dw_ji)**2``,
    ``w_ji <- w_ji - eta dE/dw_ji / (sqrt(v_ji) + eps)``, with ``v_ji = 0`` at
    the start. Same as ``torch.optim.RMSprop`` (whose default alpha is 0.99).
    """

    def __init__(self, eta=0.01, alpha=0.99, eps=1e-8):
        self.eta, self.alpha, self.eps = eta, alpha, eps
        self.v = {}

    def step(self, params, grads):
        """Update ``params`` (list of ndarray) in place from ``grads`` (same shapes)."""
        for n, (w, g) in enumerate(zip(params, grads)):
            v = self.v.setdefault(n, np.zeros_like(w))
            v *= self.alpha
            v += (1.0 - self.alpha) * g**2
            w -= self.eta * g / (np.sqrt(v) + self.eps)


class Adam:
    """Adam: momentum and RMSProp together, with bias correction.

    ``m <- beta1 m + (1 - beta1) g``, ``v <- beta2 v + (1 - beta2) g**2``,
    ``m_hat = m / (1 - beta1**t)``, ``v_hat = v / (1 - beta2**t)``,
    ``w <- w - eta m_hat / (sqrt(v_hat) + eps)`` in step ``t = 1, 2, ...``.

    The slide "ADAM" divides by ``1 - beta1`` and ``1 - beta2``. Kingma & Ba
    (2015, Algorithm 1) divide by ``1 - beta**t``: since ``m`` and ``v`` start
    at zero, after t steps their expected value is ``(1 - beta**t)`` times that
    of the gradient, and exactly this factor has to be undone. With
    ``1 - beta`` the first steps would be about ten times too large (with
    ``beta1 = 0.9``). We follow the paper, as ``torch.optim.Adam`` does.
    """

    def __init__(self, eta=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        self.eta, self.beta1, self.beta2, self.eps = eta, beta1, beta2, eps
        self.m, self.v = {}, {}
        self.t = 0

    def step(self, params, grads):
        """Update ``params`` (list of ndarray) in place from ``grads`` (same shapes)."""
        self.t += 1
        for n, (w, g) in enumerate(zip(params, grads)):
            m = self.m.setdefault(n, np.zeros_like(w))
            v = self.v.setdefault(n, np.zeros_like(w))
            m *= self.beta1
            m += (1.0 - self.beta1) * g
            v *= self.beta2
            v += (1.0 - self.beta2) * g**2
            m_hat = m / (1.0 - self.beta1**self.t)
            v_hat = v / (1.0 - self.beta2**self.t)
            w -= self.eta * m_hat / (np.sqrt(v_hat) + self.eps)


class IRpropMinus:
    """iRprop⁻ (Igel & Hüsken 2000), a full-batch method.

    Each weight has its own step size ``delta_ji``. If ``dE/dw_ji`` keeps its
    sign, the step size grows (times ``eta_plus``); if the sign flips, it
    shrinks (times ``eta_minus``) and the gradient is treated as zero, so the
    weight stays this step and the next step size is not changed again.
    Then ``w_ji <- w_ji - sign(dE/dw_ji) delta_ji``: the sign only, not the
    gradient. Step sizes stay in ``[delta_min, delta_max]``.

    The defaults are those of ``torch.optim.Rprop``, which is iRprop⁻.
    """

    def __init__(self, delta0=0.01, eta_minus=0.5, eta_plus=1.2, delta_min=1e-6, delta_max=50.0):
        self.delta0 = delta0
        self.eta_minus, self.eta_plus = eta_minus, eta_plus
        self.delta_min, self.delta_max = delta_min, delta_max
        self.delta, self.prev = {}, {}

    def step(self, params, grads):
        """Update ``params`` (list of ndarray) in place from ``grads`` (same shapes)."""
        for n, (w, g) in enumerate(zip(params, grads)):
            delta = self.delta.setdefault(n, np.full_like(w, self.delta0))
            prev = self.prev.setdefault(n, np.zeros_like(w))
            same_sign = g * prev
            factor = np.where(same_sign > 0, self.eta_plus, np.where(same_sign < 0, self.eta_minus, 1.0))
            np.clip(delta * factor, self.delta_min, self.delta_max, out=delta)
            g = np.where(same_sign < 0, 0.0, g)
            w -= np.sign(g) * delta
            prev[...] = g
