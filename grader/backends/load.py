"""Whether this machine is busy: then a timeout is confirmed by a second run.

Linux's pressure stall information says for what share of the last ten
seconds some runnable task waited for a CPU; where the kernel lacks it, the
load average of the last minute against the number of cores stands in.
"""

from __future__ import annotations

import os
from pathlib import Path

PRESSURE = Path("/proc/pressure/cpu")
BUSY_PRESSURE = 25.0
"""Percent of the last ten seconds in which some task waited for a CPU."""


def busy() -> bool:
    """Whether tasks here wait for a CPU often enough to slow a case down."""
    pressure = cpu_pressure()
    if pressure is not None:
        return pressure >= BUSY_PRESSURE
    try:
        return os.getloadavg()[0] > (os.cpu_count() or 1)
    except OSError:
        return False


def cpu_pressure() -> float | None:
    """``some avg10`` of the CPU's pressure stall information; None where there is none."""
    try:
        first = PRESSURE.read_text().splitlines()[0]
    except (OSError, IndexError):
        return None
    for part in first.split()[1:]:
        key, _, value = part.partition("=")
        if key == "avg10":
            try:
                return float(value)
            except ValueError:
                return None
    return None
