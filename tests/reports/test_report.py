"""The feedback report and the overview of one run: what they show, hide and how."""

import csv
import io
import json
import re
from datetime import date

import numpy as np
from reportsamples import HIDDEN_SECRET, SCRIPT

from grader import PROJECT
from grader.common.results import CaseResult
from grader.judging import disclosure
from grader.report import i18n
from grader.report import pages as report
from grader.report.formatting import compact


def html_of(submission, aufgabe1, figures_dir, **options):
    return report.submission_html(submission, aufgabe1, figures_dir, today=date(2026, 11, 26), **options)


def test_student_output_is_shown_as_text_never_as_markup(submission, aufgabe1, figures_dir):
    html = html_of(submission, aufgabe1, figures_dir)
    assert SCRIPT not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html


def test_public_case_shows_call_values_output_traceback_and_figures(submission, aufgabe1, figures_dir):
    html = html_of(submission, aufgabe1, figures_dir)
    assert "def train_and(m, ctx):" in html
    assert "LOGIC_X = np.array" in html  # the constant the case uses comes along
    assert "epochs: 6" in html and "epochs: 0" in html
    assert "IndexError: list index out of range" in html
    assert html.count("data:image/png;base64,") == 2  # the student's figure beside the reference's
    assert "weitere Zeichen" in html and "x" * 4001 not in html  # stdout capped


def test_hidden_cases_show_only_verdict_and_points(submission, aufgabe1, figures_dir):
    html = html_of(submission, aufgabe1, figures_dir)
    assert HIDDEN_SECRET not in html
    assert "def train_nand" not in html
    assert "train/nand" in html and "0 / 1" in html
    assert "Einzelheiten werden nach dem 31.12.2999 freigegeben" in html


def test_release_hidden_shows_only_cases_whose_date_has_passed(submission, aufgabe1, figures_dir):
    html = html_of(submission, aufgabe1, figures_dir, release_hidden=True)
    assert f"{HIDDEN_SECRET}-train/and-from-w0" in html  # released 2020
    assert "freigegeben seit 31.01.2020" in html
    assert f"{HIDDEN_SECRET}-train/separable-2d" not in html  # 2999: still hidden
    assert f"{HIDDEN_SECRET}-train/nand" not in html  # no release date: hidden for good


def test_a_hidden_case_names_its_typical_mistake_but_shows_its_hint_only_once_released(submission, aufgabe1, figures_dir):
    for case in submission.cases[-2:]:  # released 2020, hidden until 2999; both keep their hint stored
        case.mistake = {"id": "m", "title": f"Titel {case.name}", "hint": f"Hinweis {HIDDEN_SECRET}-{case.name}"}
    html = html_of(submission, aufgabe1, figures_dir, release_hidden=True)
    assert "Titel train/and-from-w0" in html and "Titel train/separable-2d" in html
    assert f"Hinweis {HIDDEN_SECRET}-train/and-from-w0" in html
    assert f"Hinweis {HIDDEN_SECRET}-train/separable-2d" not in html


def test_visibility_levels():
    def level(visibility, release, release_hidden, today=date(2026, 6, 1)):
        case = CaseResult("a/b", visibility, "passed", 1, 1, "", release=release)
        return disclosure.level(case, release_hidden=release_hidden, today=today)

    assert level("public", "", False) == "public"
    assert level("hidden", "", True) == "hidden"
    assert level("hidden", "2026-06-01", False) == "hidden_until"
    assert level("hidden", "2026-06-01", True) == "released"
    assert level("hidden", "2026-06-02", True) == "hidden_until"


def test_report_and_index_say_whether_the_network_was_cut_off(submission, run, aufgabe1, figures_dir):
    submission.network = "sandbox"
    assert "Netzwerk: abgeschnitten" in html_of(submission, aufgabe1, figures_dir)
    assert "Netzwerk: abgeschnitten" in report.index_html(run)
    assert "NICHT" not in report.index_html(run)
    submission.network = "shared"
    assert '<span class="problem network">Netzwerk: NICHT abgeschnitten</span>' in html_of(submission, aufgabe1, figures_dir)
    index = report.index_html(run)
    assert '<span class="problem network">Netzwerk: NICHT abgeschnitten</span>' in index
    assert "Bei 1 Abgabe hat die Sandbox das Netzwerk NICHT abgeschnitten" in index
    submission.network = ""  # no harness said: nothing claimed
    assert "Netzwerk" not in html_of(submission, aufgabe1, figures_dir) + report.index_html(run)


