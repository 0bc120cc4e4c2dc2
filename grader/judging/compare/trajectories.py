"""Judge a trajectory of a dynamical system: tight on its first steps, then its attractor as a point cloud."""

from __future__ import annotations

import numpy as np

from harness.checks import Trajectory

from .values import Judgement, as_array, differences


def trajectory(check: Trajectory, expected, got, *, reveal: bool) -> Judgement:
    """Tight on the first steps, then the attractors as point clouds."""
    array = as_array(got)
    if array is None or array.shape != expected.shape:
        shape = None if array is None else array.shape
        return Judgement(False, f"Die Trajektorie hat die Form {shape}, erwartet {expected.shape}.")
    if not np.all(np.isfinite(array)):
        return Judgement(False, "Die Trajektorie enthält NaN oder unendliche Werte.")
    head = min(check.tight_steps + 1, len(expected))
    early = differences(expected[:head], array[:head], rtol=0.0, atol=check.atol, reveal=reveal)
    if early:
        steps = np.flatnonzero(np.any(~np.isclose(array[:head], expected[:head], rtol=0, atol=check.atol), axis=-1))
        return Judgement(
            False,
            f"Schon in den ersten {head - 1} Schritten weicht die Trajektorie ab, zuerst in "
            f"Schritt {int(steps[0])}. " + (early[0] if reveal else ""),
        )
    tail_expected, tail_got = expected[head:], array[head:]
    if len(tail_expected) == 0:
        return Judgement(True, "Richtig.")
    missed = _uncovered_share(tail_got, tail_expected, check.cloud_tol)
    unreached = _uncovered_share(tail_expected, tail_got, check.cloud_tol)
    if missed > check.outlier_share or unreached > check.outlier_share:
        return Judgement(
            False,
            f"Die ersten {head - 1} Schritte stimmen, danach liegt die Trajektorie nicht auf dem "
            f"Attraktor der Referenz: {missed:.0%} der Punkte liegen abseits, "
            f"{unreached:.0%} des Attraktors werden nicht erreicht (Toleranz {check.cloud_tol}).",
        )
    return Judgement(True, f"Richtig: die ersten {head - 1} Schritte genau, danach derselbe Attraktor.")


def _uncovered_share(points: np.ndarray, cloud: np.ndarray, tol: float) -> float:
    """Share of ``points`` farther than ``tol`` from every point of ``cloud``."""
    points = points.reshape(len(points), -1)
    cloud = cloud.reshape(len(cloud), -1)
    if points.shape[1] == 2 and _grid_exact(points, cloud, tol):
        return _uncovered_share_grid(points, cloud, tol)
    return _uncovered_share_all(points, cloud, tol)


def _uncovered_share_all(points: np.ndarray, cloud: np.ndarray, tol: float) -> float:
    """``_uncovered_share`` by comparing every point with every cloud point."""
    far = 0
    for start in range(0, len(points), 512):
        block = points[start : start + 512]
        distances = np.sqrt(((block[:, None, :] - cloud[None, :, :]) ** 2).sum(-1))
        far += int(np.count_nonzero(distances.min(axis=1) > tol))
    return far / len(points)


def _grid_exact(points: np.ndarray, cloud: np.ndarray, tol) -> bool:
    """Whether ``_uncovered_share_grid`` gives exactly what comparing all pairs gives.

    Needs finite coordinates (a NaN distance is never "far"), a tolerance far
    from underflow and overflow, and coordinates small enough that the grid's
    cell numbers fit into int64 keys.
    """
    if not (len(points) and len(cloud) and isinstance(tol, (int, float)) and 1e-100 < tol < 1e100):
        return False
    if not (np.all(np.isfinite(points)) and np.all(np.isfinite(cloud))):
        return False
    return max(float(np.max(np.abs(points))), float(np.max(np.abs(cloud)))) < tol * 2**20


def _uncovered_share_grid(points: np.ndarray, cloud: np.ndarray, tol: float) -> float:
    """``_uncovered_share`` for 2-D points, comparing only pairs in neighbouring grid cells.

    The cells are 2 * tol wide. A pair within tol differs by at most tol in
    each coordinate (a distance is never below either coordinate's part), so
    its cell numbers differ by at most one: the 3 x 3 cells around a point
    hold every cloud point near it. Those pairs' distances are computed as in
    ``_uncovered_share_all``, so the verdict is the same to the last bit.
    """
    width = 2 * tol
    cloud_cells = np.floor(cloud / width).astype(np.int64)
    point_cells = np.floor(points / width).astype(np.int64)
    origin = cloud_cells.min(axis=0)
    cloud_cells -= origin
    point_cells -= origin
    rows = int(cloud_cells[:, 0].max()) + 1
    # Column 0 and the last column stay empty, so a query one cell beyond the cloud finds nothing.
    columns = int(cloud_cells[:, 1].max()) + 3
    keys = cloud_cells[:, 0] * columns + cloud_cells[:, 1] + 1
    order = np.argsort(keys, kind="stable")
    keys, cloud = keys[order], cloud[order]
    row = point_cells[:, :1] + np.array([-1, 0, 1])  # (n, 3): the neighbouring rows
    # The neighbouring columns, shifted by one like the keys; clipped into the empty edge columns.
    low_column = np.clip(point_cells[:, 1:], 0, columns - 1)
    high_column = np.clip(point_cells[:, 1:] + 2, 0, columns - 1)
    valid = (row >= 0) & (row < rows)
    base = np.where(valid, row, 0) * columns
    low = np.searchsorted(keys, base + low_column, side="left")
    high = np.searchsorted(keys, base + high_column, side="right")
    high = np.where(valid, high, low)
    near = np.zeros(len(points), dtype=bool)
    px, py, cx, cy = points[:, 0].copy(), points[:, 1].copy(), cloud[:, 0].copy(), cloud[:, 1].copy()
    for which, index in range_pairs(low.ravel(), high.ravel()):
        owner = which // 3
        # The same operations as ((p - c) ** 2).sum(-1) over two coordinates: dx² + dy².
        dx = px[owner] - cx[index]
        dy = py[owner] - cy[index]
        distances = np.sqrt(dx * dx + dy * dy)
        near[owner[distances <= tol]] = True
    return int(np.count_nonzero(~near)) / len(points)


def range_pairs(low: np.ndarray, high: np.ndarray, chunk: int = 1 << 20):
    """(range number, index) of every index in ``low[r]:high[r]``, about ``chunk`` pairs at a time."""
    counts = np.maximum(high - low, 0)
    ends = np.cumsum(counts)
    start = 0
    while start < len(counts):
        offset = int(ends[start - 1]) if start else 0
        stop = max(int(np.searchsorted(ends, offset + chunk, side="right")), start + 1)
        sizes = counts[start:stop]
        total = int(sizes.sum())
        if total:
            which = np.repeat(np.arange(start, stop), sizes)
            first = np.cumsum(sizes) - sizes
            yield which, np.arange(total) - np.repeat(first - low[start:stop], sizes)
        start = stop
