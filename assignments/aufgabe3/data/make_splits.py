"""Split mnist5k.npz into the parts the cases and checks of Aufgabe 3 use.

Run from anywhere: ``python make_splits.py``. Deterministic: the same seed
gives the same files. Per digit class (500 images each): 200 images to train
the students' RBM (``rbm_train.npz``, sent into the sandbox), 50 held-out
images whose reconstructions the case returns (``heldout.npz``, sent into the
sandbox) and 250 images, never sent, on which the grader's checks train the
classifier that judges whether the reconstructions are still recognisable.
Each file stores ``images`` (uint8, (N, 784)) and ``index`` (rows of
mnist5k.npz) so that the host-side checks can look up the labels.
"""

from pathlib import Path

import numpy as np

SEED = 3
TRAIN_PER_CLASS = 200
HELDOUT_PER_CLASS = 50


def split(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row indices (rbm_train, heldout), each in a shuffled order mixing the classes."""
    rng = np.random.default_rng(SEED)
    train, heldout = [], []
    for digit in range(10):
        rows = rng.permutation(np.flatnonzero(labels == digit))
        train.append(rows[:TRAIN_PER_CLASS])
        heldout.append(rows[TRAIN_PER_CLASS : TRAIN_PER_CLASS + HELDOUT_PER_CLASS])
    return rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(heldout))


def main() -> None:
    here = Path(__file__).resolve().parent
    mnist = np.load(here / "mnist5k.npz")
    train, heldout = split(mnist["labels"])
    for name, rows in (("rbm_train.npz", train), ("heldout.npz", heldout)):
        np.savez_compressed(here / name, images=mnist["images"][rows], index=rows)


if __name__ == "__main__":
    main()
