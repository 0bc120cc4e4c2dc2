"""The course commands: ``overview``, ``publish``, ``kit``, ``similarity``, ``moodle-grades``, ``override``,
``mutants``.

Each is a thin shell over a keyword-only function of its module; ``grader.cli``
adds them to its group with ``add_commands``. Errors end through
``grader.common.errors`` like those of every other command.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from grader.cases.assignment import available
from grader.common import german
from grader.common.errors import handle_errors
from grader.course import kit, mutants, overrides, overview, publish, similarity
from grader.engine.outdir import default_out, load_results, outside_run
from grader.report import grades
from grader.report.i18n import LANGUAGES

AUFGABE_HELP = f"Nummer der Aufgabe ({', '.join(map(str, available()))})."
"""Derived from assignments/: a new Aufgabe folder is named in every command's help."""


def defaults(function: Callable) -> dict[str, Any]:
    """The keyword-only defaults of ``function``, which its command's options take over."""
    found = function.__kwdefaults__
    assert found is not None, f"{function.__qualname__} has no keyword-only defaults"
    return found


def lang_option(function: Callable) -> Callable:
    """``--lang`` with the default of ``function``, the command's own."""
    return click.option(
        "--lang", type=click.Choice(LANGUAGES), default=defaults(function)["lang"], show_default=True,
        help="Sprache der Seiten.",
    )


ALLOW_INCOMPLETE = click.option(
    "--allow-incomplete", is_flag=True, help="Auch einen unvollständigen Lauf (nach Strg-C) verwenden."
)


