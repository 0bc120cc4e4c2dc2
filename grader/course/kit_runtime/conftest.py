"""Zeigt vor den Einzelheiten die Übersicht ✓/✗ je Fall (wie `grader check`), und warnt am Ende
des Testlaufs, wenn numpy oder matplotlib hier andere Versionen haben als im Grader."""

import pytest
from gnn_kit import runner


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_terminal_summary(terminalreporter):
    if runner.OUTCOMES:
        terminalreporter.write_sep("=", "Übersicht")
        for line in runner.summary(list(runner.OUTCOMES.values())):
            terminalreporter.write_line(line)
        named = runner.mistake_lines(list(runner.OUTCOMES.values()))
        if named:
            terminalreporter.write_sep("=", "Typische Fehler")
            for line in named:
                terminalreporter.write_line(line)
    yield
    warning = runner.version_warning()
    if warning:
        terminalreporter.write_sep("=", "WARNUNG: andere Versionen als im Grader", yellow=True)
        terminalreporter.write_line(warning)
