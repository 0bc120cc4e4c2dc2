"""Die öffentlichen Fälle dieser Aufgabe, geprüft wie vom Grader: `pytest` in diesem Ordner.

Geprüft wird Ihr Modul oder, solange das noch die unveränderte Vorlage ist,
Ihr Notebook in diesem Ordner. Zuerst steht die Übersicht (✓/✗ je Fall),
danach je nicht bestandenem Fall die Meldung des Graders und, wo Ihr Code
eine Ausnahme auslöste, deren Traceback (nur Ihr Code). Ein Fall, dessen
Urteil den Algorithmus selbst braucht, wird hier nur teilweise geprüft und
als übersprungen gezeigt: der Rest wird bei der Abgabe geprüft.
"""

import pytest
from gnn_kit import runner


@pytest.mark.parametrize("name", runner.case_names())
def test_fall(name, tmp_path):
    result = runner.outcome(name, tmp_path)
    runner.OUTCOMES[name] = result
    if result.mark == "–":
        pytest.skip(f"{name}: {result.message}")
    if not result.passed:
        pytest.fail(f"{name}: {result.message}" + (f"\n{result.traceback}" if result.traceback else ""), pytrace=False)
