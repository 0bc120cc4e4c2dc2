"""Every page the grader writes, opened in a real browser and checked as HTML5."""

from pathlib import Path

import pytest
from browsertools import chromium, colours, screenshot, validation_errors

from grader.common.results import write_json_atomic
from grader.course import overview, publish, similarity
from grader.report import pages as report


@pytest.fixture
def pages(run, aufgabe1, tmp_path, figures_dir) -> dict[str, Path]:
    """A run's reports (German and English), its index and a course overview, on disk."""
    out = tmp_path / "out"
    report.write_all(run, aufgabe1, out)
    write_json_atomic(out / "results.json", run.to_json())
    english = out / "reports" / "anna.en.html"
    english.write_text(report.submission_html(run.submissions[0], aufgabe1, out / "reports" / "figures", lang="en"))
    overview.overview(results_paths=[out], out=tmp_path / "course")
    _, instructor = publish.publish(out=out, to=tmp_path / "bundle")
    submissions = tmp_path / "submissions"
    for sid in ("anna", "ben <b>"):
        (submissions / sid).mkdir(parents=True)
        (submissions / sid / "perceptron.py").write_text("def output(w, x):\n    return int(x @ w[:-1] + w[-1] > 0)  # <b>\n")
    similarity.similarity(aufgabe=1, submissions=submissions, out=out, threshold=0.5)
    similarity.similarity(aufgabe=1, submissions=submissions, out=tmp_path / "similar-only", threshold=0.5)
    return {
        "report": out / "reports" / "anna.html",
        "report_en": english,
        "error_report": out / "reports" / "ben__b_.html",
        "index": out / "index.html",
        "overview": tmp_path / "course" / "overview.html",
        "published": instructor,
        "empty": tmp_path / "bundle" / "index.html",
        "similar": out / "similarity" / "pair-001.html",
        "similar_only": tmp_path / "similar-only" / "index.html",
    }


@pytest.fixture
def figures_dir(tmp_path):
    """The figures where ``write_all`` looks for them: beside the reports in ``out``."""
    from reportsamples import png

    folder = tmp_path / "out" / "reports" / "figures"
    (folder / "anna").mkdir(parents=True)
    (folder / ".reference").mkdir()
    (folder / "anna" / "train__and-0.png").write_bytes(png("red"))
    (folder / ".reference" / "train__and-0.png").write_bytes(png("blue"))
    return folder


def test_blank_page_is_recognised_as_blank(tmp_path):
    """The check below can fail: an empty page gives a one-colour screenshot."""
    blank = tmp_path / "blank.html"
    blank.write_text("<!DOCTYPE html><html lang='de'><head><title>leer</title></head><body></body></html>")
    assert colours(screenshot(blank, tmp_path / "blank.png", 400, 300)) == 1


@pytest.mark.parametrize("width", [390, 1280])
def test_report_renders_on_phone_and_desktop(pages, tmp_path, width):
    image = screenshot(pages["report"], tmp_path / f"report-{width}.png", width, 2400)
    assert colours(image) > 50  # text in several colours, the figures, the verdict badge
    assert image.shape[1] == width


def test_report_prints_to_pdf(pages, tmp_path):
    pdf = tmp_path / "report.pdf"
    chromium(pages["report"], tmp_path / "profile-pdf", f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 10_000  # text and both figures


def test_overview_tables_become_sortable_in_the_browser(pages, tmp_path):
    dom = chromium(pages["index"], tmp_path / "profile-dom", "--dump-dom").stdout
    assert dom.count("<button") >= 6  # the script turned the column heads into buttons


def test_similar_code_is_shown_as_text(pages):
    assert "# &lt;b&gt;" in pages["similar"].read_text()


def test_every_page_is_valid_html5(pages):
    errors = validation_errors(*pages.values())
    assert [f"{Path(e['url']).name}:{e.get('lastLine')}: {e['message']}" for e in errors] == []