def test_german_by_default_english_on_request(submission, aufgabe1, figures_dir):
    german = html_of(submission, aufgabe1, figures_dir)
    english = html_of(submission, aufgabe1, figures_dir, lang="en")
    assert '<html lang="de">' in german and "Testat nicht bestanden" in german and "Ihr Ergebnis" in german
    assert '<html lang="en">' in english and "Testat not passed" in english and "Your result" in english
    assert "nicht bestanden" not in english.replace("Testat nicht", "")  # verdict words translated
    assert "26.11.2026 19:42 UTC" in german and "2026-11-26 19:42 UTC" in english


def test_the_overview_names_typical_mistakes_in_its_language(run):
    run.submissions[0].cases[1].mistake = {"id": "update-sign", "title": "Vorzeichen vertauscht", "hint": "h"}
    for lang in i18n.LANGUAGES:
        t = i18n.translator(lang)
        html = report.index_html(run, lang=lang)
        assert f"<h2>{t('mistakes')}</h2>" in html and f"<th>{t('mistake')}</th>" in html
    assert "Typical mistakes" in report.index_html(run, lang="en")


def test_no_template_chooses_its_words_by_language_itself():
    """Every word goes through grader.report.i18n, where German and English stand side by side."""
    for template in sorted((PROJECT / "reports").glob("*.j2")):
        assert "lang ==" not in template.read_text(encoding="utf-8"), template.name


def test_header_names_student_sandbox_versions_and_time(submission, aufgabe1, figures_dir):
    html = html_of(submission, aufgabe1, figures_dir)
    for fact in ("anna", "docker", "numpy 2.4.6", "matplotlib 3.11.2", "1 von 9 Punkten", "nötig: 80 %"):
        assert fact in html


def test_report_loads_nothing_from_the_network(submission, aufgabe1, figures_dir):
    html = html_of(submission, aufgabe1, figures_dir)
    references = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert references and all(r.startswith(("data:", "#")) for r in references)
    assert "http://" not in html and "https://" not in html


def test_missing_figure_file_is_said_not_linked(submission, aufgabe1, figures_dir):
    (figures_dir / "anna" / "train__and-0.png").unlink()
    html = html_of(submission, aufgabe1, figures_dir)
    assert html.count("data:image/png;base64,") == 1
    assert "Abbildung fehlt" in html


def test_write_all_writes_reports_overview_and_grades(run, aufgabe1, tmp_path):
    report.write_all(run, aufgabe1, tmp_path)
    assert (tmp_path / "reports" / "anna.html").is_file()
    escaped = list((tmp_path / "reports").glob("ben__b_-*.html"))  # a file name that cannot escape
    assert len(escaped) == 1 and escaped[0].is_file()
    index = (tmp_path / "index.html").read_text()
    assert 'href="reports/anna.html"' in index and "ben &lt;b&gt;" in index
    rows = list(csv.DictReader(io.StringIO((tmp_path / "grades.csv").read_text())))
    assert [(r["id"], r["passed"]) for r in rows] == [("anna", "nein"), ("ben <b>", "nein")]
    grades = json.loads((tmp_path / "grades.json").read_text())
    assert grades["grades"][0]["score"] == 1.0 and "train/and" in grades["grades"][0]["feedback"]


def test_case_statistics_put_the_most_failed_case_first(run):
    rows = report.case_statistics(run)
    assert rows[0]["passed"] == 0 and rows[-1]["name"] == "output/single"
    assert rows[-1]["share"] == 1.0 and rows[-1]["mean"] == 1.0


def test_compact_shortens_large_arrays_and_keeps_small_ones():
    small = compact({"w": np.array([1.0, -2.0, 0.5]), "epochs": 6})
    assert "w: [ 1. , -2. ,  0.5]  (Form (3,))" in small and "epochs: 6" in small
    large = compact(np.arange(10_000.0).reshape(100, 100))
    assert "..." in large and "(Form (100, 100))" in large and len(large) < 600
    assert compact(np.array([0.0, 1.0, 1.0])) == "[0, 1, 1]  (Form (3,))"
    assert compact({"$figure": 0}) == "<Abbildung 1>"
    assert compact("x" * 5000).endswith("weitere Zeichen)")


