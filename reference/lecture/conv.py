"""2-D convolution and pooling, forward and backward.

Lecture: "Faltungsnetze" › "Faltung", "Pooling".

Feature maps have shape (N, C, H, W): patterns, channels, height, width.
A filter is slid over the (zero-padded) input in steps of ``stride``; at
each position the products of filter coefficients and the pixels under them
are summed. Strictly this is a cross-correlation (the filter is not
flipped), which is what the slide describes and what every deep-learning
library calls convolution. The output size per axis is
``(H + 2 padding - K) // stride + 1``.

The slide suggests mirroring the image at its borders; we pad with zeros,
as CNNs (and ``torch.nn.functional.conv2d``) do.

Each backward function takes the forward's input again, so forward and
backward read side by side.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def _windows(x, kh, kw, stride):
    """View of shape (N, C, OH, OW, kh, kw): the input patch under each output pixel."""
    return sliding_window_view(x, (kh, kw), axis=(2, 3))[:, :, ::stride, ::stride]


def _im2col(xp, kh, kw, stride):
    """Each output pixel's input patch as one row: shape (N * OH * OW, C * kh * kw).

    A convolution is then a single matrix product of these rows with the
    flattened filters (fast, and the same sums as sliding the filter).
    """
    win = _windows(xp, kh, kw, stride)
    n, c, oh, ow = win.shape[:4]
    return win.transpose(0, 2, 3, 1, 4, 5).reshape(n * oh * ow, c * kh * kw), oh, ow


def _pad(x, padding, value=0.0):
    return np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)), constant_values=value)


def _scatter(dx_padded, per_offset, kh, kw, stride, oh, ow):
    """Add ``per_offset(i, j)`` (shape (N, C, OH, OW)) at the pixels that kernel offset (i, j) read.

    Windows overlap when ``stride < K``; a pixel then collects from several outputs.
    """
    for i in range(kh):
        for j in range(kw):
            dx_padded[:, :, i:i + stride * oh:stride, j:j + stride * ow:stride] += per_offset(i, j)


def _unpad(x, padding):
    return x[:, :, padding:x.shape[2] - padding, padding:x.shape[3] - padding]


def conv2d_forward(x, w, b, stride=1, padding=0):
    """Convolution layer ``out[n, f] = sum_c x[n, c] * w[f, c] + b[f]``.

    Parameters
    ----------
    x : ndarray of shape (N, C, H, W)
    w : ndarray of shape (F, C, KH, KW)
        F filters, each across all C input channels.
    b : ndarray of shape (F,)
    stride, padding : int
        Zero padding on every side.

    Returns
    -------
    ndarray of shape (N, F, OH, OW)
    """
    n = len(x)
    f, _, kh, kw = w.shape
    cols, oh, ow = _im2col(_pad(x, padding), kh, kw, stride)
    out = cols @ w.reshape(f, -1).T + b
    return out.reshape(n, oh, ow, f).transpose(0, 3, 1, 2)


def conv2d_backward(dout, x, w, stride=1, padding=0):
    """Gradients of the convolution.

    Parameters
    ----------
    dout : ndarray of shape (N, F, OH, OW)
        ``dE/dout``.
    x, w, stride, padding
        As given to ``conv2d_forward``.

    Returns
    -------
    dx : ndarray of shape (N, C, H, W)
        Each output pixel's error goes back, weighted by the filter, to the
        pixels it was computed from.
    dw : ndarray of shape (F, C, KH, KW)
        Each coefficient's error sums over all positions the filter visited.
    db : ndarray of shape (F,)
    """
    f, c, kh, kw = w.shape
    n, _, oh, ow = dout.shape
    xp = _pad(x, padding)
    cols, _, _ = _im2col(xp, kh, kw, stride)
    dout_rows = dout.transpose(0, 2, 3, 1).reshape(-1, f)
    dw = (dout_rows.T @ cols).reshape(w.shape)
    dcols = (dout_rows @ w.reshape(f, -1)).reshape(n, oh, ow, c, kh, kw)
    dxp = np.zeros_like(xp)
    _scatter(dxp, lambda i, j: dcols[..., i, j].transpose(0, 3, 1, 2), kh, kw, stride, oh, ow)
    return _unpad(dxp, padding), dw, dout.sum(axis=(0, 2, 3))


def max_pool2d_forward(x, kernel=2, stride=None, padding=0):
    """Max pooling: the largest value under each ``kernel x kernel`` window.

    Parameters
    ----------
    x : ndarray of shape (N, C, H, W)
    kernel : int
    stride : int, default ``kernel`` (windows side by side)
    padding : int
        Padded with -inf, so padding is never the maximum.

    Returns
    -------
    ndarray of shape (N, C, OH, OW)
    """
    stride = stride or kernel
    return _windows(_pad(x, padding, -np.inf), kernel, kernel, stride).max(axis=(-2, -1))


def max_pool2d_backward(dout, x, kernel=2, stride=None, padding=0):
    """Max pooling backward: the whole error goes to the maximum of each window.

    Parameters
    ----------
    dout : ndarray of shape (N, C, OH, OW)
    x, kernel, stride, padding
        As given to ``max_pool2d_forward``.

    Returns
    -------
    ndarray of shape (N, C, H, W)
    """
    stride = stride or kernel
    n, c, oh, ow = dout.shape
    xp = _pad(x, padding, -np.inf)
    argmax = _windows(xp, kernel, kernel, stride).reshape(n, c, oh, ow, kernel * kernel).argmax(axis=-1)
    dxp = np.zeros_like(xp)
    _scatter(dxp, lambda i, j: dout * (argmax == i * kernel + j), kernel, kernel, stride, oh, ow)
    return _unpad(dxp, padding)


def avg_pool2d_forward(x, kernel=2, stride=None, padding=0):
    """Average pooling: the mean under each window (zero padding counts as values).

    Shapes as in ``max_pool2d_forward``.
    """
    stride = stride or kernel
    return _windows(_pad(x, padding), kernel, kernel, stride).mean(axis=(-2, -1))


def avg_pool2d_backward(dout, x, kernel=2, stride=None, padding=0):
    """Average pooling backward: each window's error is shared equally by its pixels.

    Shapes as in ``max_pool2d_backward``.
    """
    stride = stride or kernel
    _, _, oh, ow = dout.shape
    dxp = np.zeros_like(_pad(x, padding))
    _scatter(dxp, lambda i, j: dout / kernel**2, kernel, kernel, stride, oh, ow)
    return _unpad(dxp, padding)
