"""Harnesses started ahead (spares) and the parent's warm-up, in the process sandbox."""

import os
import subprocess
import sys
import textwrap
import time
import types
from pathlib import Path

import pytest

from grader.backends.base import Job
from grader.backends.process import ProcessBackend
from grader.backends.session import run_job
from harness.api import collect

CASES = textwrap.dedent(
    """
    import gc, os, sys
    from harness.api import case

    @case("f/one", timeout=10)
    def one(m, ctx):
        return {
            "y": m.f(3),
            "harness": os.getppid(),
            # (not naming the library: cases that name it count as drawing)
            "pyplot": any(name.endswith(".pyplot") for name in sys.modules),
            "frozen": gc.get_freeze_count(),
            "metadata": "importlib.metadata" in sys.modules,
        }
    """
)
DRAWING_CASES = CASES.replace("import gc, os, sys", "import gc, os, sys  # matplotlib draws here")


def job(folder: Path, body: str, cases: str = CASES) -> Job:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "student.py").write_text(textwrap.dedent(body))
    module = types.ModuleType("cases")
    exec(cases, module.__dict__)
    return Job(folder, "student", cases, {c.name: c.timeout for c in collect(module)})


def value(backend, a_job) -> dict:
    run = run_job(backend, a_job).cases["f/one"]
    assert run.status == "ok", run
    return run.value


def wait_for_spares(backend, count: int) -> list:
    deadline = time.monotonic() + 30
    while len(backend.spares.waiting()) < count:
        assert time.monotonic() < deadline, "no spare became ready"
        time.sleep(0.05)
    return backend.spares.waiting()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A killed harness is a zombie until its Popen is waited for.
    return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"


