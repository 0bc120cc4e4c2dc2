"""The comparators: a case's output judged against the reference's, in German a student understands.

Only numpy and the harness are needed here, and the modules import each other
relatively: the student kit carries this package as it is, so that a case
is judged at home with the very same messages (``grader.course.kit``).
An Aufgabe's property checks import from here (``from grader.judging.compare import Judgement``).
"""

from .judge import PropertyCheck, judge
from .values import Judgement, differences, judgement_of, training_divergence

__all__ = ["Judgement", "PropertyCheck", "differences", "judge", "judgement_of", "training_divergence"]
