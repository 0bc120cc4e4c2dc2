"""`--cluster` and `grader worker` on an install without the extra `cluster`."""

from __future__ import annotations

import sys

from click.testing import CliRunner
from clustertools import ROOT

from grader.cli import main
from grader.common.errors import EXIT_NO_SANDBOX


def test_without_dask_both_commands_say_how_to_install_it(monkeypatch, tmp_path):
    # An install without the extra cannot be made here: Dask's import is made to fail instead.
    for name in [m for m in sys.modules if m == "distributed" or m.startswith("distributed.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "distributed", None)
    monkeypatch.delitem(sys.modules, "grader.cluster.worker", raising=False)
    runner = CliRunner()
    examples = ROOT / "examples" / "submissions" / "aufgabe1"
    for args in (
        ["run", "--aufgabe", "1", str(examples), "--out", str(tmp_path / "out"), "--cluster", "tcp://127.0.0.1:1"],
        ["worker", "tcp://127.0.0.1:1", "--sandbox", "process"],
    ):
        result = runner.invoke(main, args)
        assert result.exit_code == EXIT_NO_SANDBOX, result.output
        assert "pip install 'gnn-grader[cluster]'" in result.output
