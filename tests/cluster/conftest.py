"""Scheduler and workers of a test, stopped after it."""

import pytest

pytest.importorskip("distributed")

from clustertools import Processes  # noqa: E402


@pytest.fixture
def processes(tmp_path):
    started = Processes(tmp_path)
    try:
        yield started
    finally:
        started.stop()
