"""The grader: automatic Testat grading for "Grundlagen Neuronale Netze" (see README, "Layout")."""

from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
"""The project folder: ``assignments/``, ``reference/``, ``sandbox/`` and ``reports/`` lie in it."""
