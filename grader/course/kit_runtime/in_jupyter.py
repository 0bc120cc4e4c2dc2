"""``from gnn_kit import check; check()`` in a notebook cell: the public cases against this notebook.

The cases run as under ``pytest``, on the notebook as it is saved, made into a
module as the grader makes it at hand-in (so the cell that calls ``check()``
is left out, and what runs at import runs here too), and the ✓/✗ list shows
as HTML below the cell. Where the saved file differs from what the kernel ran
last, it says so: the saved file is what is handed in.
"""

from __future__ import annotations

import ast
import contextlib
import html
import inspect
import io
import json
import os
import signal
import sys
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt

from . import notebooks

HERE = Path(__file__).resolve().parent


def check(notebook: str | os.PathLike | None = None) -> None:
    """Run the public cases against ``notebook`` (default: the notebook this kernel belongs to) and show them."""
    try:
        path = _notebook(notebook)
    except notebooks.NotebookError as exc:
        _show(f"<p><b>✗ Nicht geprüft:</b> {html.escape(str(exc))}</p>", f"Nicht geprüft: {exc}")
        return
    backend = plt.get_backend()
    # The cases' time limits replace these handlers (not on Windows, which has neither signal).
    handlers = {sig: signal.getsignal(sig) for sig in (getattr(signal, n, None) for n in ("SIGALRM", "SIGPROF")) if sig}
    plt.switch_backend("agg")  # figures the cases draw are compared, not shown below the cell
    from . import runner

    runner.CHOSEN = path
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
            stale = _unsaved(path)
            outcomes = []
            for name in runner.case_names():
                with tempfile.TemporaryDirectory() as scratch:
                    outcomes.append(runner.outcome(name, Path(scratch)))
    finally:
        runner.CHOSEN = None
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
        plt.switch_backend(backend)
    lines = runner.summary(outcomes)
    warning = f"Achtung: {stale}" if stale else ""
    text = [warning] + [
        f"{line}\n    {o.message}" if not o.passed else line for line, o in zip(lines, outcomes, strict=False)
    ] + lines[len(outcomes):] + runner.mistake_lines(outcomes)
    _show(_html(outcomes, lines[-1], warning, runner.version_warning()), "\n".join(filter(None, text)))


def _notebook(given) -> Path:
    """The notebook to check: ``given``, else the one this kernel runs (VS Code and Jupyter tell
    its path), else the kit folder's notebook by the grader's rule."""
    if given is not None:
        path = Path(given)
    else:
        main = vars(sys.modules.get("__main__", object()))
        told = main.get("__vsc_ipynb_file__") or os.environ.get("JPY_SESSION_NAME", "")
        path = Path(told) if told and Path(told).suffix.lower() == notebooks.SUFFIX else None
        if path is None or not path.is_file():
            module = json.loads((HERE / "kit.json").read_text(encoding="utf-8"))["module"]
            path = notebooks.find(HERE.parent, module) or notebooks.find(Path.cwd(), module)
    if path is None or not path.is_file():
        raise notebooks.NotebookError(
            f"Kein Notebook gefunden{f' unter {given}' if given else ''}. Das Notebook in den Ordner des Kits legen "
            "(neben gnn_kit) oder seinen Namen angeben: check(\"mein_notebook.ipynb\")."
        )
    return path.resolve()


def _unsaved(path: Path) -> str:
    """Which functions the kernel runs in another version than the saved notebook has, as a warning; or "".

    Read from the saved cells' text, not run: the cases run the notebook, under their time limits.
    """
    try:
        code = notebooks.read(path).source
        saved = {
            node.name: ast.get_source_segment(code, node)
            for node in ast.parse(code).body
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and not node.decorator_list
        }
    except (notebooks.NotebookError, SyntaxError, ValueError):
        return ""  # the cases will say what is wrong with the saved notebook
    live = vars(sys.modules.get("__main__", object()))
    changed = sorted(
        name for name, text in saved.items()
        if inspect.isfunction(live.get(name)) and _source(live[name]) not in (None, (text or "").strip())
    )
    if not changed:
        return ""
    return (
        f"{', '.join(changed)} {'ist' if len(changed) == 1 else 'sind'} in der gespeicherten Datei {path.name} anders als "
        "zuletzt im Notebook ausgeführt. Geprüft (und bei der Abgabe bewertet) wird die gespeicherte Fassung: "
        "bitte speichern (Strg+S) und check() noch einmal ausführen."
    )


def _source(function) -> str | None:
    try:
        return inspect.getsource(function).strip()
    except (OSError, TypeError):
        return None


def _html(outcomes, counted: str, warning: str, versions: str) -> str:
    rows = []
    for o in outcomes:
        colour = "#1a7f37" if o.passed else "#6e7781" if o.mark == "–" else "#cf222e"
        detail = "" if o.passed else f"<div>{html.escape(o.message)}</div>"
        if o.traceback:
            detail += f"<pre style='margin:2px 0'>{html.escape(o.traceback)}</pre>"
        rows.append(
            f"<li style='list-style:none'><span style='color:{colour};font-weight:bold'>{html.escape(o.mark)}</span> "
            f"<code>{html.escape(o.name)}</code> ({o.points if o.passed else 0:g}/{o.points:g}){detail}</li>"
        )
    notes = "".join(f"<p style='color:#9a6700'><b>{html.escape(n)}</b></p>" for n in (warning, versions) if n)
    return f"<div class='gnn-kit'>{notes}<ul style='padding-left:0'>{''.join(rows)}</ul><p><b>{html.escape(counted)}</b></p></div>"


def _show(markup: str, text: str) -> None:
    """HTML below the cell in Jupyter, text elsewhere."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        print(text)
        return
    if get_ipython() is None:
        print(text)
        return
    display({"text/html": markup, "text/plain": text}, raw=True)
