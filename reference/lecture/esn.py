"""Echo state network and the Mackey-Glass time series.

Lecture: "Rekurrente neuronale Netze" › "Echo-State-Netzwerk", "ESN -
Reservoir", "ESN - Training", "ESN - Wofür geeignet?". Literature: Jaeger
(2001), Jaeger & Haas (2004), Lukoševičius (2012), "A Practical Guide to
Applying Echo State Networks".

A large, sparse, random recurrent reservoir is driven by the input and never
trained; only the linear readout from the reservoir states is, by ridge
regression. Its spectral radius is set just below 1, so the reservoir
forgets its initial state (echo state property) but slowly.

The slide speaks of the spectral radius of the Jacobian, "the largest
eigenvalue". What is scaled is the largest *absolute* eigenvalue of the
reservoir weight matrix W (the Jacobian of the update at x = 0). Below 1 is
the usual rule of thumb, neither necessary nor sufficient in general
(Yildiz et al. 2012); with an input driving the reservoir, values slightly
above 1 can also work.
"""

import numpy as np


def mackey_glass(n_samples, tau=17, beta=0.2, gamma=0.1, power=10, dt=0.1, washout=1000):
    """The Mackey-Glass delay differential equation, sampled every time unit.

    ``dx/dt = beta x(t - tau) / (1 + x(t - tau)**power) - gamma x(t)``;
    with ``tau = 17`` it is chaotic (the attractor on the slide).
    Integrated with Heun's method in steps of ``dt``, the delayed value read
    from the stored past.

    Parameters
    ----------
    n_samples : int
    tau, beta, gamma, power : float
    dt : float
        Integration step; ``1 / dt`` and ``tau / dt`` must be integers.
    washout : int
        Samples dropped at the start, where the series still depends on the
        constant initial history ``x = 1.2``.

    Returns
    -------
    ndarray of shape (n_samples,)
    """
    per_sample, delay = round(1 / dt), round(tau / dt)
    n_steps = (n_samples + washout) * per_sample
    x = np.empty(delay + n_steps + 1)
    x[:delay + 1] = 1.2

    def f(x_now, x_delayed):
        """Right-hand side of the equation."""
        return beta * x_delayed / (1.0 + x_delayed**power) - gamma * x_now

    for t in range(delay, delay + n_steps):
        predictor = x[t] + dt * f(x[t], x[t - delay])
        x[t + 1] = x[t] + dt / 2 * (f(x[t], x[t - delay]) + f(predictor, x[t + 1 - delay]))
    # x[delay] is time 0; keep every per_sample-th value from the end of the washout on.
    return x[delay + washout * per_sample::per_sample][:n_samples]


class ESN:
    """Echo state network with one input and one output.

    ``x(t) = (1 - a) x(t-1) + a tanh(W x(t-1) + W_in [1, u(t)])``,
    ``y(t) = W_out [1, u(t), x(t)]``.

    Parameters
    ----------
    n_reservoir : int
    rng : numpy.random.Generator
    spectral_radius : float
        Largest absolute eigenvalue of W, below 1 but close to it.
    connectivity : float
        Fraction of non-zero reservoir weights (the slide: about 5 %).
    input_scaling : float
        W_in is uniform in ``[-input_scaling, input_scaling]``.
    ridge : float
        Regularisation of the readout's least-squares fit.
    leak : float
        Leaking rate a in (0, 1]: ``x(t) = (1 - a) x(t-1) + a tanh(...)``.
        The slides use ``a = 1`` (no leak); a smaller a slows the reservoir
        down to the time scale of the signal (Jaeger et al. 2007).
    """

    def __init__(self, n_reservoir, rng, spectral_radius=0.95, connectivity=0.05, input_scaling=1.0, ridge=1e-8,
                 leak=1.0):
        W = rng.uniform(-1.0, 1.0, (n_reservoir, n_reservoir))
        W[rng.random(W.shape) >= connectivity] = 0.0
        self.W = W * spectral_radius / np.max(np.abs(np.linalg.eigvals(W)))
        self.W_in = rng.uniform(-input_scaling, input_scaling, (n_reservoir, 2))
        self.ridge, self.leak = ridge, leak
        self.x = np.zeros(n_reservoir)

    def step(self, u):
        """Feed input ``u`` (float); returns the extended state ``[1, u, x(t)]`` of shape (2 + n_reservoir,)."""
        drive = np.tanh(self.W @ self.x + self.W_in @ np.array([1.0, u]))
        self.x = (1.0 - self.leak) * self.x + self.leak * drive
        return np.concatenate([[1.0, u], self.x])

    def fit(self, u, y, washout=100):
        """Drive the reservoir with ``u`` and fit the readout to ``y`` by ridge regression.

        ``W_out = (X^T X + ridge I)^-1 X^T Y`` with the extended states
        ``[1, u(t), x(t)]`` as rows of X; the first ``washout`` states,
        still coloured by the initial state, are left out. The ridge term
        keeps the readout weights small where states are nearly collinear.

        Parameters
        ----------
        u, y : ndarray of shape (T,)
            Input and target (for prediction: ``y(t) = u(t + 1)``).
        washout : int

        Returns
        -------
        ndarray of shape (T - washout,)
            The fitted outputs (training predictions).
        """
        self.x = np.zeros_like(self.x)
        X = np.array([self.step(u_t) for u_t in u])[washout:]
        Y = y[washout:]
        self.W_out = np.linalg.solve(X.T @ X + self.ridge * np.eye(X.shape[1]), X.T @ Y)
        return X @ self.W_out

    def generate(self, u_first, n_steps):
        """Run freely: each output becomes the next input.

        Continues from the reservoir state the last ``fit`` (or ``generate``)
        left, so call it right after ``fit`` on the series up to now.

        Parameters
        ----------
        u_first : float
            The first input (the last known value of the series).
        n_steps : int

        Returns
        -------
        ndarray of shape (n_steps,)
        """
        out, u = np.empty(n_steps), u_first
        for t in range(n_steps):
            u = out[t] = self.step(u) @ self.W_out
        return out


def nrmse(prediction, target):
    """Root mean square error divided by the standard deviation of the target."""
    return float(np.sqrt(np.mean((prediction - target) ** 2)) / np.std(target))
