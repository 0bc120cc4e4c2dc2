"""A student's whole flow in a real browser (Debian's chromium through chromium-driver, headless):
the link from the e-mail logs in, the upload gives a receipt, the report appears without reloading by hand."""

from __future__ import annotations

import csv
import hashlib
import shutil

import pytest

from .conftest import missing
from .helpers import REFERENCE
from .server import Server


@pytest.fixture
def driver(tmp_path):
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        missing("selenium is not installed (pip install -e '.[test]')")
    path = shutil.which("chromedriver")
    if path is None:
        missing("chromedriver is not installed (apt-get install chromium-driver)")
    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    options.binary_location = shutil.which("chromium") or ""
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(options=options, service=Service(path))
    yield browser
    browser.quit()


def test_a_student_hands_in_and_sees_the_report_without_reloading(driver, sqlite_course, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    server = Server(sqlite_course.data, tmp_path / "server.log", "--jobs", "1").start()
    try:
        from grader.service.course import write_tokens

        write_tokens(data=sqlite_course.data, out=tmp_path / "links.csv", url=server.url)
        with (tmp_path / "links.csv").open(encoding="utf-8-sig") as stream:
            link = next(r["link"] for r in csv.DictReader(stream) if r["id_number"] == "1001")
        driver.get(link)
        WebDriverWait(driver, 30).until(lambda d: d.current_url.endswith("/aufgaben"))
        assert "#" not in driver.current_url and "Anna Müller" in driver.page_source
        (tmp_path / "upload").mkdir()
        handed_in = tmp_path / "upload" / "perceptron.py"
        handed_in.write_bytes(REFERENCE)
        driver.find_element(By.ID, "file-1").send_keys(str(handed_in))
        driver.find_element(By.CSS_SELECTOR, "#aufgabe-1 button[type=submit]").click()
        WebDriverWait(driver, 30).until(lambda d: "Quittung" in d.page_source)
        receipt_url = driver.current_url
        # Not yet graded when the receipt shows: what appears later came through the page's polling.
        assert driver.find_element(By.ID, "report").get_attribute("data-state") in ("queued", "running")
        assert hashlib.sha256(REFERENCE).hexdigest() in driver.page_source
        report = WebDriverWait(driver, 180).until(
            lambda d: "Testat bestanden" in d.find_element(By.ID, "report").text and d.find_element(By.ID, "report")
        )
        assert driver.current_url == receipt_url
        assert "Stand: bewertet" in report.text
        violations = [e for e in driver.get_log("browser") if "Content Security Policy" in e.get("message", "")]
        assert not violations, violations
        driver.find_element(By.LINK_TEXT, "Zurück zu den Aufgaben").click()
        assert "Bisherige Abgaben" in driver.page_source and "bewertet" in driver.page_source
    finally:
        server.stop()


def test_the_instructor_watches_the_class_and_regrades(driver, sqlite_course, tmp_path):
    import requests
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    server = Server(sqlite_course.data, tmp_path / "server.log", "--jobs", "1").start()
    try:
        answer = requests.post(
            f"{server.url}/api/v1/submissions", headers={"Authorization": f"Bearer {sqlite_course.tokens['1002']}"},
            data={"aufgabe": "1"}, files={"file": ("perceptron.py", REFERENCE)}, timeout=30,
        )
        assert answer.status_code == 201
        driver.get(f"{server.url}/anmelden")
        driver.find_element(By.ID, "token").send_keys(sqlite_course.instructor)
        driver.find_element(By.CSS_SELECTOR, "#login button").click()
        WebDriverWait(driver, 30).until(lambda d: d.current_url.endswith("/lehrende/"))
        assert "noch nicht abgegeben: Anna Müller, Lena Weber" in driver.page_source

        def graded(d):
            d.refresh()
            return "bestanden" in d.find_element(By.CSS_SELECTOR, "table.class").text

        WebDriverWait(driver, 180, poll_frequency=1).until(graded)
        driver.find_element(By.PARTIAL_LINK_TEXT, "bestanden").click()
        assert "Jonas Schmidt: Aufgabe 1, Versuch 1" in driver.page_source
        driver.find_element(By.XPATH, "//button[text()='Neu bewerten']").click()
        # The click submits a form: the answer is the next page, not the one still shown.
        WebDriverWait(driver, 30).until(lambda d: "Neue Bewertung eingereiht" in d.page_source)
        rows = driver.find_elements(By.CSS_SELECTOR, "table tbody tr")
        assert len(rows) == 2
    finally:
        server.stop()