@click.command("overview")
@click.argument("runs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path), default=defaults(overview.overview)["out"], show_default=True, help="Ordner für overview.html und overview.csv.")
@click.option("--roster", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Moodles Teilnehmerliste, Notenexport oder Bewertungstabelle (mit E-Mail oder ID-Nummer); mehrfach möglich.")
@lang_option(overview.overview)
@ALLOW_INCOMPLETE
@handle_errors
def overview_command(runs: tuple[Path, ...], out: Path, roster: tuple[Path, ...], lang: str, allow_incomplete: bool) -> None:
    """Testat-Matrix Studierende × Aufgabe aus den Ergebnissen mehrerer Läufe (Ordner oder results.json)."""
    matrix = overview.overview(
        results_paths=runs, out=out, lang=lang, allow_incomplete=allow_incomplete, roster_paths=roster
    )
    complete = sum(matrix.passed(s) == len(matrix.aufgaben) for s in matrix.students)
    click.echo(
        f"{len(matrix.students)} Studierende, Aufgaben {', '.join(map(str, matrix.aufgaben))}: "
        f"{complete} mit allen Testaten. {out / 'overview.html'}, {out / 'overview.csv'}"
    )


@click.command("moodle-grades")
@click.argument("run", type=click.Path(exists=True, path_type=Path))
@click.option("--worksheet", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True, help="Die aus Moodle heruntergeladene Bewertungstabelle (CSV).")
@click.option("--to", "target", type=click.Path(dir_okay=False, path_type=Path), required=True, help="Wohin die ausgefüllte Tabelle geschrieben wird.")
@click.option("--excel", is_flag=True, help="Mit Semikolon trennen, wie Excel mit deutschen Einstellungen (sonst wie die Tabelle).")
@ALLOW_INCOMPLETE
@handle_errors
def moodle_grades_command(run: Path, worksheet: Path, target: Path, excel: bool, allow_incomplete: bool) -> None:
    """Die Moodle-Bewertungstabelle mit Punkten und Feedback füllen, bereit zum Hochladen.

    Punkte werden auf die Bestwertung der Tabelle umgerechnet; geschrieben wird UTF-8 mit BOM.
    """
    outside_run(target, run, "--to moodle-upload.csv")
    outcome = load_results(run, allow_incomplete=allow_incomplete)
    text = grades.read_worksheet(worksheet.read_bytes())
    filled, unmatched = grades.fill_worksheet(text, outcome, excel=excel)
    # The BOM makes Excel read UTF-8; Moodle's CSV reader drops it.
    target.write_text(filled, encoding="utf-8-sig")
    click.echo(f"{target} geschrieben; {german.count(len(unmatched), 'Zeile', 'Zeilen')} ohne Abgabe unverändert.")
    # Another assignment's worksheet can share a few participant numbers with this run by chance.
    missing = [row for row in grades.submitted(text) if row in unmatched]
    if missing:
        shown = ", ".join(missing[:5]) + (", …" if len(missing) > 5 else "")
        click.echo(
            f"Warnung: {german.count(len(missing), 'Zeile ist', 'Zeilen sind')} in Moodle „Zur Bewertung abgegeben“, "
            f"haben in diesem Lauf aber keine Abgabe ({shown}). Ist es die Tabelle von Aufgabe {outcome.aufgabe}, "
            "und wurde der Download aller Abgaben vollständig bewertet?",
            err=True,
        )


@click.command("publish")
@click.argument("out", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--to", "target", type=click.Path(file_okay=False, path_type=Path), required=True, help="Ordner des Bündels (zum Hochladen), außerhalb von OUT.")
@click.option("--release-hidden", is_flag=True, help="Verdeckte Fälle nach ihrem Freigabedatum zeigen.")
@click.option("--moodle-zip", type=click.Path(dir_okay=False, path_type=Path), help="Auch als .zip für Moodles „Mehrere Feedbackdateien in einer ZIP-Datei hochladen“.")
@lang_option(publish.publish)
@ALLOW_INCOMPLETE
@handle_errors
def publish_command(out: Path, target: Path, release_hidden: bool, moodle_zip: Path | None, lang: str, allow_incomplete: bool) -> None:
    """Je Studierendem ein Ordner mit nur dem eigenen Bericht, Namen nicht erratbar; dazu ein Index für Lehrende."""
    if moodle_zip is not None:
        outside_run(moodle_zip, out, publish.MOODLE_ZIP_EXAMPLE)
    published, index = publish.publish(out=out, to=target, lang=lang, release_hidden=release_hidden, allow_incomplete=allow_incomplete)
    click.echo(f"{german.count(len(published), 'Bericht', 'Berichte')} in {target}. Index für Lehrende (nicht weitergeben): {index}")
    if moodle_zip is not None:
        count = publish.moodle_feedback_zip(out=out, target=moodle_zip, lang=lang, release_hidden=release_hidden, allow_incomplete=allow_incomplete)
        click.echo(f"{german.count(count, 'Bericht', 'Berichte')} von Moodle-Abgaben in {moodle_zip}.")


@click.command("kit")
@click.option("--aufgabe", "-a", type=int, required=True, help=AUFGABE_HELP)
@click.option("--out", "-o", type=click.Path(dir_okay=False, path_type=Path), required=True, help="Die zu schreibende .zip-Datei.")
@handle_errors
def kit_command(aufgabe: int, out: Path) -> None:
    """Kit für Studierende: Aufgabentext, Vorlage und öffentliche Fälle zum Selbsttest mit pytest."""
    kit.build(aufgabe=aufgabe, out=out)
    click.echo(f"{out} geschrieben: entpacken, Lösung eintragen, `pytest` im Ordner aufgabe{aufgabe}.")


@click.command("similarity")
@click.option("--aufgabe", "-a", type=int, required=True, help=AUFGABE_HELP)
@click.argument("submissions", type=click.Path(exists=True, path_type=Path))
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path), default=None, help="Ausgabeordner, derselbe wie bei `grader run` (Standard: out/aufgabeN).")
@click.option("--threshold", type=click.FloatRange(0, 1), default=defaults(similarity.similarity)["threshold"], show_default=True, help="Ab diesem Anteil gemeinsamen Codes wird ein Paar gelistet.")
@lang_option(similarity.similarity)
@handle_errors
def similarity_command(aufgabe: int, submissions: Path, out: Path | None, threshold: float, lang: str) -> None:
    """Ähnliche Abgaben einer Aufgabe finden (Vorlage herausgerechnet); Paare in index.html und similarity/."""
    out = out or default_out(aufgabe)
    pairs = similarity.similarity(aufgabe=aufgabe, submissions=submissions, out=out, threshold=threshold, lang=lang)
    click.echo(f"{german.count(len(pairs), 'Paar', 'Paare')} ab {threshold:.0%} Ähnlichkeit; Einzelheiten in {out / 'similarity.json'}.")


@click.command("override")
@click.argument("out", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--id", "submission_id", required=True, help="Kennung der Abgabe, wie in results.json und index.html.")
@click.option("--points", type=click.FloatRange(0), help="Neue Punktzahl (das Testat folgt dann allein der Schwelle, auch bei fehlendem Pflichtfall; --passed setzt es selbst).")
@click.option("--passed", type=click.Choice(["yes", "no", "ja", "nein"]), help="Testat bestanden oder nicht, von Hand.")
@click.option("--note", default=defaults(overrides.override)["note"], help="Begründung, z. B. aus dem Testat-Gespräch (Pflicht).")
@click.option("--remove", is_flag=True, help="Die Änderung von Hand zurücknehmen.")
@handle_errors
def override_command(out: Path, submission_id: str, points: float | None, passed: str | None, note: str, remove: bool) -> None:
    """Punkte oder Testat einer Abgabe von Hand ändern, mit Begründung; gilt auch nach erneutem `grader run`."""
    verdict = None if passed is None else passed in ("yes", "ja")
    result = overrides.override(out=out, submission_id=submission_id, note=note, points=points, passed=verdict, remove=remove)
    state = "bestanden" if result.passed else "nicht bestanden"
    what = "zurückgenommen" if remove else "gespeichert"
    click.echo(f"Änderung für {submission_id} {what}: {result.score:g} von {result.max_score:g} Punkten, Testat {state}.")


@click.command("mutants")
@click.option("--aufgabe", "-a", type=int, required=True, help=AUFGABE_HELP)
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path), required=True, help="Ordner für mutants.json und survivors.html.")
@click.option("--jobs", "-j", type=click.IntRange(1), default=defaults(mutants.run)["jobs"], help="Mutanten gleichzeitig (Standard: Anzahl der Kerne).")
@handle_errors
def mutants_command(aufgabe: int, out: Path, jobs: int | None) -> None:
    """Mutanten der Referenz durch die Fälle bewerten: OUT/mutants.json und OUT/survivors.html."""
    summary = mutants.run(aufgabe=aufgabe, out=out, jobs=jobs)
    survivors = [m for m in summary["mutants"] if not m["killed"] and not m["equivalent"]]
    click.echo(f"Aufgabe {aufgabe}: Mutation-Score {summary['score']:.3f}, {len(summary['mutants'])} Mutanten, "
               f"{len(survivors)} unerkannt überlebt ({out / 'survivors.html'}).")


def add_commands(group: click.Group) -> None:
    """Add the course commands to ``group`` (the ``grader`` CLI)."""
    for command in (overview_command, publish_command, kit_command, similarity_command, moodle_grades_command, override_command, mutants_command):
        group.add_command(command)
