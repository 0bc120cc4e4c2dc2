"""Warnt am Ende des Testlaufs, wenn numpy oder matplotlib hier andere Versionen haben als im Grader."""

from gnn_kit import runner


def pytest_terminal_summary(terminalreporter):
    warning = runner.version_warning()
    if warning:
        terminalreporter.write_sep("=", "WARNUNG: andere Versionen als im Grader", yellow=True)
        terminalreporter.write_line(warning)
