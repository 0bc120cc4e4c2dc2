"""Check what came out of a sandbox before anything on the host uses it.

Everything here is untrusted: the frame header, the ``.npz`` of the result
and the PNGs were written by a process that ran student code. Arrays must be
plain float64 ``ndarray`` loaded with ``allow_pickle=False`` from an
uncompressed archive whose member names and sizes are checked first; PNGs
must be PNGs of a sane size, and only so many of them; strings are capped and
made encodable (a lone surrogate would stop the writing of every result).
Anything else makes the case ``invalid`` with a message, never an exception on
the host.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile

import numpy as np

from grader.common.status import CaseRun, RunStatus
from harness import plain
from harness.figures import MAX_FIGURES, MAX_PNG_BYTES, MAX_SUBMISSION_PNG_BYTES

MAX_MEMBERS = 4096
MAX_ELEMENTS = 20_000_000
MAX_TEXT = 64 * 1024
MAX_PNG_SIDE = 4096
MAX_SECONDS = 1e9
"""Seconds a case can have taken; beyond, the harness's number is no measurement."""
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_MEMBER = re.compile(r"a\d{1,6}\.npy")
_SURROGATE = re.compile("[\ud800-\udfff]")

HARNESS_STATUSES = {"timeout", "overflow", "oom", "pids", "no-result"}
"""What a harness says of a case it did not finish (``RunStatus``); "finished" carries a result."""
LIMITS = ("cpu", "wall")
"""Which limit ended a ``timeout``: the case's CPU time, or the wall-clock backstop."""
RESULT_STATUSES = {RunStatus.OK, RunStatus.EXCEPTION, RunStatus.NOT_PLAIN}
"""What a finished case's result says."""
NETWORKS = {"isolated", "shared", "sandbox"}
"""What a harness says of its network in its ``ready`` frame: it left the host's network
(``isolated``), could not (``shared``), or had none to leave, the sandbox has none (``sandbox``)."""


class Invalid(Exception):
    """The output breaks a rule; the message says which (German)."""


def case_run(name: str, frame: dict, blobs: list[bytes]) -> CaseRun:
    """A validated CaseRun from one case frame of the harness."""
    status = frame.get("status")
    run = CaseRun(
        name,
        RunStatus(status) if isinstance(status, str) and status in HARNESS_STATUSES else RunStatus.INVALID,
        stdout=text(frame.get("stdout")),
        stderr=text(frame.get("stderr")),
        seconds=_number(frame.get("seconds")),
        cpu_seconds=_number(frame.get("cpu_seconds")),
        limit=frame["limit"] if frame.get("limit") in LIMITS and status == "timeout" else "",
        exit_code=frame.get("exit") if type(frame.get("exit")) is int else None,
        figures_dropped=_count(frame.get("figures_dropped")),
        stage=text(frame.get("stage"))[:20],
    )
    if status != "finished":
        return run
    result = frame.get("result")
    if not isinstance(result, dict) or not isinstance(result.get("status"), str) or result["status"] not in RESULT_STATUSES:
        run.status, run.message = RunStatus.INVALID, "Das Ergebnis des Falls ist unlesbar."
        return run
    run.status = RunStatus(result["status"])
    run.message = text(result.get("message"))
    if run.status == RunStatus.EXCEPTION:
        run.exception = text(result.get("exception"))[:200]
        run.stage = text(result.get("stage"))[:20]
        run.traceback = text(result.get("traceback"))
        return run
    if run.status == RunStatus.OK:
        try:
            arrays = load_arrays(blobs[0] if blobs else b"")
            data = decode(result.get("data"), arrays)
            if not isinstance(data, dict):
                raise Invalid("Das Ergebnis hat nicht die erwartete Form.")
            run.value = data.get("value")
            figure_data = data.get("figures") or []
            pngs = blobs[1:]
            if not isinstance(figure_data, list) or len(figure_data) != len(pngs):
                raise Invalid("Die Abbildungen passen nicht zu ihren Bildern.")
            for d, png in zip(figure_data, pngs, strict=True):
                if len(run.figures) < MAX_FIGURES and len(check_png(png)) <= MAX_PNG_BYTES:
                    run.figures.append({"data": d, "png": png})
                else:
                    run.figures_dropped += 1
        except Invalid as exc:
            run.status, run.message, run.value, run.figures = RunStatus.INVALID, str(exc), None, []
    return run


class FigureBudget:
    """The PNG bytes one submission may still bring back (``MAX_SUBMISSION_PNG_BYTES``)."""

    def __init__(self) -> None:
        self.left = MAX_SUBMISSION_PNG_BYTES

    def take(self, run: CaseRun) -> None:
        """Keep the figures of ``run`` that fit, as its case's frame arrives."""
        kept = []
        for figure in run.figures:
            if len(figure["png"]) <= self.left:
                self.left -= len(figure["png"])
                kept.append(figure)
            else:
                run.figures_dropped += 1
        run.figures = kept


