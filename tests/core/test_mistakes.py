"""Known mistakes (``assignments/aufgabeN/mistakes/``) name themselves, and only where they apply."""

import pytest

from grader import assignment as assignments
from grader.expected import expected_for
from grader.mistakes import diagnose, known_mistakes

WITH_MISTAKES = [n for n in assignments.available() if (assignments.load(n).folder / "mistakes").is_dir()]


@pytest.mark.parametrize("number", WITH_MISTAKES)
def test_each_known_mistake_says_what_it_is_and_differs_from_the_reference(number):
    a = assignments.load(number)
    expected = expected_for(a)
    mistakes = known_mistakes(a)
    assert len(mistakes) == len([p for p in (a.folder / "mistakes").iterdir() if p.is_dir()])
    for mistake in mistakes:
        assert mistake.sentence.startswith("Genau dieses Ergebnis gibt"), mistake.sentence
        told = [c.name for c in a.cases if c.name in mistake.values and diagnose(c, mistake.values[c.name], [mistake])]
        assert told, "the variant runs no case that could name it"
        # The reference's own outputs never look like the mistake: a right answer is never diagnosed.
        assert not [name for name in told if diagnose(a.case(name), expected.values[name], [mistake])]