def test_a_returned_figure_is_shown_as_image_not_as_value(submission, aufgabe1, figures_dir):
    plotted = submission.cases[1]
    plotted.expected_text = plotted.got_text = "<Abbildung 1>"
    html = html_of(submission, aufgabe1, figures_dir)
    section = html.split('id="case-2"')[1].split("</section>")[0]
    assert "Erwartet" not in section and "data:image/png;base64," in section


def test_ids_that_differ_only_in_replaced_characters_get_their_own_report():
    from grader.report.pages import report_name

    names = {report_name(i) for i in ("Anna Müller", "Anna_Müller", "Anna_M_ller", "anna")}
    assert len(names) == 4 and "reports/anna.html" in names
    assert all("/" not in n.removeprefix("reports/") and ".." not in n for n in names)


def test_a_possible_mistake_says_could_be_and_is_not_counted_in_the_overview(submission, aufgabe1, figures_dir, run):
    """issue 24: a mistake whose signature holds on only some of its cases is named as possible."""
    submission.cases[1].mistake = {"id": "m", "title": "Titel", "hint": "Hinweis", "certain": False}
    assert "Das könnte der typische Fehler „Titel“ sein — Hinweis: Hinweis" in html_of(submission, aufgabe1, figures_dir)
    english = html_of(submission, aufgabe1, figures_dir, lang="en")
    assert "This could be the typical mistake “Titel” — Hint: Hinweis" in english
    assert "entspricht" not in html_of(submission, aufgabe1, figures_dir)
    submission.cases[1].mistake["certain"] = True
    assert "Das entspricht dem typischen Fehler „Titel“ — Hinweis: Hinweis" in html_of(submission, aufgabe1, figures_dir)
    run.submissions[0].cases[1].mistake = {"id": "update-sign", "title": "Vorzeichen vertauscht", "hint": "h", "certain": False}
    assert "Vorzeichen vertauscht" not in report.index_html(run)


def test_values_and_figures_put_yours_left_and_the_reference_right(submission, aufgabe1, figures_dir):
    section = html_of(submission, aufgabe1, figures_dir).split('id="case-2"')[1].split("</section>")[0]
    assert section.index("Ihr Ergebnis") < section.index("Erwartet")
    assert section.index("Ihre Abbildung 1") < section.index("Referenz 1")


def test_cases_that_check_one_drawing_show_it_once(submission, aufgabe1, figures_dir):
    drawn = submission.cases[1]
    again = CaseResult("train/and-labels", "public", "passed", 1.0, 1.0, "Richtig.",
                       figures=list(drawn.figures), expected_figures=list(drawn.expected_figures))
    submission.cases.insert(2, again)
    html = html_of(submission, aufgabe1, figures_dir)
    assert html.count("data:image/png;base64,") == 2
    section = html.split('id="case-3"')[1].split("</section>")[0]
    assert 'Dieselben Abbildungen wie bei <a href="#case-2">train/and</a>' in section


def test_the_index_names_the_sandbox_once_not_on_every_row(run):
    run.submissions[1].sandbox = "docker"
    index = report.index_html(run)
    assert index.count("docker") == 1 and "Sandbox docker" in index
    run.submissions[1].sandbox = "process"
    assert "Sandbox: process." in report.index_html(run)


def test_the_overview_shows_hand_changes_and_tells_ungradeable_from_not_passed(run, tmp_path):
    from grader.common.results import write_json_atomic
    from grader.course import overview

    anna, ben = run.submissions
    anna.override = {"note": "Gespräch", "at": "2026-11-30T10:00:00+00:00", "points": 9.0, "passed": None,
                     "graded_score": 1.0, "graded_passed": False}
    write_json_atomic(tmp_path / "out" / "results.json", run.to_json())
    overview.overview(results_paths=[tmp_path / "out"], out=tmp_path / "course")
    html = (tmp_path / "course" / "overview.html").read_text()
    rows = {row.split("</td>")[0].split("<td>")[-1]: row for row in html.split("<tr>")[2:]}
    assert '<span class="by-hand">von Hand</span>' in rows["anna"]
    assert 'class="mark error"' in rows["ben &lt;b&gt;"] and "nicht bewertbar" in rows["ben &lt;b&gt;"]
    assert "✗" not in rows["ben &lt;b&gt;"]