def versions(value) -> dict[str, str]:
    """The harness's ``ready`` frame's versions: a few short, encodable strings."""
    if not isinstance(value, dict):
        return {}
    return {clean(k)[:40]: clean(v)[:80] for k, v in list(value.items())[:10] if isinstance(v, str)}


def network(value) -> str:
    """The harness's ``ready`` frame's network, one of ``NETWORKS``; "" for anything else."""
    return value if isinstance(value, str) and value in NETWORKS else ""


def clean(text: str) -> str:
    """``text`` with what UTF-8 cannot encode (lone surrogates) replaced by U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def load_arrays(blob: bytes) -> dict[str, np.ndarray]:
    """The arrays of an ``.npz`` from the sandbox, checked member by member."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(blob))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise Invalid(f"Die Ergebnis-Arrays sind kein gültiges .npz-Archiv ({exc}).") from None
    if len(members) > MAX_MEMBERS:
        raise Invalid("Das Ergebnis enthält zu viele Arrays.")
    arrays = {}
    for member in members:
        if not _MEMBER.fullmatch(member.filename) or member.compress_type != zipfile.ZIP_STORED:
            raise Invalid(f"Unerwarteter Eintrag {member.filename[:60]!r} im Ergebnis-Archiv.")
        if member.file_size > 8 * MAX_ELEMENTS + 4096:
            raise Invalid("Ein Ergebnis-Array ist zu groß.")
        try:
            with archive.open(member) as handle:
                array = np.lib.format.read_array(handle, allow_pickle=False)
        except Exception as exc:  # malformed .npy of any kind
            raise Invalid(f"Ein Ergebnis-Array ist nicht lesbar ({type(exc).__name__}).") from None
        if type(array) is not np.ndarray or array.dtype != np.float64:
            raise Invalid(f"Ein Ergebnis-Array hat den Typ {array.dtype}, erlaubt ist float64.")
        if array.size > MAX_ELEMENTS or array.ndim > plain.MAX_DIMENSIONS:
            raise Invalid("Ein Ergebnis-Array ist zu groß.")
        arrays[member.filename[:-4]] = array
    return arrays


def decode(structure, arrays: dict[str, np.ndarray], depth: int = 0):
    """The plain value of ``structure`` (rule: ``harness.plain``), markers replaced by their arrays and floats.

    Everything ``plain.encode(..., keep_lists=True)`` can encode again unchanged:
    strings and keys are cut and made encodable, anything else that breaks
    the rule is Invalid.
    """
    if depth > plain.MAX_DEPTH:
        raise Invalid("Das Ergebnis ist zu tief verschachtelt.")
    if structure is None or type(structure) in (bool, float):
        return structure
    if type(structure) is int:
        if abs(structure) > plain.MAX_INT:
            raise Invalid("Das Ergebnis enthält eine ganze Zahl, die größer ist als jede Gleitkommazahl.")
        return structure
    if type(structure) is str:
        return clean(structure[: plain.MAX_STRING])
    if type(structure) is list:
        return [decode(x, arrays, depth + 1) for x in structure]
    if type(structure) is dict:
        if set(structure) == {plain.ARRAY}:
            key = structure[plain.ARRAY]
            if not isinstance(key, str) or key not in arrays:
                raise Invalid("Das Ergebnis verweist auf ein fehlendes Array.")
            return arrays[key]
        if set(structure) == {plain.FLOAT}:
            if structure[plain.FLOAT] not in plain.FLOATS:
                raise Invalid("Das Ergebnis enthält eine ungültige Zahl.")
            return float(structure[plain.FLOAT])
        if plain.figure_number(structure) is not None:
            return dict(structure)
        for key in structure:
            if plain.reserved(str(key)):
                raise Invalid(plain.reserved_message(clean(str(key))))
        return {clean(str(k)[: plain.MAX_KEY]): decode(v, arrays, depth + 1) for k, v in structure.items()}
    raise Invalid("Das Ergebnis enthält einen unbekannten Wert.")


def check_png(blob: bytes) -> bytes:
    """``blob`` if it is a PNG of at most MAX_PNG_SIDE pixels a side."""
    if len(blob) < 24 or not blob.startswith(PNG_SIGNATURE) or blob[12:16] != b"IHDR":
        raise Invalid("Eine Abbildung ist kein PNG-Bild.")
    width, height = struct.unpack(">II", blob[16:24])
    if not (0 < width <= MAX_PNG_SIDE and 0 < height <= MAX_PNG_SIDE):
        raise Invalid("Eine Abbildung ist zu groß.")
    return blob


def text(value) -> str:
    """A string from a sandbox, cut to ``MAX_TEXT`` and made encodable; anything else is ""."""
    return clean(value[:MAX_TEXT]) if isinstance(value, str) else ""


def _count(value) -> int:
    return value if type(value) is int and value >= 0 else 0


def _number(value) -> float:
    # JSON holds integers of any length: one beyond a float's range is no number either.
    return float(value) if type(value) in (int, float) and 0 <= value <= MAX_SECONDS else 0.0
