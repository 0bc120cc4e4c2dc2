"""German wording shared by what students and instructors read."""

from __future__ import annotations


def count(number: float, singular: str, plural: str) -> str:
    """``number`` with the noun in the form German asks for: "1 Abbildung", "0 Abbildungen", "2 Abbildungen"."""
    return f"{number:g} {singular if number == 1 else plural}"


def sentence(text: str) -> str:
    """``text`` ending as a sentence, so that another can follow: a note typed without its full stop gets one."""
    text = text.strip()
    return text if not text or text.endswith((".", "!", "?", "…", ":")) else text + "."
