"""The small CNN: all gradients against the same net in torch, and a short training on MNIST."""

import numpy as np
import torch
import torch.nn.functional as tF

from reference.lecture import losses, mlp, optimizers
from reference.lecture.cnn import small_cnn


def test_small_cnn_matches_torch(assert_close, tt):
    rng = np.random.default_rng(0)
    net = small_cnn(rng, image_size=8)
    x, labels = rng.normal(size=(3, 1, 8, 8)), rng.integers(0, 10, size=3)
    value, grad = losses.softmax_cross_entropy(net.forward(x), labels)
    net.backward(grad)
    w1, b1, w2, b2, W, b = (tt(p) for p in net.params())
    h = tF.max_pool2d(torch.relu(tF.conv2d(torch.tensor(x), w1, b1, padding=1)), 2)
    h = tF.max_pool2d(torch.relu(tF.conv2d(h, w2, b2, padding=1)), 2)
    theirs = tF.cross_entropy(h.flatten(1) @ W.T + b, torch.tensor(labels))
    theirs.backward()
    assert_close("loss", value, theirs)
    for name, ours, p in zip(["conv1 w", "conv1 b", "conv2 w", "conv2 b", "dense W", "dense b"],
                             net.grads(), [w1, b1, w2, b2, W, b]):
        assert_close(f"d{name}", ours, p.grad)


def test_small_cnn_learns_mnist(mnist):
    images, labels = mnist
    X = images.reshape(-1, 1, 28, 28)
    rng = np.random.default_rng(1)
    net = small_cnn(rng)
    # The file is sorted by digit: draw training and test digits at random.
    order = rng.permutation(len(X))
    train, test = order[:1000], order[1000:1500]
    mlp.train(net, X[train], labels[train], losses.softmax_cross_entropy, optimizers.Adam(eta=0.01), 2, 32, rng)
    accuracy = np.mean(net.forward(X[test]).argmax(axis=1) == labels[test])
    # Seeds 0-2 reach 0.88-0.92.
    assert accuracy > 0.8, f"test accuracy after 2 epochs on 1000 digits: {accuracy:.3f}"
