"""The reports' own words in German (the default) and English.

Only what the report templates say themselves is translated: headings,
labels, verdict words. The messages of the checks (``grader.judging.compare``,
``grader.judging.verdicts``, an Aufgabe's ``checks.py``) stay German in both
languages, as the course is taught in German; the English report says so.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

LANGUAGES = ("de", "en")

CATALOGUE: dict[str, tuple[str, str]] = {
    # key: (German, English)
    "passed": ("bestanden", "passed"),
    "failed": ("nicht bestanden", "failed"),
    "error": ("Fehler", "error"),
    "timeout": ("Zeitlimit", "time limit"),
    "graded": ("bewertet", "graded"),
    "testat": ("Testat", "Testat"),
    "testat_passed": ("Testat bestanden", "Testat passed"),
    "testat_failed": ("Testat nicht bestanden", "Testat not passed"),
    "aufgabe": ("Aufgabe", "Assignment"),
    "submission": ("Abgabe", "Submission"),
    "submissions": ("Abgaben", "Submissions"),
    "student": ("Studierende/r", "Student"),
    "points": ("Punkte", "Points"),
    "points_of": ("{score} von {max} Punkten", "{score} of {max} points"),
    "needed": ("nötig: {share} %", "needed: {share} %"),
    "graded_at": ("bewertet", "graded"),
    "sandbox": ("Sandbox", "Sandbox"),
    "versions": ("Versionen", "Versions"),
    "network_cut": ("Netzwerk: abgeschnitten", "network: cut off"),
    "network_open": ("Netzwerk: NICHT abgeschnitten", "network: NOT cut off"),
    "cant_grade": ("Die Abgabe konnte nicht bewertet werden:", "The submission could not be graded:"),
    "summary": ("Übersicht", "Summary"),
    "cases": ("Die Fälle im Einzelnen", "The cases in detail"),
    "case": ("Fall", "Case"),
    "result": ("Ergebnis", "Result"),
    "visibility": ("Sichtbarkeit", "Visibility"),
    "public": ("öffentlich", "public"),
    "hidden": ("verdeckt", "hidden"),
    "hidden_until": ("verdeckt bis {date}", "hidden until {date}"),
    "released": ("freigegeben seit {date}", "released since {date}"),
    "hidden_note": (
        "Verdeckter Fall: nur Ergebnis und Punkte werden gezeigt.",
        "Hidden case: only the result and the points are shown.",
    ),
    "hidden_until_note": (
        "Verdeckter Fall: Einzelheiten werden nach dem {date} freigegeben.",
        "Hidden case: details are released after {date}.",
    ),
    "call": ("So wurde Ihr Code aufgerufen", "How your code was called"),
    "expected": ("Erwartet", "Expected"),
    "got": ("Ihr Ergebnis", "Your result"),
    "traceback": ("Traceback (nur Ihr Code)", "Traceback (your code only)"),
    "stdout": ("Ausgabe (stdout)", "Output (stdout)"),
    "stderr": ("Fehlerausgabe (stderr)", "Error output (stderr)"),
    "your_figure": ("Ihre Abbildung {n}", "Your figure {n}"),
    "reference_figure": ("Referenz {n}", "Reference {n}"),
    "same_figures": ("Dieselben Abbildungen wie bei", "The same figures as in"),
    "missing_figure": ("Abbildung fehlt", "figure missing"),
    "difference": ("Was abweicht: Ihre Werte gegen die Referenz", "What differs: your values against the reference"),
    "seconds": ("{s} s", "{s} s"),
    "messages_german": (
        "",
        "The messages of the checks are in German, the language of the course.",
    ),
    # Overview of one Aufgabe
    "overview": ("Übersicht", "Overview"),
    "submissions_n": ("{n} Abgaben", "{n} submissions"),
    "incomplete": ("unvollständig: {n} von {total} bewertet", "incomplete: {n} of {total} graded"),
    "incomplete_hint": (
        "Der Lauf wurde abgebrochen; derselbe Aufruf von `grader run` bewertet den Rest.",
        "The run was interrupted; the same `grader run` grades the rest.",
    ),
    "ungradeable_n": (
        "Nicht bewertbar, bitte ansehen ({n}; in Moodles Bewertungstabelle bleibt ihre Bewertung leer):",
        "Could not be graded, please look ({n}; their grade stays empty in Moodle's grading worksheet):",
    ),
    "testate_passed_n": ("{n} Testate bestanden", "{n} Testate passed"),
    "network_open_n": (
        "Bei {n} Abgaben hat die Sandbox das Netzwerk NICHT abgeschnitten: ihr Code konnte das Netz "
        "erreichen. Für eine Bewertung Docker oder bubblewrap verwenden.",
        "For {n} submissions the sandbox did NOT cut off the network: their code could reach the net. "
        "Grade with Docker or bubblewrap.",
    ),
    "threshold": ("Schwelle {share} %", "threshold {share} %"),
    "status": ("Status", "Status"),
    "time_s": ("Zeit (s)", "Time (s)"),
    "why": ("Warum", "Why"),
    "why_override": ("Von Hand geändert: {note}", "Changed by hand: {note}"),
    "overridden": ("Von Hand geändert am {when}: {note}", "Changed by hand on {when}: {note}"),
    "graded_was": ("Der Grader hatte {n} Punkte gegeben, {verdict}.", "The grader had given {n} points, {verdict}."),
    "graded_could_not": (
        "Der Grader konnte die Abgabe nicht bewerten: {message}", "The grader could not grade the submission: {message}",
    ),
    "cases_as_graded": (
        "Die Fälle, wie der Grader sie bewertet hat; Punkte und Testat oben sind von Hand gesetzt.",
        "The cases as the grader judged them; the points and the Testat above were set by hand.",
    ),
    "by_hand": ("von Hand", "by hand"),
    "ungradeable": ("nicht bewertbar", "not gradeable"),
    "why_timeout": ("Zeitlimit in: {cases}", "time limit in: {cases}"),
    "why_error": ("Fehler in {case}: {message}", "error in {case}: {message}"),
    "why_more": ("(und {n} weitere)", "(and {n} more)"),
    "why_sandbox": (
        "Die Sandbox oder der Grader fiel aus; der nächste Lauf bewertet neu.",
        "The sandbox or the grader failed; the next run grades again.",
    ),
    "report": ("Bericht", "Report"),
    "where_fail": ("Wo die Abgaben scheitern", "Where submissions fail"),
    "passed_by": ("bestanden von", "passed by"),
    "mean_points": ("Punkte im Mittel", "mean points"),
    "sort_hint": ("Spaltenköpfe sortieren die Tabelle.", "Click a column head to sort."),
    "mistakes": ("Typische Fehler", "Typical mistakes"),
    "mistake": ("Fehler", "Mistake"),
    # issue 24: a mistake whose signature holds on every case it predicts, or on some of them
    "mistake_is": ("Das entspricht dem typischen Fehler „{title}“", "This is the typical mistake “{title}”"),
    "mistake_could_be": ("Das könnte der typische Fehler „{title}“ sein", "This could be the typical mistake “{title}”"),
    "mistake_hint": ("Hinweis: {hint}", "Hint: {hint}"),
    "similar": ("Ähnliche Abgaben", "Similar submissions"),
    "similar_none": (
        "Kein Paar über der Schwelle von {threshold} %.",
        "No pair above the threshold of {threshold} %.",
    ),
    "similar_intro": (
        "Paare, deren Code sich über {threshold} % gleicht (Vorlage herausgerechnet). "
        "Ähnlichkeit ist ein Hinweis zum Nachsehen, kein Beweis.",
        "Pairs whose code is more than {threshold} % alike (skeleton left out). "
        "Similarity is a reason to look, not a proof.",
    ),
    "similar_only": (
        "{n} Abgaben verglichen. In diesem Ordner liegt kein Lauf: `grader run` mit demselben --out "
        "zeigt die Paare mit den Bewertungen in index.html.",
        "{n} submissions compared. This folder holds no run: `grader run` with the same --out "
        "lists the pairs with the grades in index.html.",
    ),
    "similarity": ("Ähnlichkeit", "Similarity"),
    "compare": ("vergleichen", "compare"),
    "similar_marked": (
        "Markiert ist, was beide gemeinsam haben (über die Vorlage hinaus).",
        "Marked is what both share (beyond the skeleton).",
    ),
    # Published bundle
    "published": ("veröffentlichte Berichte", "published reports"),
    "published_intro": (
        "Nur für Lehrende: jede Zeile verlinkt den Ordner mit dem Bericht einer Abgabe. "
        "Die Ordnernamen lassen sich aus den Kennungen nicht erraten; diese Seite nicht weitergeben.",
        "For instructors only: each row links the folder with one submission's report. "
        "The folder names cannot be guessed from the ids; do not pass this page on.",
    ),
    # Course matrix
    "matrix": ("Testate im Kurs", "Testate of the course"),
    "matrix_intro": (
        "Wer welches Testat bestanden hat: ✓ bestanden, ✗ nicht bestanden, ⚠ nicht bewertbar (bitte ansehen), "
        "– keine Abgabe; „von Hand“: nach dem Testat-Gespräch geändert.",
        "Who passed which Testat: ✓ passed, ✗ not passed, ⚠ not gradeable (please look), – no submission; "
        "“by hand”: changed after the Testat conversation.",
    ),
    "no_submission": ("keine Abgabe", "no submission"),
    # issue 15: required cases and errors that share a cause
    "missing_required": (
        "Zuerst beheben – nicht bestandene Pflichtfälle (ohne sie kein Testat, wie viele Punkte es auch sind): {cases}",
        "Fix these first – required cases not passed (no Testat without them, whatever the points): {cases}",
    ),
    "required_short": ("Pflichtfall fehlt: {cases}", "required case missing: {cases}"),
    "same_cause": (
        "{n} Fälle von {function} scheitern, wahrscheinlich an einer gemeinsamen Ursache; "
        "am leichtesten zu untersuchen ist der kleinste: {smallest}.",
        "{n} cases of {function} fail, probably from one shared cause; "
        "the smallest one is the easiest to examine: {smallest}.",
    ),
    "fix_first": (
        "{function} baut laut Aufgabe auf {first} auf, und auch dort scheitern Fälle: zuerst {first} korrigieren – "
        "vielleicht stimmt {function} danach schon.",
        "{function} builds on {first} by the task, and cases fail there too: fix {first} first – "
        "{function} may be right after that.",
    ),
}


SINGULAR: dict[str, tuple[str, str]] = {
    # key: its text for a count ``n`` of 1 (the catalogue's text is for every other count)
    "submissions_n": ("{n} Abgabe", "{n} submission"),
    "ungradeable_n": (
        "Nicht bewertbar, bitte ansehen ({n}; in Moodles Bewertungstabelle bleibt ihre Bewertung leer):",
        "Could not be graded, please look ({n}; their grade stays empty in Moodle's grading worksheet):",
    ),
    "testate_passed_n": ("{n} Testat bestanden", "{n} Testat passed"),
    "network_open_n": (
        "Bei {n} Abgabe hat die Sandbox das Netzwerk NICHT abgeschnitten: ihr Code konnte das Netz "
        "erreichen. Für eine Bewertung Docker oder bubblewrap verwenden.",
        "For {n} submission the sandbox did NOT cut off the network: its code could reach the net. "
        "Grade with Docker or bubblewrap.",
    ),
    "graded_was": ("Der Grader hatte {n} Punkt gegeben, {verdict}.", "The grader had given {n} point, {verdict}."),
    "why_more": ("(und {n} weiterer)", "(and {n} more)"),
}


def translator(lang: str) -> Callable[..., str]:
    """``t(key, **fields)``: the text of ``key`` in ``lang`` with ``fields`` filled in.

    A text that counts (its field ``n``) has its own form for one (``SINGULAR``):
    "1 Abgabe", never "1 Abgaben".
    """
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; choose one of {LANGUAGES}")
    column = LANGUAGES.index(lang)

    def t(key: str, **fields) -> str:
        one = key in SINGULAR and str(fields.get("n")) == "1"
        return (SINGULAR if one else CATALOGUE)[key][column].format(**fields)

    return t


def format_time(iso: str, lang: str) -> str:
    """An ISO time stamp as a reader of ``lang`` writes it; unparsable text unchanged."""
    try:
        moment = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return iso
    zone = moment.strftime(" %Z") if moment.tzinfo else ""
    pattern = "%d.%m.%Y %H:%M" if lang == "de" else "%Y-%m-%d %H:%M"
    return moment.strftime(pattern) + zone


def format_date(iso: str, lang: str) -> str:
    try:
        moment = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return iso
    return moment.strftime("%d.%m.%Y" if lang == "de" else "%Y-%m-%d")
