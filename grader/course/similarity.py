"""Similar submissions of one Aufgabe: pairs whose code overlaps, skeleton left out.

Fingerprints come from copydetect (winnowing over tokens with names and
literals normalised, so renaming variables does not hide a copy). The
skeleton's fingerprints are boilerplate: code that everybody got from the
skeleton makes nobody similar. Results go to ``OUT/similarity.json``, one
side-by-side page per pair to ``OUT/similarity/``, and the run's overview
lists the pairs; where ``OUT`` holds no run, an ``index.html`` of the pairs alone.
"""

from __future__ import annotations

import io
import itertools
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from copydetect import CodeFingerprint, compare_files

from grader.cases import assignment as assignments
from grader.common import results
from grader.engine.outdir import claim
from grader.intake.download import find_submissions
from grader.intake.submissions import NoSubmissions, module_somewhere
from grader.report import i18n
from grader.report import pages as report

NOISE = 25
"""Shortest run of tokens (k-gram) that counts as shared; copydetect's default."""
GUARANTEE = 25
"""Every shared run of this many tokens is found (winnowing window = GUARANTEE - NOISE + 1)."""
THRESHOLD = 0.6


@dataclass
class Pair:
    a: str
    b: str
    score: float
    """Share of the more-copied file's fingerprinted code that the other file shares."""
    view: str = ""
    """The side-by-side page, relative to the output folder."""


def _fingerprint(name: str, code: str, boilerplate) -> CodeFingerprint:
    return CodeFingerprint(name, NOISE, GUARANTEE - NOISE + 1, boilerplate=boilerplate, fp=io.StringIO(code))


def compare(sources: dict[str, str], skeleton: str, *, threshold: float = THRESHOLD):
    """Pairs of ``sources`` (id -> code) above ``threshold``, most similar first, with their shared slices."""
    # copydetect wants the boilerplate as an array, as its CopyDetector builds it.
    boilerplate = np.array(sorted(_fingerprint("skeleton.py", skeleton, None).hashes)) if skeleton else None
    prints = {sid: _fingerprint(f"{sid}.py", code, boilerplate) for sid, code in sources.items()}
    found = []
    for a, b in itertools.combinations(sorted(prints), 2):
        _, (share_a, share_b), slices = compare_files(prints[a], prints[b])
        score = float(max(share_a, share_b))
        if score >= threshold:
            found.append((Pair(a, b, round(score, 3)), slices))
    return sorted(found, key=lambda item: -item[0].score)


def segments(code: str, slices) -> list[tuple[str, bool]]:
    """``code`` cut into (text, shared?) pieces along copydetect's slices."""
    pieces, position = [], 0
    starts, ends = slices if len(slices) == 2 else ([], [])
    for start, end in zip(map(int, starts), map(int, ends), strict=True):
        if start > position:
            pieces.append((code[position:start], False))
        pieces.append((code[max(start, position):end], True))
        position = max(position, end)
    pieces.append((code[position:], False))
    return [p for p in pieces if p[0]]


def similarity(
    *, aufgabe: int, submissions: Path, out: Path, threshold: float = THRESHOLD, lang: str = "de"
) -> list[Pair]:
    """Compare the submissions of Aufgabe ``aufgabe`` in ``submissions``; write the findings to ``out``."""
    assignment = assignments.load(aufgabe)
    out = Path(out)
    skeleton_file = assignment.folder / "skeleton" / f"{assignment.module}.py"
    skeleton = skeleton_file.read_text(encoding="utf-8") if skeleton_file.is_file() else ""
    with tempfile.TemporaryDirectory(prefix="gnn-similar-") as work:
        handed_in = find_submissions(Path(submissions), assignment.module, Path(work))
        if not handed_in:
            raise NoSubmissions(submissions)
        module_somewhere(handed_in, assignment.module)
        sources = {}
        for submission in handed_in:
            if submission.folder is not None and not submission.error:
                path = submission.folder / f"{assignment.module}.py"
                sources[submission.id] = path.read_text(encoding="utf-8", errors="replace")
    found = compare(sources, skeleton, threshold=threshold)
    with claim(out, assignment.number):
        views = out / "similarity"
        views.mkdir(parents=True, exist_ok=True)
        t = i18n.translator(lang)
        for number, (pair, slices) in enumerate(found, start=1):
            pair.view = f"similarity/pair-{number:03d}.html"
            sides = [(pair.a, segments(sources[pair.a], slices[0])), (pair.b, segments(sources[pair.b], slices[1]))]
            html = report.render("similar.html.j2", pair=pair, sides=sides, aufgabe=aufgabe, lang=lang, t=t)
            (out / pair.view).write_text(html, encoding="utf-8")
        pairs = [pair for pair, _ in found]
        similar = {"threshold": threshold, "compared": len(sources), "pairs": [asdict(p) for p in pairs]}
        results.write_json_atomic(out / "similarity.json", similar)
        if (out / "results.json").is_file():
            report.write_index(results.load(out / "results.json"), out, lang=lang)
        else:
            # Not a run's folder: the pairs get an index of their own, which the pair pages link back to.
            report.write_similarity_index(assignment, out, similar, lang=lang)
    return pairs
