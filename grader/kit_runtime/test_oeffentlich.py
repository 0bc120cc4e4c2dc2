"""Die öffentlichen Fälle dieser Aufgabe, geprüft wie vom Grader: `pytest` in diesem Ordner.

Löst Ihr Code eine Ausnahme aus, zeigt pytest sie mit Traceback; liefert er
ein falsches Ergebnis, steht die Meldung des Graders da.
"""

import pytest

from gnn_kit import runner


@pytest.mark.parametrize("name", runner.case_names())
def test_fall(name, tmp_path):
    judgement = runner.check(name, tmp_path)
    if not judgement.passed:
        pytest.fail(f"{name}: {judgement.message}", pytrace=False)