def gone(pid: int, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.fixture
def backend():
    # Without bubblewrap a case sees its harness's pid as the host does (the spares'
    # own isolation is in test_process_isolation).
    backend = ProcessBackend(isolate_network=False, bubblewrap=False)
    yield backend
    backend.close()


def test_the_next_job_runs_in_the_spare_started_ahead(backend, tmp_path):
    backend.reserve(1)
    first = value(backend, job(tmp_path / "a", "def f(x):\n    return x + 1\n"))
    (spare,) = wait_for_spares(backend, 1)
    spare_pid = spare.channel.popen.pid
    assert list(spare.submission.iterdir()) == []  # it has seen no submission yet
    second = value(backend, job(tmp_path / "b", "def f(x):\n    return x * 10\n"))
    assert (first["y"], second["y"]) == (4, 30)  # each harness graded its own submission
    assert second["harness"] == spare_pid != first["harness"]


def test_without_reserve_no_harness_is_started_ahead(backend, tmp_path):
    value(backend, job(tmp_path / "a", "def f(x):\n    return x\n"))
    # The job's open() asked the spares for one before it ran: a start ahead would have
    # been submitted then, so by now it is pending or waiting.
    assert (backend.spares._pending, backend.spares.waiting()) == (0, [])


def test_spares_of_another_kind_of_job_are_discarded(backend, tmp_path):
    backend.reserve(1)
    value(backend, job(tmp_path / "a", "def f(x):\n    return x\n"))
    (plain_spare,) = wait_for_spares(backend, 1)
    # Cases that draw want harnesses that imported pyplot ahead.
    drawn = value(backend, job(tmp_path / "b", "def f(x):\n    return x\n", DRAWING_CASES))
    assert drawn["harness"] != plain_spare.channel.popen.pid
    assert gone(plain_spare.channel.popen.pid)
    (drawing_spare,) = wait_for_spares(backend, 1)
    again = value(backend, job(tmp_path / "c", "def f(x):\n    return x\n", DRAWING_CASES))
    assert again["harness"] == drawing_spare.channel.popen.pid
    assert again["pyplot"] is True


def test_a_spare_ready_when_fewer_are_reserved_serves_the_next_job(backend, tmp_path):
    # The engine lowers the count for the last hand-ins before each one opens its sandbox:
    # the spare started for it must not be thrown away and a new one started on demand.
    backend.reserve(1)
    value(backend, job(tmp_path / "a", "def f(x):\n    return x\n"))
    (spare,) = wait_for_spares(backend, 1)
    backend.reserve(0)
    last = value(backend, job(tmp_path / "b", "def f(x):\n    return x\n"))
    assert last["harness"] == spare.channel.popen.pid
    assert (backend.spares._pending, backend.spares.waiting()) == (0, [])  # none started beyond it


def test_fewer_reserved_start_no_more_and_close_ends_the_spares(backend, tmp_path):
    backend.reserve(2)
    value(backend, job(tmp_path / "a", "def f(x):\n    return x\n"))
    spares = wait_for_spares(backend, 2)
    backend.reserve(1)
    value(backend, job(tmp_path / "b", "def f(x):\n    return x\n"))  # takes one, starts none
    assert backend.spares._pending == 0
    assert [s.channel.popen.pid for s in backend.spares.waiting()] == [spares[1].channel.popen.pid]
    backend.close()
    assert gone(spares[1].channel.popen.pid)
    assert not spares[1].submission.exists()


def test_the_parent_imports_pyplot_only_where_something_draws(backend, tmp_path):
    plain = value(backend, job(tmp_path / "a", "def f(x):\n    return x\n"))
    drawing = value(backend, job(tmp_path / "b", "import matplotlib.pyplot as plt\n\ndef f(x):\n    return x\n"))
    mentioned = value(backend, job(tmp_path / "c", "# matplotlib comes later\ndef f(x):\n    return x\n"))
    assert plain["pyplot"] is False
    assert drawing["pyplot"] is True and mentioned["pyplot"] is True
    # The parent's objects are frozen before the first fork: a case's garbage
    # collector leaves them (and their memory pages) alone.
    assert plain["frozen"] > 1000


def test_versions_name_matplotlib_also_where_it_was_not_imported(backend, tmp_path):
    import matplotlib

    result = run_job(backend, job(tmp_path / "a", "def f(x):\n    return x\n"))
    assert result.versions["matplotlib"] == matplotlib.__version__


WARM_CASES = textwrap.dedent(
    """
    import hashlib, io
    from harness.api import case

    @case("f/one", timeout=30)
    def one(m, ctx):
        import matplotlib.artist, matplotlib.lines, matplotlib.mathtext
        warm = {
            # before this case drew anything: what it inherited from its parent
            "parser": matplotlib.mathtext.MathTextParser._parser is not None,
            "set_doc": matplotlib.lines.Line2D.set.__doc__ or "",
            "kwdoc": matplotlib.artist.kwdoc(matplotlib.lines.Line2D),
        }
        buffer = io.BytesIO()
        m.draw().savefig(buffer, format="png", dpi=80)
        return dict(warm, png=hashlib.sha256(buffer.getvalue()).hexdigest())
    """
)
DRAW = """\
import matplotlib.pyplot as plt

def draw():
    figure, ax = plt.subplots(figsize=(4, 3))
    ax.plot([0, 1, 2], [0, 1, 4], ".-", label="$E(t)$")
    ax.set(xlabel="$o_1$", ylabel="Fehler", title="Titel")
    ax.legend()
    return figure
"""


def test_the_warm_up_loads_mathtext_and_skips_docstring_tables_without_changing_a_drawing(
    backend, tmp_path
):
    warm = value(backend, job(tmp_path / "a", DRAW, WARM_CASES))
    # Labels such as $o_1$ find the mathtext parser built in the parent.
    assert warm["parser"] is True
    # pyplot was imported without the property tables of Artist.set ...
    assert "markerfacecolor" not in warm["set_doc"]
    # ... and kwdoc itself works again for the student's code.
    assert "markerfacecolor" in warm["kwdoc"]
    # The same figure drawn after a plain import of pyplot gives the same PNG.
    plain = subprocess.run(
        [sys.executable, "-c",
         "import hashlib, io, sys, matplotlib; matplotlib.use('Agg'); sys.path.insert(0, sys.argv[1]);"
         "import student; b = io.BytesIO(); student.draw().savefig(b, format='png', dpi=80);"
         "print(hashlib.sha256(b.getvalue()).hexdigest())",
         str(tmp_path / "a")],
        capture_output=True, text=True, check=True, cwd=tmp_path,
    )
    assert warm["png"] == plain.stdout.strip()


def test_the_versions_are_read_without_importlib_metadata(backend, tmp_path):
    # importlib.metadata (and the email package it imports) cost a harness ~20 ms of CPU per
    # submission, and every case process forked after it a larger, partly unfrozen parent.
    from importlib import metadata

    run = run_job(backend, job(tmp_path / "a", "def f(x):\n    return x\n"))
    assert run.cases["f/one"].value["metadata"] is False
    assert run.versions["matplotlib"] == metadata.version("matplotlib")
