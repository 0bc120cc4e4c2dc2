"""``grader``: the command line. Each command is a thin shell over ``grader.engine.batch``."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import click

from grader.cli import click_german
from grader.cli.progress import Progress

# Before any command module builds its click types, so that their words are German too;
# hence the imports below it.
# ruff: noqa: E402
click_german.install()

from grader.backends import CHOICES, image
from grader.cases import assignment as assignments
from grader.cluster.client import ClusterUnavailable
from grader.common.errors import EXIT_FAILED, handle_errors
from grader.common.german import count
from grader.common.status import CaseStatus, SubmissionStatus
from grader.course.cli import AUFGABE_HELP, add_commands, defaults
from grader.engine.batch import grade_path, run
from grader.engine.outdir import default_out
from grader.judging.compare.signs import sentence
from grader.report.i18n import LANGUAGES
from grader.service.cli import add_service_commands


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="gnn-grader", prog_name="grader")
def main() -> None:
    """Automatische Testat-Bewertung für „Grundlagen Neuronale Netze“."""
    # SIGTERM (kill, a batch system) ends the grader as Ctrl-C does: sandboxes killed, what was graded kept.
    signal.signal(signal.SIGTERM, signal.default_int_handler)


@main.command("run")
@click.option("--aufgabe", "-a", type=int, required=True, help=AUFGABE_HELP)
@click.argument("submissions", type=click.Path(exists=True, path_type=Path))
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path), default=None, help="Ausgabeordner (Standard: out/aufgabeN).")
@click.option("--jobs", "-j", type=click.IntRange(1), default=defaults(run)["jobs"], help="Abgaben gleichzeitig (Standard: Anzahl der Kerne).")
@click.option("--sandbox", type=click.Choice(CHOICES), default=defaults(run)["sandbox"], show_default=True)
@click.option("--regrade", is_flag=True, help="Auch unveränderte, schon bewertete Abgaben neu bewerten.")
@click.option("--lang", type=click.Choice(LANGUAGES), default=defaults(run)["lang"], show_default=True, help="Sprache der Berichte.")
@click.option("--release-hidden", is_flag=True, help="Verdeckte Fälle nach ihrem Freigabedatum im Bericht zeigen.")
@click.option("--cluster", envvar="GRADER_CLUSTER", default=defaults(run)["cluster"], metavar="ADRESSE", help="Auf den Workern dieses Dask-Schedulers bewerten (tcp://HOST:8786 oder tls://…).")
@handle_errors
def run_command(aufgabe: int, submissions: Path, out: Path | None, jobs: int | None, sandbox: str, regrade: bool, lang: str, release_hidden: bool, cluster: str | None) -> None:
    """Alle Abgaben in SUBMISSIONS (Ordner, oder dessen .zip wie Moodles Download) bewerten: results.json, Berichte, index.html, grades.csv."""
    out = out or default_out(aufgabe)
    with Progress(f"Aufgabe {aufgabe}") as progress:
        outcome = run(aufgabe=aufgabe, submissions=submissions, out=out, jobs=jobs, sandbox=sandbox, regrade=regrade, lang=lang, release_hidden=release_hidden, progress=lambda result, done, total: progress.update(done, total), log=lambda m: click.echo(m, err=True), cluster=cluster)
    passed = sum(s.passed for s in outcome.submissions)
    errors = sum(s.status == SubmissionStatus.ERROR for s in outcome.submissions)
    failed = sum(s.sandbox_failed for s in outcome.submissions)
    again = f" {failed} nach einem Ausfall von Sandbox oder Grader nicht gespeichert; der nächste Lauf bewertet sie neu." if failed else ""
    click.echo(
        f"{count(len(outcome.submissions), 'Abgabe', 'Abgaben')} bewertet; Sandbox: {outcome.sandbox}. "
        f"{count(passed, 'Testat', 'Testate')} bestanden, {errors} nicht bewertbar.{again} Übersicht: {out / 'index.html'}"
    )


@main.command("check")
@click.option("--aufgabe", "-a", type=int, required=True, help=AUFGABE_HELP)
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--sandbox", type=click.Choice(CHOICES), default=defaults(grade_path)["sandbox"], show_default=True)
@handle_errors
def check_command(aufgabe: int, path: Path, sandbox: str) -> None:
    """Die öffentlichen Fälle gegen eine Abgabe (Ordner, .zip, .py oder Notebook .ipynb) laufen lassen."""
    result = grade_path(aufgabe=aufgabe, path=path, sandbox=sandbox, public_only=True, log=lambda m: click.echo(m, err=True))
    if result.status == SubmissionStatus.ERROR:
        click.secho(f"Nicht bewertbar: {result.message}", fg="red")
        sys.exit(EXIT_FAILED)
    marks = {
        CaseStatus.PASSED: ("✓", "green"),
        CaseStatus.FAILED: ("✗", "red"),
        CaseStatus.ERROR: ("!", "red"),
        CaseStatus.TIMEOUT: ("⧗", "yellow"),
    }
    for case in result.cases:
        mark, colour = marks[case.status]
        click.secho(f"{mark} {case.name} ({case.score:g}/{case.max_score:g})", fg=colour)
        if case.status != CaseStatus.PASSED:
            click.echo(f"    {case.message}")
            if case.mistake:
                click.echo(f"    {sentence(case.mistake['title'], case.mistake['hint'], case.mistake['certain'])}")
            if case.traceback:
                click.echo("    " + case.traceback.rstrip().replace("\n", "\n    "))
    good = sum(c.status == CaseStatus.PASSED for c in result.cases)
    click.echo(f"{good} von {len(result.cases)} öffentlichen Fällen bestanden; Sandbox: {result.sandbox}.")
    if good < len(result.cases):
        sys.exit(EXIT_FAILED)
    click.echo("Alle öffentlichen Fälle bestanden. Verdeckte Fälle werden erst bei der Abgabe geprüft.")


@main.group("sandbox")
def sandbox_group() -> None:
    """Das Docker-Sandbox-Image verwalten."""


@sandbox_group.command("build")
@click.option("--from-debian", is_flag=True, help="Basis aus Debian-Paketen bauen (debootstrap), ohne Registry.")
@click.option("--force", is_flag=True, help="Neu bauen, auch wenn das Image schon existiert.")
@handle_errors
def sandbox_build(from_debian: bool, force: bool) -> None:
    """Das Sandbox-Image bauen (nur wenn es fehlt, außer mit --force); danach veraltete Tags entfernen.

    Mit GRADER_KEEP_STALE_IMAGES=1 bleiben sie (z. B. wenn mehrere Stände auf einer Engine arbeiten).
    """
    tag = image.build_command(from_debian=from_debian, force=force, log=lambda m: click.echo(m, err=True))
    click.echo(f"Sandbox-Image bereit: {tag}")


@sandbox_group.command("prune")
@click.option("--repository", default=defaults(image.prune_command)["repository"], show_default=True, help="Repository der Sandbox-Images.")
@handle_errors
def sandbox_prune(repository: str) -> None:
    """Veraltete Tags des Sandbox-Images entfernen (alle außer dem aktuellen)."""
    removed = image.prune_command(repository=repository, log=lambda m: click.echo(m, err=True))
    click.echo(f"{len(removed)} veraltete Tags entfernt.")


@main.command("worker", context_settings={"ignore_unknown_options": True})
@click.argument("scheduler")
# Dask is optional, so grader.cluster.worker is imported only when the command runs: these
# defaults repeat start's (tests/core/test_cli_defaults.py holds them equal).
@click.option("--sandbox", type=click.Choice(["docker", "process"]), default="docker", show_default=True)
@click.option("--slots", type=click.IntRange(1), default=None, help="Sandboxen gleichzeitig (Standard: Anzahl der Kerne).")
@click.argument("dask_args", nargs=-1, type=click.UNPROCESSED)
@handle_errors
def worker_command(scheduler: str, sandbox: str, slots: int | None, dask_args: tuple[str, ...]) -> None:
    """Abgaben für einen Dask-Scheduler bewerten (startet `dask worker`; weitere Optionen wie --tls-cert gehen an ihn)."""
    try:
        from grader.cluster.worker import start
    except ImportError:
        raise ClusterUnavailable("Für `grader worker` fehlt Dask. Installieren mit: pip install 'gnn-grader[cluster]'") from None
    start(scheduler, sandbox=sandbox, slots=slots, dask_args=dask_args, log=lambda m: click.echo(m, err=True))


@main.command("list")
def list_command() -> None:
    """Die Aufgaben mit Titel, Datei, Fällen und Testat-Schwelle."""
    for number in assignments.available():
        a = assignments.load(number)
        public = sum(c.visibility == "public" for c in a.cases)
        click.echo(
            f"Aufgabe {number}: {a.title} — {a.module}.py, {len(a.cases)} Fälle ({public} öffentlich), "
            f"{a.max_score:g} Punkte, Testat ab {a.threshold:.0%}"
        )


add_commands(main)
add_service_commands(main)


if __name__ == "__main__":
    main()
