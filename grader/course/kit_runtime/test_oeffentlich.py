"""Die öffentlichen Fälle dieser Aufgabe, geprüft wie vom Grader: `pytest` in diesem Ordner.

Löst Ihr Code eine Ausnahme aus, zeigt pytest sie mit Traceback; liefert er
ein falsches Ergebnis, steht die Meldung des Graders da. Ein Fall, dessen
Urteil den Algorithmus selbst braucht, wird hier nur teilweise geprüft und
als übersprungen gezeigt: der Rest wird bei der Abgabe geprüft.
"""

import pytest
from gnn_kit import runner


@pytest.mark.parametrize("name", runner.case_names())
def test_fall(name, tmp_path):
    try:
        judgement = runner.check(name, tmp_path)
    except runner.JudgedAtHandIn as exc:
        pytest.skip(f"{name}: wird bei der Abgabe geprüft. {exc}")
    if not judgement.passed:
        pytest.fail(f"{name}: {judgement.message}", pytrace=False)
