"""Scheduler and workers of a test, stopped after it."""

import pytest
from clustertools import Processes


@pytest.fixture
def processes(tmp_path):
    started = Processes(tmp_path)
    try:
        yield started
    finally:
        started.stop()
